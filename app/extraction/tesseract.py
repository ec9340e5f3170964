"""Find Tesseract, ask it what it can do, and read page images with it.

Two ways to run it, with results of the same shape (Tesseract's TSV columns):
- in process, through tesserocr (the Tesseract library, one engine per language set kept
  loaded, images handed over in memory); used wherever tesserocr imports;
- the Tesseract program, one run per page on a PNG: where tesserocr is missing (no wheel
  for the platform) or FOLIO_TESSERACT names a program.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import FolioError

if TYPE_CHECKING:
    from PIL import Image

ENV_OVERRIDE = "FOLIO_TESSERACT"
#: Tesseract's own variable for its language data folder.
ENV_TESSDATA = "TESSDATA_PREFIX"
#: Where distributions and installers put the language data (searched last).
_WELL_KNOWN_TESSDATA = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
    Path("/usr/local/share/tessdata"),
    Path("/opt/homebrew/share/tessdata"),
    Path(r"C:\Program Files\Tesseract-OCR\tessdata"),
)
#: The header the program writes above its TSV rows (the library gives only the rows).
TSV_HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
)
#: Variables set on every read, by both ways (the program gets them as `-c name=value`).
#: Skipping Tesseract's search for inverted (light-on-dark) lines made OCR ~8 % faster
#: with identical text on the corpus scans.
OCR_VARIABLES = {"tessedit_do_invert": "0"}
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
    #: The program's copy bundled with Folio has its language data beside it; in process,
    #: the folder the languages were found in.
    tessdata: str | None = None
    #: True when pages are read in process through tesserocr (`path` then names the
    #: program if there is one too, else it is empty).
    in_process: bool = False


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


def tesserocr_module() -> Any | None:
    """tesserocr when pages are read in process: it imports and no program is named."""
    if os.environ.get(ENV_OVERRIDE):
        return None
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr


def _run_program(path: str, flag: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [path, flag],
        capture_output=True,
        text=True,
        timeout=20,
        env=env,
        check=False,
        # A windowed Folio on Windows would flash a console for each call otherwise.
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
    )


@dataclass(frozen=True, slots=True)
class _ProgramReport:
    version: str
    languages: tuple[str, ...]
    #: The folder its languages are in, as it says ('List of … in "/usr/share/…/"').
    folder: str | None


def _ask_program(path: str, tessdata: str | None) -> _ProgramReport:
    env = tesseract_env(tessdata)
    try:
        version_out = _run_program(path, "--version", env)
        langs_out = _run_program(path, "--list-langs", env)
    except (OSError, subprocess.SubprocessError) as exc:
        raise FolioError(MISSING_MESSAGE) from exc
    first = (version_out.stdout or version_out.stderr).strip().splitlines()
    version = first[0].replace("tesseract", "").strip() if first else "unknown"
    lines = langs_out.stdout.splitlines()
    folder = re.search(r'"(.+)"', lines[0]) if lines else None
    return _ProgramReport(
        version, _languages(line.strip() for line in lines[1:]), folder and folder[1]
    )


def _languages(codes: Any) -> tuple[str, ...]:
    return tuple(sorted(code for code in codes if code and code != "osd"))


def _has_models(folder: Path) -> bool:
    try:
        return any(folder.glob("*.traineddata"))
    except OSError:
        return False


def find_tessdata(program: tuple[str, str | None] | None) -> str | None:
    """The language data folder for in-process OCR, found where the program finds its own.

    In order: the folder bundled with Folio, TESSDATA_PREFIX, the distributions' usual
    folders, and only then the folder the Tesseract program reports (asking it starts a
    process, which every worker would pay for).
    """
    candidates: list[Path] = [folder / "tessdata" for folder in _bundled_dirs()]
    if program is not None and program[1]:
        candidates.append(Path(program[1]))
    prefix = os.environ.get(ENV_TESSDATA)
    if prefix:
        candidates += [Path(prefix), Path(prefix) / "tessdata"]
    candidates += _WELL_KNOWN_TESSDATA
    found = next((folder for folder in candidates if _has_models(folder)), None)
    if found is None and program is not None:
        reported = _ask_program(program[0], None).folder
        if reported and _has_models(Path(reported)):
            found = Path(reported)
    # Tesseract joins the folder and a file name without a separator.
    return None if found is None else str(found).rstrip("/\\") + os.sep


@functools.cache
def tesseract_info() -> TesseractInfo:
    """Version and installed languages, or a FolioError saying Tesseract is missing."""
    found = find_tesseract()
    lib = tesserocr_module()
    if lib is not None:
        tessdata = find_tessdata(found)
        version_lines = str(lib.tesseract_version()).strip().splitlines()
        version = version_lines[0].replace("tesseract", "").strip() if version_lines else "?"
        langs = _languages(lib.get_languages(tessdata)[1]) if tessdata else ()
        return TesseractInfo(found[0] if found else "", version, langs, tessdata, True)
    if found is None:
        raise FolioError(MISSING_MESSAGE)
    path, tessdata = found
    report = _ask_program(path, tessdata)
    return TesseractInfo(path, report.version, report.languages, tessdata)


def check_languages(lang: str) -> TesseractInfo:
    """Raise a FolioError naming any language of `eng+deu` that is not installed."""
    info = tesseract_info()
    missing = [code for code in lang.split("+") if code and code not in info.languages]
    if missing:
        have = ", ".join(info.languages) or "none"
        raise FolioError(
            f"The OCR language {'+'.join(missing)} is not installed (installed: {have}); "
            f"install tesseract-ocr-{missing[0]} or choose another language."
        )
    return info


class TesseractFailed(Exception):
    """Tesseract ran and reported an error (its message is the exception's text)."""


def program_options(dpi: int | None) -> list[str]:
    """The program's options for what `InProcessOcr.read` sets on the library."""
    options: list[str] = []
    for name, value in OCR_VARIABLES.items():
        options += ["-c", f"{name}={value}"]
    return options + (["--dpi", str(dpi)] if dpi else [])


def run_tsv(image: Path, lang: str, options: list[str], work_dir: Path) -> dict[str, list[str]]:
    """Tesseract's words for `image` as TSV columns (level, block_num, …, conf, text).

    Runs the program with its output (and any temporary file) in the worker's private
    folder, and, where the kernel allows, set to die with the worker.
    """
    from app.extraction.lifetime import child_dies_with_me

    info = tesseract_info()
    if not info.path:
        raise FolioError(MISSING_MESSAGE)
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
            env=tesseract_env(None if info.in_process else info.tessdata),
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


class InProcessOcr:
    """Tesseract inside this (worker) process: one engine per language set, kept loaded.

    Loading a language's model costs about as much as reading a small page, so the
    engines of the last `keep` language sets stay loaded between pages. The engine runs
    in the worker, which Folio kills on cancel or timeout: nothing here needs stopping.
    """

    def __init__(self, keep: int = 2) -> None:
        self.keep = max(1, keep)
        self._engines: OrderedDict[str, Any] = OrderedDict()

    def _engine(self, lang: str) -> Any:
        engine = self._engines.get(lang)
        if engine is not None:
            self._engines.move_to_end(lang)
            return engine
        lib = tesserocr_module()
        info = tesseract_info()
        if lib is None or not info.in_process:
            raise FolioError(MISSING_MESSAGE)
        while len(self._engines) >= self.keep:
            _, oldest = self._engines.popitem(last=False)
            oldest.End()
        try:
            # The program's defaults: automatic page segmentation, the default engine.
            engine = lib.PyTessBaseAPI(
                path=info.tessdata or "",
                lang=lang,
                psm=lib.PSM.AUTO,
                oem=lib.OEM.DEFAULT,
                variables=dict(OCR_VARIABLES),
            )
        except RuntimeError as exc:
            raise TesseractFailed(f"the language {lang} could not be loaded ({exc})") from exc
        self._engines[lang] = engine
        return engine

    def read(self, image: Image.Image, lang: str, dpi: int | None) -> dict[str, list[str]]:
        """The words of `image` as TSV columns, exactly as `run_tsv` gives them."""
        engine = self._engine(lang)
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB" if image.mode not in ("1", "I", "I;16", "F") else "L")
        depth = len(image.getbands())
        # The pixels as they are (no image file encoded, not even in memory).
        pixels = image.tobytes()
        try:
            engine.SetImageBytes(pixels, image.width, image.height, depth, image.width * depth)
            if dpi:
                engine.SetSourceResolution(dpi)
            rows = engine.GetTSVText(0)
        except RuntimeError as exc:
            raise TesseractFailed(str(exc) or "it could not take the image") from exc
        finally:
            # The engine keeps its model, not the page or what it learnt from it: each page
            # reads as it would in a fresh program, and a worker's memory stays flat.
            engine.Clear()
            engine.ClearAdaptiveClassifier()
        if rows is None:
            raise TesseractFailed("it gave no result")
        return parse_tsv([TSV_HEADER, *str(rows).splitlines()])

    def close(self) -> None:
        while self._engines:
            _, engine = self._engines.popitem()
            engine.End()


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
