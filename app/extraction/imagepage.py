"""An image file's page as a one-page PDF, its pixels kept: JPEG as it is, the rest lossless.

Runs inside a worker process (it decodes untrusted images). A JPEG's bytes become the
page's image unchanged (PDF's DCTDecode is JPEG); a plain PNG's compressed data is
taken as it is (PDF's FlateDecode with PNG predictors is PNG's own coding); anything
else (TIFF frames, PNGs with transparency or interlacing, GIF, BMP, WebP) is decoded
and stored losslessly with Flate, its transparency as a soft mask.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from PIL import Image, ImageSequence
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from app.core.errors import FolioError
from app.extraction.filetype import FileKind

#: The resolution assumed when an image does not say its own (a scan's usual one).
DEFAULT_DPI = 300
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def write_image_page(path: Path, name: str, kind: FileKind, index: int, out: Path) -> None:
    """Write page `index` of the image file at `path` as a one-page PDF at `out`."""
    from app.extraction.engine import MAX_IMAGE_PIXELS

    try:
        with Image.open(path) as img:
            count = int(getattr(img, "n_frames", 1)) if kind is FileKind.TIFF else 1
            if not 0 <= index < count:
                raise FolioError(f"{name} has no page {index + 1} (it has {count}).")
            frame = ImageSequence.Iterator(img)[index] if index else img
            if frame.width * frame.height > MAX_IMAGE_PIXELS:
                raise FolioError(f"Page {index + 1} of {name} is too large to read.")
            dpi = _dpi(frame.info.get("dpi"))
            raw = path.read_bytes() if kind in (FileKind.JPEG, FileKind.PNG) else b""
            image = None
            if kind is FileKind.JPEG and frame.mode in ("L", "RGB", "CMYK"):
                image = _jpeg(raw, frame)
            elif kind is FileKind.PNG:
                image = _png(raw)
            writer = PdfWriter()
            if image is None:
                frame.load()
                image = _lossless(frame, writer)
            size = frame.size
    except FolioError:
        raise
    except (OSError, ValueError, SyntaxError, IndexError, EOFError, struct.error) as exc:
        raise FolioError(
            f"{name} is damaged (its image data is truncated or corrupt); "
            "open and re-save it, then try again."
        ) from exc
    width, height = size[0] * 72 / dpi, size[1] * 72 / dpi
    page = writer.add_blank_page(width, height)
    ref = writer._add_object(image)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): ref})}
    )
    content = DecodedStreamObject()
    content.set_data(f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Im0 Do Q\n".encode())
    page[NameObject("/Contents")] = writer._add_object(content)
    with out.open("wb") as stream:
        writer.write(stream)


def _dpi(value: Any) -> float:
    try:
        dpi = float(value[0])
    except (TypeError, ValueError, IndexError):
        return DEFAULT_DPI
    return dpi if 50 <= dpi <= 5000 else DEFAULT_DPI


def _image_dict(width: int, height: int, space: Any, bits: int) -> dict[NameObject, Any]:
    return {
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(width),
        NameObject("/Height"): NumberObject(height),
        NameObject("/ColorSpace"): space,
        NameObject("/BitsPerComponent"): NumberObject(bits),
    }


def _stream(fields: dict[NameObject, Any], data: bytes, filter_: str) -> StreamObject:
    stream = StreamObject()
    stream.update(fields)
    stream[NameObject("/Filter")] = NameObject(filter_)
    stream._data = data  # already coded: written as it is
    return stream


def _jpeg(raw: bytes, frame: Image.Image) -> StreamObject:
    spaces = {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}
    fields = _image_dict(frame.width, frame.height, NameObject(spaces[frame.mode]), 8)
    if frame.mode == "CMYK" and "adobe" in frame.info:
        # Adobe's CMYK JPEGs are stored inverted.
        fields[NameObject("/Decode")] = ArrayObject([NumberObject(v) for v in (1, 0) * 4])
    return _stream(fields, raw, "/DCTDecode")


def _png(raw: bytes) -> StreamObject | None:
    """A PNG's own compressed data as the image, when PDF can take it as it is."""
    if not raw.startswith(_PNG_SIGNATURE):
        return None
    pos, idat, palette = 8, bytearray(), b""
    header: tuple[int, ...] | None = None
    while pos + 8 <= len(raw):
        length, tag = struct.unpack(">I4s", raw[pos : pos + 8])
        body = raw[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", body[:13])
        elif tag == b"PLTE":
            palette = body
        elif tag == b"tRNS":
            return None  # transparency: a soft mask is needed, so it is decoded
        elif tag == b"IDAT":
            idat += body
        elif tag == b"IEND":
            break
    if header is None or not idat:
        return None
    width, height, bits, colour, _compression, _filter, interlace = header
    colours = {0: 1, 2: 3, 3: 1}.get(colour)
    if interlace or colours is None:
        return None
    if colour == 3:
        if not palette:
            return None
        space: Any = ArrayObject(
            [
                NameObject("/Indexed"),
                NameObject("/DeviceRGB"),
                NumberObject(len(palette) // 3 - 1),
                ByteStringObject(palette),
            ]
        )
    else:
        space = NameObject("/DeviceGray" if colour == 0 else "/DeviceRGB")
    fields = _image_dict(width, height, space, bits)
    fields[NameObject("/DecodeParms")] = DictionaryObject(
        {
            NameObject("/Predictor"): NumberObject(15),
            NameObject("/Colors"): NumberObject(colours),
            NameObject("/BitsPerComponent"): NumberObject(bits),
            NameObject("/Columns"): NumberObject(width),
        }
    )
    return _stream(fields, bytes(idat), "/FlateDecode")


def _lossless(frame: Image.Image, writer: PdfWriter) -> StreamObject:
    """The decoded pixels, Flate-coded (no loss), transparency as a soft mask."""
    alpha: Image.Image | None = None
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA" if frame.mode != "LA" else "LA")
        alpha = rgba.getchannel("A")
        frame = rgba.convert("L" if rgba.mode == "LA" else "RGB")
    if frame.mode == "1":
        space, bits, data = "/DeviceGray", 1, frame.tobytes()
    elif frame.mode == "L":
        space, bits, data = "/DeviceGray", 8, frame.tobytes()
    elif frame.mode in ("I;16", "I;16B"):
        space, bits, data = "/DeviceGray", 16, frame.tobytes("raw", "I;16B")
    elif frame.mode == "CMYK":
        space, bits, data = "/DeviceCMYK", 8, frame.tobytes()
    else:
        rgb = frame if frame.mode == "RGB" else frame.convert("RGB")
        space, bits, data = "/DeviceRGB", 8, rgb.tobytes()
    fields = _image_dict(frame.width, frame.height, NameObject(space), bits)
    if alpha is not None:
        mask = _stream(
            _image_dict(alpha.width, alpha.height, NameObject("/DeviceGray"), 8),
            zlib.compress(alpha.tobytes(), 6),
            "/FlateDecode",
        )
        fields[NameObject("/SMask")] = writer._add_object(mask)
    return _stream(fields, zlib.compress(data, 6), "/FlateDecode")
