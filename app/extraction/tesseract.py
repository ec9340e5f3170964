"""Find Tesseract and ask it what it can do."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import FolioError

ENV_OVERRIDE = "FOLIO_TESSERACT"
_EXE = "tesseract.exe" if sys.platform == "win32" else "tesseract"
_WELL_KNOWN = (
    Path(r"C:\Program Files\Tesseract-OCR\tesseract.exe"),
    Path(r"C:\Program Files (x86)\Tesseract-OCR\tesseract.exe"),
    Path("/opt/homebrew/bin/tesseract"),
    Path("/usr/local/bin/tesseract"),
    Path("/usr/bin/tesseract"),
)

MISSING_MESSAGE = (
    "Tesseract is not installed, so pages without a text layer cannot be read; "
    "install the tesseract-ocr package (or set FOLIO_TESSERACT to its path) and retry."
)


@dataclass(frozen=True, slots=True)
class TesseractInfo:
    path: str
    version: str
    languages: tuple[str, ...]
    #: Set for a copy bundled with Folio, whose language data sits beside it.
    tessdata: str | None = None


def _bundled_dirs() -> list[Path]:
    base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return [base / "tesseract", base.parent / "tesseract"]


def find_tesseract() -> tuple[str, str | None] | None:
    """Where Tesseract is: the override, a bundled copy, PATH, then the usual places."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return (override, None) if Path(override).is_file() else None
    for folder in _bundled_dirs():
        exe = folder / _EXE
        if exe.is_file():
            data = folder / "tessdata"
            return str(exe), str(data) if data.is_dir() else None
    on_path = shutil.which("tesseract")
    if on_path:
        return on_path, None
    for candidate in _WELL_KNOWN:
        if candidate.is_file():
            return str(candidate), None
    return None


def tesseract_env(tessdata: str | None) -> dict[str, str]:
    """The environment for a Tesseract process: one thread, its own data folder."""
    env = dict(os.environ)
    # Unset, Tesseract's OpenMP threads made OCR 3.5-7x slower on 2 cores.
    env["OMP_THREAD_LIMIT"] = "1"
    if tessdata:
        env["TESSDATA_PREFIX"] = tessdata
    return env


@functools.cache
def tesseract_info() -> TesseractInfo:
    """Version and installed languages, or a FolioError saying Tesseract is missing."""
    found = find_tesseract()
    if found is None:
        raise FolioError(MISSING_MESSAGE)
    path, tessdata = found
    env = tesseract_env(tessdata)
    # A windowed Folio on Windows would flash a console for each call otherwise.
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        version_out = subprocess.run(
            [path, "--version"],
            capture_output=True,
            text=True,
            timeout=20,
            env=env,
            check=False,
            creationflags=flags,
        )
        langs_out = subprocess.run(
            [path, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=20,
            env=env,
            check=False,
            creationflags=flags,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise FolioError(MISSING_MESSAGE) from exc
    first = (version_out.stdout or version_out.stderr).strip().splitlines()
    version = first[0].replace("tesseract", "").strip() if first else "unknown"
    langs = tuple(
        line.strip()
        for line in langs_out.stdout.splitlines()[1:]
        if line.strip() and line.strip() != "osd"
    )
    return TesseractInfo(path, version, langs, tessdata)


def check_languages(lang: str) -> None:
    """Raise a FolioError naming any language of `eng+deu` that is not installed."""
    info = tesseract_info()
    missing = [code for code in lang.split("+") if code and code not in info.languages]
    if missing:
        have = ", ".join(info.languages) or "none"
        raise FolioError(
            f"The OCR language {'+'.join(missing)} is not installed (installed: {have}); "
            f"install tesseract-ocr-{missing[0]} or choose another language."
        )


class TesseractFailed(Exception):
    """Tesseract ran and reported an error (its message is the exception's text)."""


def run_tsv(image: Path, lang: str, options: list[str], work_dir: Path) -> dict[str, list[str]]:
    """Tesseract's words for `image` as TSV columns (level, block_num, …, conf, text).

    Runs the program with its output (and any temporary file) in the worker's private
    folder, and, where the kernel allows, set to die with the worker.
    """
    from app.extraction.lifetime import child_dies_with_me

    info = tesseract_info()
    base = work_dir / f"{image.stem}-ocr"
    args = [info.path, str(image), str(base), "-l", lang, *options, "tsv"]
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        done = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=work_dir,
            env=tesseract_env(info.tessdata),
            # The worker's other threads are Qt's and hold no Python lock; glibc keeps
            # malloc usable after fork, so this small function is safe to run there.
            preexec_fn=child_dies_with_me(),
            creationflags=flags,
            check=False,
        )
    except FileNotFoundError as exc:
        raise FolioError(MISSING_MESSAGE) from exc
    out = Path(f"{base}.tsv")
    try:
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise TesseractFailed(detail or f"exit status {done.returncode}")
        try:
            rows = out.read_text("utf-8", "replace").splitlines()
        except FileNotFoundError:
            raise TesseractFailed("it wrote no result") from None
    finally:
        out.unlink(missing_ok=True)
    return parse_tsv(rows)


def parse_tsv(rows: list[str]) -> dict[str, list[str]]:
    """TSV lines (with their header) as one list of strings per column."""
    if not rows:
        return {}
    header = rows[0].split("\t")
    columns: dict[str, list[str]] = {name: [] for name in header}
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        for name, cell in zip(header, cells, strict=False):
            columns[name].append(cell)
    return columns
