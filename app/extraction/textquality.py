"""Decide whether extracted text is real words, and normalise it for search."""

from __future__ import annotations

import re
import unicodedata

# Tokens that fonts without a Unicode map produce instead of letters.
_GLYPH_TOKEN = re.compile(r"^(/[A-Za-z]{1,4}\d+|/uni[0-9A-Fa-f]{4,}|\(cid:\d+\)|/[A-Za-z]+\d+\S*)$")
_GLYPH_ANYWHERE = re.compile(r"(/g\d+|/G\d+|\(cid:\d+\)|/uni[0-9A-Fa-f]{4})")
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_MANY_BLANKS = re.compile(r"\n{3,}")
_DROP = {0xFFFE: None, 0xFEFF: None, 0x00AD: None, 0x0000: None}

#: Characters of text Folio keeps for one page (about 300 dense printed pages).
MAX_PAGE_CHARS = 1_000_000


def normalise(text: str) -> str:
    """NFKC (so "ﬁnd" is "find"), Unix newlines, no NULs or trailing spaces."""
    # PDFium marks a hyphenation point inside a word with U+FFFE; drop it and soft hyphens.
    text = text.translate(_DROP)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip()


def bounded_normalise(text: str) -> tuple[str, bool]:
    """`normalise` of at most MAX_PAGE_CHARS characters; True when the text was cut."""
    cut = len(text) > MAX_PAGE_CHARS
    # Cut before normalising too, so the work is bounded whatever the page holds.
    text = normalise(text[:MAX_PAGE_CHARS])
    if len(text) > MAX_PAGE_CHARS:  # NFKC can lengthen text ("ﬃ" is "ffi")
        text, cut = text[:MAX_PAGE_CHARS], True
    return text, cut


def cut_note(text: str) -> str:
    """The sentence a page's result carries when its text was cut."""
    return f"The page's text was cut at {len(text):,} characters."


def has_real_words(text: str) -> bool:
    """True when the text contains words, not only glyph names, digits or symbols."""
    tokens = text.split()
    if not tokens:
        return False
    glyphish = sum(1 for t in tokens if _GLYPH_TOKEN.match(t) or _GLYPH_ANYWHERE.search(t))
    words = [t for t in tokens if _WORD.search(_GLYPH_ANYWHERE.sub(" ", t))]
    if not words:
        return False
    # Mostly glyph names with a stray word among them is still unreadable.
    return glyphish / len(tokens) < 0.3
