"""Documents made in a test, with metadata the test knows (pypdf)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject


def pdf_with_metadata(
    path: Path,
    *,
    title: str | None = "Annual report 2024",
    author: str | None = "Jane Müller",
    size: tuple[float, float] = (612, 792),
    text: str = "quarterly figures",
    pages: int = 1,
) -> Path:
    """A real PDF of `pages` pages of `size` points (width, height), a line of `text` on
    each, with the given title and author in its document information."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for _ in range(pages):
        page = writer.add_blank_page(*size)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 18 Tf 72 {size[1] - 100:.0f} Td ({text}) Tj ET".encode())
        page.replace_contents(content)
    meta = {"/Title": title, "/Author": author}
    writer.add_metadata({k: TextStringObject(v) for k, v in meta.items() if v is not None})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        writer.write(out)
    return path
