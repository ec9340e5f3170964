"""Word boxes: stored compactly, turned with the page, matched to the stored text, and
search hits found in a page's text as search finds them."""

from __future__ import annotations

import pytest

from app.core.library import Library
from app.core.models import TextMethod
from app.core.query import parse_query
from app.core.words import (
    Token,
    WordBox,
    align_words,
    decode_words,
    encode_words,
    hit_marks,
    hit_spans,
    text_of,
    turn_box,
    unturn_box,
)
from tests.conftest import add_document


def near(a: WordBox, b: WordBox) -> bool:
    corners = (a.x0 - b.x0, a.y0 - b.y0, a.x1 - b.x1, a.y1 - b.y1)
    return all(abs(d) < 1e-9 for d in corners) and (a.start, a.end) == (b.start, b.end)


def box(x0: float, y0: float, x1: float, y1: float, start: int = 0, end: int = 1) -> WordBox:
    return WordBox(x0, y0, x1, y1, start, end)


def test_boxes_are_stored_compactly_and_read_back() -> None:
    boxes = []
    for i in range(200):
        x, y = 0.1 + 0.004 * (i % 10) * 20, 0.1 + 0.02 * (i // 10)
        boxes.append(WordBox(x, y, x + 0.06, y + 0.015, 6 * i, 6 * i + 5))
    stored = encode_words(boxes)
    assert len(stored) < 6 * len(boxes)  # bytes a word (JSON arrays took about 30)
    for got, want in zip(decode_words(stored), boxes, strict=True):
        assert (got.start, got.end) == (want.start, want.end)
        assert all(
            abs(a - b) <= 1 / 65_535
            for a, b in zip(
                (got.x0, got.y0, got.x1, got.y1), (want.x0, want.y0, want.x1, want.y1), strict=True
            )
        )
    assert decode_words(encode_words([])) == []
    assert decode_words(None) == decode_words(b"") == decode_words(b"\x78junk") == []
    assert decode_words(stored[:-3]) == []


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_box_turned_with_the_page_and_back_is_where_it_was(turn: int) -> None:
    original = box(0.1, 0.2, 0.3, 0.25)
    assert near(unturn_box(turn_box(original, turn), turn), original)


def test_a_box_turns_as_the_page_does() -> None:
    # Top-left on the page; turned a quarter clockwise, the top-left goes to the top-right.
    top_left = box(0.0, 0.0, 0.2, 0.1)
    assert turn_box(top_left, 90) == box(0.9, 0.0, 1.0, 0.2)
    assert turn_box(top_left, 180) == box(0.8, 0.9, 1.0, 1.0)
    assert near(turn_box(top_left, 270), box(0.0, 0.8, 0.1, 1.0))


def test_words_are_matched_to_the_stored_text_through_its_normalisation() -> None:
    # As read: a ligature, a hyphenation mark and a no-break space; stored: NFKC text.
    tokens = [
        Token("ﬁnd", 0.1, 0.1, 0.2, 0.2),
        Token("exam\ufffeple", 0.3, 0.1, 0.4, 0.2),
        Token("noise", 0.5, 0.1, 0.6, 0.2),
        Token("here", 0.7, 0.1, 0.8, 0.2),
    ]
    text = "find example\nhere"
    boxes = align_words(text, tokens)
    assert [(text[b.start : b.end], b.x0) for b in boxes] == [
        ("find", 0.1),
        ("example", 0.3),
        ("here", 0.7),
    ]


def test_hits_are_found_as_search_finds_them() -> None:
    text = "The lazy fox. A fox, lazy.\nRésumé of Grundstücke; e-mail MÜLLER"

    def hits(query: str) -> list[str]:
        return [text[s:e] for s, e in hit_spans(parse_query(query), text)]

    assert hits('"lazy fox"') == ["lazy fox"]
    assert hits("lazy fox") == ["lazy", "fox", "fox", "lazy"]
    assert hits("resume") == ["Résumé"]
    assert hits("grund*") == ["Grundstücke"]
    assert hits("muller OR nothing") == ["MÜLLER"]
    assert hits("e-mail") == ["e-mail"]
    assert hits("fox -lazy") == ["fox", "fox"]  # excluded words are not marked
    assert hits("-fox") == []


def test_a_hit_is_marked_on_its_characters_and_a_phrase_as_one_mark() -> None:
    text = "like “Huardest gefburn”? Kjift"
    words = [(m, text.index(m)) for m in ("like", "“Huardest", "gefburn”?", "Kjift")]
    boxes = [
        WordBox(0.1 * i, 0.5, 0.1 * i + 0.09, 0.52, start, start + len(word))
        for i, (word, start) in enumerate(words)
    ]
    start = text.index("Huardest")
    (mark,) = hit_marks(text, boxes, start, start + len("Huardest gefburn"))
    # From after the quote to before the closing quote and question mark, one line.
    assert mark.x0 == pytest.approx(0.1 + 0.09 / 9)
    assert mark.x1 == pytest.approx(0.2 + 0.09 * 7 / 9)
    assert (mark.y0, mark.y1) == (0.5, 0.52)


def test_a_mark_is_cut_along_the_lines_of_a_page_read_turned() -> None:
    # Read a quarter turn clockwise: its lines run down the unturned page.
    text = "“word”"
    read = WordBox(0.2, 0.4, 0.8, 0.45, 0, len(text))
    stored = unturn_box(read, 90)
    (mark,) = hit_marks(text, [stored], 1, 5, read_turn=90)
    assert near(turn_box(mark, 90), WordBox(0.3, 0.4, 0.7, 0.45, 0, len(text)))


def test_selected_words_copy_in_reading_order_with_the_lines_of_the_page() -> None:
    text = "one two\nthree four"
    boxes = [box(0, 0, 1, 1, s, e) for s, e in ((14, 18), (0, 3), (8, 13))]
    assert text_of(text, boxes) == "one\nthree four"


def test_a_page_keeps_its_boxes_with_its_text_and_a_new_read_replaces_them(
    library: Library,
) -> None:
    add_document(library, "a.pdf", ["hello world"], "a")
    (source,) = library.sources()
    (page,) = library.pages(source.id)
    assert library.page_words(page.id) is None  # read before boxes were kept
    with library.transaction() as db:
        library.save_page_words(db, page.id, [box(0.1, 0.1, 0.2, 0.2, 0, 5)])
    assert [(b.start, b.end, round(b.x1, 4)) for b in library.page_words(page.id) or []] == [
        (0, 5, 0.2)
    ]
    with library.transaction() as db:
        library.save_page_text(db, page.id, "hi", TextMethod.TEXT_LAYER, None)
        library.save_page_words(db, page.id, None)  # this read gave none: the old go
    assert library.page_words(page.id) is None
    library.delete_source(source.id)
    assert library._query("SELECT count(*) FROM page_words")[0][0] == 0
