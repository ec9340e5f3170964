"""Only real words count as a text layer; ligatures are normalised for search."""

from app.extraction.textquality import has_real_words, normalise


def test_glyph_names_are_not_text() -> None:
    assert not has_real_words("/g18/g152/g3 /g100/g22 /g7")
    assert not has_real_words("(cid:12)(cid:45) (cid:3)(cid:99) (cid:7)")


def test_digits_and_symbols_are_not_text() -> None:
    assert not has_real_words("1  2 3 — • ·")
    assert not has_real_words("")
    assert not has_real_words("   \n\t ")


def test_words_are_text() -> None:
    assert has_real_words("Lorem ipsum dolor sit amet")
    assert has_real_words("حبيبي habibi")


def test_ligatures_are_normalised() -> None:
    assert normalise("ﬁnd the ﬂow") == "find the flow"


def test_pdfium_hyphenation_marks_are_dropped() -> None:
    assert normalise("taki\ufffemata\r\nnext") == "takimata\nnext"
