"""Which way up a page is: Tesseract's orientation detection, and the turn Folio reads it at.

A page scanned upside down or sideways reads as gibberish (3 % of its words right on a
300-dpi page turned 180°), so before OCR each page is shown to Tesseract's orientation
and script detection (`osd.traineddata`), then turned upright. Its answer is trusted
only above `TRUST_ABOVE`; when the read it led to is still poor, the other way is read
too and the better read (higher mean confidence) kept.

Small skews are straightened too. Measured on a real page at 300 dpi, Tesseract alone
read every word within ±1°, but lost whole paragraphs turned clockwise by more (word
recall 0.92 at 2°, 0.46 at 4°, nothing at 5°; the program 0.54 at 2°, 0.59 at 3°) while
its mean confidence stayed at 94 %. `skew_angle` finds the angle from the rows of ink of
a small copy (about 0.1 s a page) and pages skewed by more than `STRAIGHTEN_ABOVE` are
turned straight before reading.

Turns are in degrees clockwise, as the library records them (`page_text.rotation`).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.extraction import tesseract

if TYPE_CHECKING:
    from PIL import Image

#: Tesseract's orientation confidence above which Folio turns a page before reading it.
#: Upright and turned 300-dpi pages of text scored 16-26 for the right answer; a wrong
#: answer (a page drawn too small to tell) scored under 9. OCRmyPDF's default is 14.
TRUST_ABOVE = 10.0
#: A read under this mean confidence is doubted (the tasks' DOUBT_BELOW): the other way
#: up is read too, and the better of the two kept.
RETRY_BELOW = 60.0
#: The language data orientation detection needs (Debian's tesseract-ocr ships it).
OSD_MODEL = "osd"

#: Degrees of skew under which a page is read as it is (Tesseract copes within ±1°).
STRAIGHTEN_ABOVE = 1.25
#: The largest skew looked for, either way, in degrees.
MAX_SKEW = 8.0
#: The width the page is shrunk to for finding its skew (about 100 dpi for A4).
SKEW_WIDTH = 800

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Orientation:
    """Tesseract's answer: the clockwise turn that puts the page upright, and its confidence."""

    turn: int
    confidence: float


def from_detected(found: Any) -> Orientation | None:
    """tesserocr's DetectOrientationScript answer (`orient_deg`: how far the text is turned)."""
    if not isinstance(found, dict) or "orient_deg" not in found:
        return None
    turned = int(found["orient_deg"]) % 360
    return Orientation((360 - turned) % 360, float(found.get("orient_conf") or 0.0))


def from_program(output: str) -> Orientation | None:
    """The program's `--psm 0` report ("Rotate: 90", "Orientation confidence: 26.14")."""
    turn = re.search(r"^Rotate:\s*(\d+)", output, re.MULTILINE)
    conf = re.search(r"^Orientation confidence:\s*([\d.]+)", output, re.MULTILINE)
    if turn is None or conf is None:
        return None
    return Orientation(int(turn[1]) % 360, float(conf[1]))


class InProcessOsd:
    """Orientation detection in this (worker) process, its small model loaded once."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._missing = False

    def detect(self, image: Image.Image, dpi: int | None) -> Orientation | None:
        """The page's orientation, or None when Tesseract cannot tell (too few letters)."""
        engine = self._load()
        if engine is None:
            return None
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB" if image.mode not in ("1", "I", "I;16", "F") else "L")
        depth = len(image.getbands())
        try:
            engine.SetImageBytes(
                image.tobytes(), image.width, image.height, depth, image.width * depth
            )
            if dpi:
                engine.SetSourceResolution(dpi)
            return from_detected(engine.DetectOrientationScript())
        except RuntimeError:
            return None
        finally:
            engine.Clear()

    def _load(self) -> Any:
        if self._engine is not None or self._missing:
            return self._engine
        lib = tesseract.tesserocr_module()
        info = tesseract.tesseract_info()
        try:
            if lib is None or not info.tessdata:
                raise RuntimeError("no language data")
            self._engine = lib.PyTessBaseAPI(
                path=info.tessdata, lang=OSD_MODEL, psm=lib.PSM.OSD_ONLY
            )
        except RuntimeError:
            # Without osd.traineddata pages are read as they come (as before).
            self._missing = True
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.End()
            self._engine = None


def program_detect(png: Path, dpi: int | None) -> Orientation | None:
    """The Tesseract program's orientation detection (`--psm 0`) of a page image."""
    from app.extraction.lifetime import child_dies_with_me

    info = tesseract.tesseract_info()
    if not info.path:
        return None
    args = [info.path, str(png), "stdout", "--psm", "0", *(["--dpi", str(dpi)] if dpi else [])]
    try:
        done = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            cwd=png.parent,
            env=tesseract.tesseract_env(None if info.in_process else info.tessdata),
            preexec_fn=child_dies_with_me(),
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:  # too few characters, or no osd.traineddata
        return None
    return from_program(done.stdout.decode("utf-8", "replace"))


def turn_image(image: Image.Image, turn: int) -> Image.Image:
    """The image turned `turn` degrees clockwise (a multiple of 90; pixels moved, not resampled)."""
    from PIL import Image as PilImage

    steps = {
        90: PilImage.Transpose.ROTATE_270,
        180: PilImage.Transpose.ROTATE_180,
        270: PilImage.Transpose.ROTATE_90,
    }
    step = steps.get(turn % 360)
    return image if step is None else image.transpose(step)


def read_upright(
    read: Callable[[int], R],
    confidence: Callable[[R], float | None],
    detect: Callable[[], Orientation | None],
    chosen: int = 0,
) -> R:
    """The page read the right way up: `read(turn)` gives a result, `confidence` rates it.

    `chosen`: the user's turn (non-zero: read at it, no detection; 360 means upright).
    Otherwise Tesseract's detection decides when it is confident; a poor read is tried
    the other way too (the detected turn, or upright after a turn), the better kept.
    """
    if chosen:
        return read(chosen % 360)
    found = detect()
    first = found.turn if found is not None and found.confidence > TRUST_ABOVE else 0
    result = read(first)
    score = confidence(result)
    other = 0 if first else (found.turn if found is not None else 0)
    if other == first or (score is not None and score >= RETRY_BELOW):
        return result
    second = read(other)
    better = confidence(second)
    if better is not None and (score is None or better > score):
        return second
    return result


def _row_contrast(ink: Image.Image, angle: float) -> float:
    """How sharply the ink falls into rows once turned by `angle` (variance of row means)."""
    from PIL import Image as PilImage
    from PIL import ImageStat

    turned = ink.rotate(angle, resample=PilImage.Resampling.NEAREST)
    rows = turned.resize((1, turned.height), PilImage.Resampling.BOX)
    return float(ImageStat.Stat(rows).var[0])


def skew_angle(image: Image.Image) -> float:
    """The angle (degrees counter-clockwise) that sets the page's lines level; 0 if unsure."""
    from PIL import ImageOps

    grey = image.convert("L")
    factor = max(1, grey.width // SKEW_WIDTH)
    ink = ImageOps.invert(grey.reduce(factor) if factor > 1 else grey)
    level = _row_contrast(ink, 0.0)
    if level <= 0:
        return 0.0
    steps = int(MAX_SKEW * 2)
    coarse = max((_row_contrast(ink, a / 2), a / 2) for a in range(-steps, steps + 1))
    best = max((_row_contrast(ink, coarse[1] + d / 10), coarse[1] + d / 10) for d in range(-5, 6))
    # Lines clearly sharper than as scanned; else (a photo, an empty page) leave it be.
    return round(best[1], 1) if best[0] > 1.2 * level else 0.0


def straighten(image: Image.Image) -> Image.Image:
    """The page with its skew taken out, when it is skewed more than Tesseract copes with."""
    return straightened(image)[0]


def straightened(image: Image.Image) -> tuple[Image.Image, float]:
    """`straighten`, and the angle it turned the page by (counter-clockwise; 0: as it was),
    so what is found on the straight page can be put back where it is on the page."""
    from PIL import Image as PilImage

    angle = skew_angle(image)
    if abs(angle) <= STRAIGHTEN_ABOVE:
        return image, 0.0
    page = image.convert("L") if image.mode == "1" else image
    white = 255 if page.mode == "L" else (255, 255, 255)
    straight = page.rotate(
        angle, resample=PilImage.Resampling.BICUBIC, expand=True, fillcolor=white
    )
    return straight, angle
