"""PDFs protected by a password, made in the test from a real sample whose text is known."""

from __future__ import annotations

from pathlib import Path

from tests.corpus import SAMPLES

#: Four pages of pdfTeX text; each page begins with its phrase below.
FOUR_PAGES = SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
PAGE_STARTS = (
    "Hello, here is some text without a meaning",
    "information. Really? Is there no information?",
    "you information about the selected font",
    "in of the original language",
)
#: A real password-protected file from the corpus (LibreOffice Writer, RC4 128-bit):
#: its password to open (user) and its password to change permissions (owner).
LIBREOFFICE = SAMPLES / "005-libreoffice-writer-password" / "libreoffice-writer-password.pdf"
LIBREOFFICE_PASSWORD = "openpassword"
LIBREOFFICE_OWNER = "permissionpassword"
LIBREOFFICE_START = "Lorem ipsum dolor sit amet"

PASSWORD = "s3cret-Pa55"
OWNER = "owner-only-Pa55"


def make_locked(
    out: Path,
    *,
    user: str = PASSWORD,
    owner: str | None = OWNER,
    algorithm: str = "AES-256",
    source: Path = FOUR_PAGES,
) -> Path:
    """`source` encrypted with pypdf: `user` opens it ("" opens it without a password,
    with only the owner's restrictions); `algorithm` e.g. "AES-256" or "RC4-128"."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as stream:
        writer.write(stream)
    return out


def starts_right(texts: list[str | None]) -> bool:
    """Whether `texts` are the four pages of FOUR_PAGES, in order."""
    return len(texts) == len(PAGE_STARTS) and all(
        (text or "").startswith(start) for text, start in zip(texts, PAGE_STARTS, strict=True)
    )
