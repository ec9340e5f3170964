"""Pages scanned upside down, sideways or skewed are read the right way up, with real Tesseract."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from app.core.models import OcrMode
from app.extraction import orientation, tesseract
from app.extraction.engine import PageEngine, PageResult
from app.extraction.filetype import sniff
from tests.conftest import SAMPLES
from tests.scans import draw_scan, turn_scan

pytest.importorskip("tesserocr")
PROGRAM = shutil.which("tesseract")
needs_program = pytest.mark.skipif(PROGRAM is None, reason="the Tesseract program is missing")
needs_osd = pytest.mark.skipif(
    not any(
        (Path(folder) / "osd.traineddata").is_file()
        for folder in ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tessdata")
    ),
    reason="osd.traineddata is not installed",
)
PDFLATEX = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory, qapp: object) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("turned")
    up = draw_scan(PDFLATEX, folder / "upright.png")
    made = {"upright": up}
    for name, degrees in (("90", 90), ("180", 180), ("270", 270), ("+3", 3), ("-3", -3)):
        made[name] = turn_scan(up, degrees, folder / f"turned {name}.png")
    return made


@pytest.fixture(autouse=True)
def fresh_info() -> Iterator[None]:
    tesseract.tesseract_info.cache_clear()
    yield
    tesseract.tesseract_info.cache_clear()


def read(path: Path, work: Path, rotation: int = 0) -> PageResult:
    engine = PageEngine(work)
    try:
        kind = sniff(path).value
        return engine.page(
            path, path.name, kind, 1, OcrMode.ALWAYS, "eng", lambda *_: None, rotation
        )
    finally:
        engine.close()


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)}


def recall(text: str, upright: set[str]) -> float:
    """The share of the upright read's words found in `text`."""
    return len(words(text) & upright) / max(len(upright), 1)


@pytest.fixture(scope="session")
def upright_words(scans: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    tesseract.tesseract_info.cache_clear()
    result = read(scans["upright"], tmp_path_factory.mktemp("work"))
    assert result.rotation == 0
    found = words(result.text)
    assert len(found) >= 40
    return found


@needs_osd
@pytest.mark.parametrize(
    ("scan", "turn"), [("90", 90), ("180", 180), ("270", 270), ("+3", 0), ("-3", 0)]
)
def test_a_turned_or_skewed_scan_reads_as_well_as_upright(
    scans: dict[str, Path], upright_words: set[str], tmp_path: Path, scan: str, turn: int
) -> None:
    result = read(scans[scan], tmp_path)
    assert recall(result.text, upright_words) >= 0.9
    # The turn applied is recorded, clockwise: a scan turned 90° left is turned 90° right.
    assert result.rotation == turn
    assert result.to_json().get("rotation", 0) == turn
    assert result.confidence is not None and result.confidence >= 80


@needs_osd
def test_a_scanned_pdf_printed_upside_down_reads_upright(
    scans: dict[str, Path], upright_words: set[str], tmp_path: Path
) -> None:
    pdf = tmp_path / "upside down.pdf"
    with Image.open(scans["180"]) as img:
        img.save(pdf, "PDF", resolution=300)
    result = read(pdf, tmp_path / "work")
    assert result.rotation == 180
    assert recall(result.text, upright_words) >= 0.9


def test_the_users_turn_is_applied_without_asking_tesseract(
    scans: dict[str, Path],
    upright_words: set[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_detection(*_: object) -> None:
        raise AssertionError("orientation was detected though the user chose the turn")

    monkeypatch.setattr(orientation.InProcessOsd, "detect", no_detection)
    result = read(scans["90"], tmp_path, rotation=90)
    assert result.rotation == 90
    assert recall(result.text, upright_words) >= 0.9
    # Upright by the user's choice (kept as 360): read as it is, never turned.
    kept = read(scans["upright"], tmp_path, rotation=360)
    assert kept.rotation == 0
    assert recall(kept.text, upright_words) >= 0.9


@needs_program
@needs_osd
@pytest.mark.parametrize(("scan", "turn"), [("180", 180), ("-3", 0)])
def test_the_program_fallback_turns_and_straightens_too(
    scans: dict[str, Path],
    upright_words: set[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scan: str,
    turn: int,
) -> None:
    assert PROGRAM is not None
    monkeypatch.setenv(tesseract.ENV_OVERRIDE, PROGRAM)
    tesseract.tesseract_info.cache_clear()
    assert not tesseract.tesseract_info().in_process
    engine = PageEngine(tmp_path / "work")
    try:
        path = scans[scan]
        result = engine.page(path, path.name, "png", 1, OcrMode.ALWAYS, "eng", lambda *_: None)
        assert not any((tmp_path / "work").iterdir())  # the turned page images are gone
    finally:
        engine.close()
    assert result.rotation == turn
    assert recall(result.text, upright_words) >= 0.9


def test_skew_is_measured_from_the_lines(scans: dict[str, Path]) -> None:
    with Image.open(scans["upright"]) as img:
        img.load()
        assert orientation.skew_angle(img) == 0.0
        for degrees in (-4, 3):
            turned = img.rotate(degrees, expand=True, fillcolor=255)
            assert abs(orientation.skew_angle(turned) + degrees) <= 0.3
    blank = Image.new("L", (1200, 1700), 255)
    assert orientation.skew_angle(blank) == 0.0
    assert orientation.straighten(blank) is blank


def test_tesseracts_answers_are_read_as_clockwise_turns() -> None:
    found = orientation.from_detected({"orient_deg": 270, "orient_conf": 26.1})
    assert found == orientation.Orientation(90, 26.1)
    assert orientation.from_detected(None) is None
    report = "Orientation in degrees: 90\nRotate: 270\nOrientation confidence: 3.5\n"
    assert orientation.from_program(report) == orientation.Orientation(270, 3.5)
    assert orientation.from_program("Too few characters. Skipping this page") is None


Read = tuple[int, float | None]


def never() -> orientation.Orientation | None:
    raise AssertionError("orientation was detected though the user chose the turn")


def reader(scores: dict[int, float | None]) -> tuple[list[int], Callable[[int], Read]]:
    asked: list[int] = []

    def read(turn: int) -> Read:
        asked.append(turn)
        return turn, scores[turn]

    return asked, read


def test_the_better_read_is_kept_and_a_weak_guess_only_tried_when_the_read_is_poor() -> None:
    upright_read = orientation.read_upright

    def conf(result: Read) -> float | None:
        return result[1]

    # A confident answer: read turned, once, when that read is good.
    asked, read = reader({180: 95.0, 0: 40.0})
    assert upright_read(read, conf, lambda: orientation.Orientation(180, 20.0)) == (180, 95.0)
    assert asked == [180]
    # A confident answer whose read is poor: upright is read too, the better kept.
    asked, read = reader({90: 30.0, 0: 45.0})
    assert upright_read(read, conf, lambda: orientation.Orientation(90, 20.0)) == (0, 45.0)
    assert asked == [90, 0]
    # A weak answer is not trusted first, but tried when the page reads poorly as it is.
    asked, read = reader({0: 41.0, 180: 96.0})
    assert upright_read(read, conf, lambda: orientation.Orientation(180, 4.0)) == (180, 96.0)
    asked, read = reader({0: 95.0, 180: 10.0})
    assert upright_read(read, conf, lambda: orientation.Orientation(180, 4.0)) == (0, 95.0)
    assert asked == [0]
    # Nothing detected (too few letters): read as it is.
    asked, read = reader({0: None})
    assert upright_read(read, conf, lambda: None) == (0, None)
    # The user's turn: read at it, nothing detected.
    asked, read = reader({90: 50.0, 0: 99.0})
    assert upright_read(read, conf, never, 90) == (90, 50.0)
    asked, read = reader({0: 50.0})
    assert upright_read(read, conf, never, 360) == (0, 50.0)
