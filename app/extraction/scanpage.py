"""A scanned PDF page read from its own image, at its own resolution, instead of a re-render.

A page that is one image covering the whole page (what scanners and most "image to
PDF" tools write: `q W 0 0 H 0 0 cm /Im0 Do Q`) holds the scan as a JPEG, a Flate or
a fax-coded image. Decoding that image takes a tenth of the time PDFium needs to draw
the page at 300 dpi, and Tesseract reads the same pixels. Anything else — more on the
page, a turned or partial image, a mask, an unusual colour space, a resolution below
RENDER_BELOW_DPI (drawing at 300 dpi reads those better) or above what Tesseract is
handed — is drawn as before.

Runs inside a worker process (it decodes untrusted images).
"""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING, Any

from PIL import Image

if TYPE_CHECKING:
    from app.extraction.pdfpages import OpenPdf

log = logging.getLogger(__name__)

#: Scans below this resolution are drawn at 300 dpi instead (Tesseract reads them better).
RENDER_BELOW_DPI = 240
#: Scans above this are drawn at 300 dpi instead (less for Tesseract to read).
RENDER_ABOVE_DPI = 600
#: How far the image may be from covering the page exactly (points).
SLACK = 1.5
#: Filters whose images are decoded here (one filter only).
FILTERS = {"/DCTDecode", "/FlateDecode", "/CCITTFaxDecode"}
COLOUR_SPACES = {"/DeviceGray", "/DeviceRGB", "/CalGray", "/CalRGB"}

_NUMBER = rb"(-?\d+(?:\.\d*)?|-?\.\d+)"
_ONE_IMAGE = re.compile(
    rb"\s*(?:q\s+)?"
    + rb"\s+".join([_NUMBER] * 6)
    + rb"\s+cm\s+/([^\s/\[\]()<>{}%]+)\s+Do\s*(?:Q\s*)?",
    re.DOTALL,
)


def embedded_scan(pdf: OpenPdf, index: int, max_pixels: int) -> tuple[Image.Image, int] | None:
    """The page's own scan in grey and its dpi, or None when the page must be drawn."""
    content = pdf.page_content(index)
    if content is None or len(content) > 512:
        return None
    drawn = _ONE_IMAGE.fullmatch(content)
    if drawn is None:
        return None
    a, b, c, d, e, f = (float(x) for x in drawn.groups()[:6])
    try:
        name = drawn.group(7).decode("latin-1")
        return _decode(pdf, index, name, (a, b, c, d, e, f), max_pixels)
    except Exception as exc:  # noqa: BLE001 - an image it cannot take is drawn instead
        log.debug("scan image of %s page %d not used: %s", pdf.path, index + 1, exc)
        return None


def _decode(
    pdf: OpenPdf,
    index: int,
    name: str,
    matrix: tuple[float, float, float, float, float, float],
    max_pixels: int,
) -> tuple[Image.Image, int] | None:
    a, b, c, d, e, f = matrix
    page: Any = pdf.pypdf_reader().pages[index]
    if int(page.get("/Rotate", 0) or 0) % 360:
        return None
    left, bottom, right, top = (float(v) for v in page.mediabox)
    box = page.cropbox
    if [float(v) for v in box] != [left, bottom, right, top]:
        return None
    covers = (
        b == 0
        and c == 0
        and abs(a - (right - left)) <= SLACK
        and abs(d - (top - bottom)) <= SLACK
        and abs(e - left) <= SLACK
        and abs(f - bottom) <= SLACK
    )
    if not covers:
        return None
    xobject = page["/Resources"]["/XObject"][f"/{name}"].get_object()
    filters = xobject.get("/Filter")
    if isinstance(filters, list):
        filters = filters[0] if len(filters) == 1 else None
    if (
        xobject.get("/Subtype") != "/Image"
        or filters not in FILTERS
        or any(key in xobject for key in ("/SMask", "/Mask", "/Decode", "/ImageMask"))
    ):
        return None
    colour = xobject.get("/ColorSpace")
    colour = colour.get_object() if colour is not None else None
    if isinstance(colour, list) and colour and colour[0] == "/ICCBased":
        colour = "/DeviceGray" if int(colour[1].get_object().get("/N", 0)) == 1 else "/DeviceRGB"
    if colour is not None and colour not in COLOUR_SPACES:
        return None
    width, height = int(xobject["/Width"]), int(xobject["/Height"])
    dpi_x, dpi_y = width / (a / 72), height / (d / 72)
    if abs(dpi_x - dpi_y) > 0.02 * dpi_x or width * height > max_pixels:
        return None
    if not RENDER_BELOW_DPI - 1 < dpi_x < RENDER_ABOVE_DPI + 1:
        return None
    image: Image.Image | None
    if filters == "/DCTDecode":
        # A JPEG: decoded straight to grey, which skips the colour conversion.
        jpeg = Image.open(io.BytesIO(xobject.get_data()))
        jpeg.draft("L", jpeg.size)
        jpeg.load()
        image = jpeg
    else:
        image = xobject.decode_as_image()
    if image is None or image.size != (width, height):
        return None
    if image.mode != "L":
        image = image.convert("L")
    return image, max(1, round(dpi_x))
