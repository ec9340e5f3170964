"""The right OCR language without asking: the system's language among those installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.library import Library
from app.extraction.languages import default_ocr_languages

LETTER = (
    "Sehr geehrter Herr Jürgen Müller-Lüdenscheidt,\n\nvielen Dank für Ihren Brief über die "
    "Miete für März. Die Überweisung wird nächste Woche fällig. Mit freundlichen Grüßen aus "
    "Köln, Ihre Hausverwaltung Größe & Söhne."
)


@pytest.mark.parametrize(
    ("locale_name", "installed", "expected"),
    [
        ("de_DE.UTF-8", ["eng", "deu"], "deu+eng"),
        ("de_AT", ["deu", "eng", "fra"], "deu+eng"),
        ("fr_FR.UTF-8", ["eng", "deu"], "eng"),  # French is not installed: English
        ("en_GB.UTF-8", ["eng", "deu"], "eng"),
        ("", ["eng", "deu"], "eng"),
        ("de_DE.UTF-8", ["deu"], "deu"),
        ("pt_BR", ["osd", "por"], "por"),
        ("ja_JP", ["deu"], "deu"),  # neither: the one that is installed
        ("de_DE", [], "eng"),
    ],
)
def test_default_languages_follow_the_locale_among_those_installed(
    locale_name: str, installed: list[str], expected: str
) -> None:
    assert default_ocr_languages(installed, locale_name) == expected


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A German letter scanned at 300 dpi (drawn with Qt, so it needs no font files here)."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

    _app = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(2480, 1200, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont("DejaVu Serif")
    font.setPixelSize(50)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(QRect(150, 150, 2180, 900), int(Qt.TextFlag.TextWordWrap), LETTER)
    painter.end()
    image.setDotsPerMeterX(11811)  # 300 dpi
    image.setDotsPerMeterY(11811)
    out = tmp_path_factory.mktemp("letter") / "brief.png"
    assert image.save(str(out))
    return out


def import_as(folder: Path, locale_name: str, *args: object) -> str:
    """Import with the real command under a locale; the page's text as stored."""
    env = {**os.environ, "LANG": locale_name, "LC_ALL": "", "LC_MESSAGES": ""}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--library", folder, "import", *map(str, args), "--wait"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    with Library(folder, readonly=True) as library:
        (source,) = library.sources()
        (page,) = library.pages(source.id)
        return page.text or ""


def test_a_german_system_reads_a_german_letter_in_german(letter: Path, tmp_path: Path) -> None:
    text = import_as(tmp_path / "de", "de_DE.UTF-8", letter)
    assert "Müller-Lüdenscheidt" in text and "für" in text and "Grüßen" in text


def test_the_import_can_choose_the_language(letter: Path, tmp_path: Path) -> None:
    text = import_as(tmp_path / "chosen", "en_US.UTF-8", letter, "--lang", "deu")
    assert "Müller-Lüdenscheidt" in text and "für" in text
    wrong = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "--library",
            tmp_path / "x",
            "import",
            letter,
            "--lang",
            "xx",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert wrong.returncode == 2 and "The OCR language xx is not installed" in wrong.stderr
