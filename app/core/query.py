"""What a person types into a search box, as a full-text query: one parser for every front-end.

The syntax people know from web search:

- ``lazy fox``: every word must occur (anywhere on the page);
- ``"lazy fox"``: the exact phrase, words in that order and next to each other;
- ``Miete OR résumé``: either (``OR`` in capitals, between two terms);
- ``-dog`` or ``NOT dog``: pages without that word;
- ``grund*``: words starting so;
- case, accents and ligatures never matter (``resume`` finds "résumé", ``Muller``
  finds "Müller", ``find`` finds "ﬁnd"), as the index folds them the same way.

Anything else is read as words: stray quotes, brackets or operators are never an
error. A query that cannot find anything on its own (only excluded words) gets a
sentence instead of a result.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: A quoted phrase (an unclosed quote runs to the end), or a run of other characters.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
#: The letters and digits of a word (what the index keeps of it), with a trailing `*`.
_WORD = re.compile(r"[\w]+\*?", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Term:
    """A word, a prefix or a phrase, as the user meant it."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1

    def fts(self) -> str:
        # Quoted, so nothing a user types is ever FTS5 syntax; a phrase keeps its order.
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    def __str__(self) -> str:
        text = " ".join(self.words)
        return (f'"{text}"' if self.phrase else text) + ("*" if self.prefix else "")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: clauses that must all match (each: any of its terms), and exclusions."""

    text: str
    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    #: A sentence when the query cannot find anything by itself (shown instead of results).
    problem: str | None = None
    _match: str = field(default="", repr=False)

    @property
    def empty(self) -> bool:
        return not self.clauses

    @property
    def match(self) -> str:
        """The FTS5 MATCH expression ("" when there is nothing to look for)."""
        return self._match

    def words(self) -> list[str]:
        """The words to mark in a page's text (prefixes without their star)."""
        out: list[str] = []
        for clause in self.clauses:
            for term in clause:
                out.extend(term.words)
        return out

    def terms(self) -> list[Term]:
        """The terms a page is found by, for marking hits."""
        return [term for clause in self.clauses for term in clause]


def _term(text: str) -> Term | None:
    """The term a piece of input stands for; None when it holds no letters or digits."""
    text = unicodedata.normalize("NFKC", text)
    pieces = _WORD.findall(text)
    if not pieces:
        return None
    prefix = pieces[-1].endswith("*")
    words = tuple(p.rstrip("*") for p in pieces)
    words = tuple(w for w in words if w)
    # A bare "e-mail" or "o'clock" is one token typed and several words indexed: like a
    # phrase, they must stand next to each other.
    return Term(words, prefix) if words else None


def parse_query(text: str) -> SearchQuery:
    """Read what was typed (never an error; see the module's documentation)."""
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    pending_not = False
    for match in _TOKEN.finditer(text):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        negate = pending_not
        if quoted is not None:
            term = _term(quoted)
            negate = negate or bool(minus)
        else:
            if bare == "OR":
                pending_or = bool(clauses)
                continue
            if bare == "NOT":
                pending_not = True
                continue
            if bare.startswith("-") and len(bare) > 1:
                negate, bare = True, bare[1:]
            term = _term(bare)
        pending_not = False
        if term is None:
            continue
        if negate:
            excluded.append(term)
            pending_or = False
        elif pending_or and clauses:
            clauses[-1].append(term)
            pending_or = False
        else:
            clauses.append([term])
    frozen = tuple(tuple(c) for c in clauses)
    problem = None
    if not frozen and excluded:
        names = ", ".join(str(t) for t in excluded)
        problem = (
            f"A search needs at least one word to look for, not only words to leave out "
            f"({names}); add a word."
        )
    return SearchQuery(
        text=text,
        clauses=frozen,
        excluded=tuple(excluded),
        problem=problem,
        _match=_fts(frozen, tuple(excluded)),
    )


def _fts(clauses: tuple[tuple[Term, ...], ...], excluded: tuple[Term, ...]) -> str:
    if not clauses:
        return ""
    parts = []
    for clause in clauses:
        inner = " OR ".join(term.fts() for term in clause)
        parts.append(f"({inner})" if len(clause) > 1 else inner)
    expression = " AND ".join(parts)
    if excluded:
        expression = f"({expression})" + "".join(f" NOT {term.fts()}" for term in excluded)
    return expression


def fold(text: str) -> str:
    """Text as search compares it: NFKC, no accents, no case ("Résumé" → "resume")."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _name_text(name: str) -> str:
    """A name as names are compared: folded, any run of non-letters-or-digits one space."""
    return " " + " ".join(re.findall(r"[^\W_]+", fold(name))) + " "


def _name_has(text: str, term: Term) -> bool:
    # Each word may start a word of the name: "invoice" names "Invoices 2023.pdf".
    return " " + " ".join(fold(w) for w in term.words) in text


def name_matches(query: SearchQuery, name: str) -> bool:
    """Whether a document's name answers the query as its text would.

    Names are compared folded (``resume`` names "Résumé 2024.pdf") and by the start of
    their words, punctuation and underscores counting as spaces ("lazy_fox.pdf" holds
    "lazy fox", "Invoices.pdf" holds "invoice"); every clause must name one of its
    terms, and no excluded term may occur.
    """
    if not query.clauses:
        return False
    text = _name_text(name)
    if any(_name_has(text, term) for term in query.excluded):
        return False
    return all(any(_name_has(text, term) for term in clause) for clause in query.clauses)
