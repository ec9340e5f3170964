"""Put Tesseract's invisible text onto the pages of a PDF, touching nothing else.

The original file's bytes are kept whole: the result is the input with an incremental
update appended (PDF's own way to amend a file), which holds only each OCR'd page's new
dictionary, a few small content streams, and its text as a form. The page's own content
streams and images are referred to, never rewritten, so every image stays byte-for-byte
(and keeps its object number). A file that cannot take an update (it is damaged) is
written out whole instead, still copying every stream's coded bytes as they are.

This runs in the app (a job's thread or the command line), on files a worker produced
and on the user's PDF, through pypdf.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
    RectangleObject,
)

_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def _inherited(page: DictionaryObject, key: str) -> Any:
    node: Any = page
    for _ in range(64):  # a page tree deeper than this is a loop
        if node is None:
            return None
        value = node.get(key)
        if value is not None:
            return value.get_object()
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def placement(text_box: RectangleObject, crop: RectangleObject, rotate: int) -> list[float]:
    """The matrix that lays a text page (as the page is shown) onto the page's own space.

    Tesseract read the page as a viewer shows it: its crop box, turned by /Rotate. The
    text page is scaled to that shown size, then turned back into the unrotated space.
    """
    tw, th = float(text_box.width), float(text_box.height)
    x0, y0 = float(crop.left), float(crop.bottom)
    cw, ch = float(crop.width), float(crop.height)
    turn = rotate % 360
    shown_w, shown_h = (cw, ch) if turn in (0, 180) else (ch, cw)
    sx, sy = shown_w / tw, shown_h / th
    if turn == 90:
        return [0, sx, -sy, 0, x0 + cw, y0]
    if turn == 180:
        return [-sx, 0, 0, -sy, x0 + cw, y0 + ch]
    if turn == 270:
        return [0, -sx, sy, 0, x0, y0 + ch]
    return [sx, 0, 0, sy, x0, y0]


def add_text_layer(writer: PdfWriter, page: DictionaryObject, text_pdf: Path) -> None:
    """Draw the text-only page at `text_pdf` over `page`, as a form, after its content."""
    text_page = PdfReader(text_pdf).pages[0]
    text_box = RectangleObject(text_page.mediabox)
    form: Any = text_page["/Contents"].get_object()
    if form is None:
        raise ValueError(f"{text_pdf.name} has no content")
    form = form.clone(writer, force_duplicate=True)
    if isinstance(form, IndirectObject):
        form = form.get_object()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = text_box
    resources = text_page.get("/Resources")
    if resources is not None:
        form[NameObject("/Resources")] = resources.get_object().clone(writer)
    form_ref = form.indirect_reference or writer._add_object(form)

    crop = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
    if crop is None:
        crop = [0, 0, 612, 792]
    rotate = int(_inherited(page, "/Rotate") or 0)
    matrix = placement(text_box, RectangleObject(crop), rotate)

    # The page's own resources are copied (they may be shared with other pages or
    # inherited), and the form added under a name they do not use.
    own = _inherited(page, "/Resources")
    new_resources = DictionaryObject(own.items() if own is not None else {})
    xobjects_old = new_resources.get("/XObject")
    xobjects = DictionaryObject(xobjects_old.get_object().items() if xobjects_old else {})
    name, n = "/FolioText", 1
    while name in xobjects:
        n += 1
        name = f"/FolioText{n}"
    xobjects[NameObject(name)] = form_ref
    new_resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = new_resources
    for key in ("/MediaBox", "/Rotate"):  # kept on the page itself, as they were inherited
        if key not in page and (value := _inherited(page, key)) is not None:
            page[NameObject(key)] = value

    # The original content, untouched, between q and Q, so whatever state it leaves
    # does not move the text; then the text.
    before = _stream(writer, b"q\n")
    numbers = " ".join(f"{FloatObject(v)}" for v in matrix)
    after = _stream(writer, f"Q\nq {numbers} cm {name} Do Q\n".encode())
    contents: list[PdfObject] = [before]
    old = page.get("/Contents")
    if old is not None:
        resolved = old.get_object()
        if isinstance(resolved, ArrayObject):
            contents += list(resolved)
        else:
            contents.append(old)
    contents.append(after)
    page[NameObject("/Contents")] = ArrayObject(contents)


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def open_for_update(source: Path, password: str | None = None) -> PdfWriter:
    """A writer over `source` that appends an update; a whole copy when it cannot.

    An encrypted PDF takes no update (pypdf cannot write one encrypted): it is copied
    whole, decrypted here with `password` (or none, for one that restricts only printing
    or copying), and `write_searchable` encrypts the copy again.
    """
    reader = PdfReader(source, strict=False)
    if reader.is_encrypted:
        if not (password and reader.decrypt(password)):
            reader.decrypt("")
        return PdfWriter(clone_from=reader)
    try:
        writer = PdfWriter(source, incremental=True)
        _ = len(writer.pages)
        return writer
    except Exception:  # noqa: BLE001 - a damaged file is written out whole instead
        return PdfWriter(clone_from=reader)


def _encryption(source: Path) -> tuple[bool, int | None]:
    """Whether `source` is encrypted, and the permissions its owner gave (None: unknown)."""
    try:
        reader = PdfReader(source, strict=False)
        if not reader.is_encrypted:
            return False, None
        encrypt: Any = reader.trailer["/Encrypt"].get_object()
        flags = encrypt.get("/P")
        return True, int(flags) if flags is not None else None
    except Exception:  # noqa: BLE001 - an unreadable dictionary: no permissions kept
        return False, None


def write_searchable(
    source: Path, layers: Mapping[int, Path], out: Path, password: str | None = None
) -> None:
    """`source` with the text PDFs `layers` ({0-based page index: text PDF}) laid on.

    An encrypted source gives an encrypted copy (AES-256): one protected by `password`
    opens with the same password (and whoever opens it may print and copy); one that
    only restricts printing or copying keeps its restrictions (under an owner password
    nobody knows, as nobody gave Folio the original's).
    """
    writer = open_for_update(source, password)
    pages = writer.pages
    for index, text_pdf in sorted(layers.items()):
        page = pages[index]
        add_text_layer(writer, page, text_pdf)
    encrypted, permissions = _encryption(source)
    if encrypted and not writer.incremental:
        import secrets

        if password is None or not _needs_password(source):
            kwargs: dict[str, Any] = {}
            if permissions is not None:
                kwargs["permissions_flag"] = permissions & 0xFFFFFFFF
            writer.encrypt(
                user_password="",
                owner_password=secrets.token_urlsafe(24),
                algorithm="AES-256",
                **kwargs,
            )
        else:
            writer.encrypt(user_password=password or "", algorithm="AES-256")
    with out.open("wb") as stream:
        writer.write(stream)


def _needs_password(source: Path) -> bool:
    """Whether the encrypted `source` needs a password to open."""
    return not PdfReader(source, strict=False).decrypt("")


def write_image_document(pages: Iterable[tuple[Path, Path | None]], out: Path) -> None:
    """One PDF of image pages (one-page PDFs a worker wrote), each with its text laid on."""
    writer = PdfWriter()
    for page_pdf, text_pdf in pages:
        writer.append(PdfReader(page_pdf))
        if text_pdf is not None:
            add_text_layer(writer, writer.pages[-1], text_pdf)
    with out.open("wb") as stream:
        writer.write(stream)
