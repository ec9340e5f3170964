"""Which OCR languages to read in when nobody chose: the system's language, then English."""

from __future__ import annotations

import functools
import locale
import os
from collections.abc import Iterable

#: ISO 639-1 language codes (as in locale names, "de_DE") → Tesseract's language models.
TESSERACT_CODES = {
    "ar": "ara",
    "bg": "bul",
    "ca": "cat",
    "cs": "ces",
    "da": "dan",
    "de": "deu",
    "el": "ell",
    "en": "eng",
    "es": "spa",
    "et": "est",
    "eu": "eus",
    "fa": "fas",
    "fi": "fin",
    "fr": "fra",
    "ga": "gle",
    "gl": "glg",
    "he": "heb",
    "hi": "hin",
    "hr": "hrv",
    "hu": "hun",
    "id": "ind",
    "is": "isl",
    "it": "ita",
    "ja": "jpn",
    "ko": "kor",
    "lt": "lit",
    "lv": "lav",
    "nb": "nor",
    "nl": "nld",
    "nn": "nor",
    "no": "nor",
    "pl": "pol",
    "pt": "por",
    "ro": "ron",
    "ru": "rus",
    "sk": "slk",
    "sl": "slv",
    "sr": "srp",
    "sv": "swe",
    "th": "tha",
    "tr": "tur",
    "uk": "ukr",
    "vi": "vie",
    "zh": "chi_sim",
}


def system_locale() -> str:
    """The user's locale name, e.g. "de_DE.UTF-8" ("" when none is set)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return value
    try:
        return locale.getlocale()[0] or ""
    except ValueError:
        return ""


def default_ocr_languages(installed: Iterable[str], locale_name: str | None = None) -> str:
    """`deu+eng` for a German system with both installed; English alone otherwise.

    Only installed languages are named; with none of them installed, the first one that is.
    """
    have = list(installed)
    name = system_locale() if locale_name is None else locale_name
    code = TESSERACT_CODES.get(name.split("_")[0].split(".")[0].split("-")[0].lower())
    picks = [c for c in dict.fromkeys([code, "eng"]) if c and c in have]
    if picks:
        return "+".join(picks)
    return have[0] if have else "eng"


@functools.cache
def installed_default() -> str:
    """default_ocr_languages for the Tesseract found on this machine (asked once)."""
    from app.core.errors import FolioError
    from app.extraction.tesseract import tesseract_info

    try:
        return default_ocr_languages(tesseract_info().languages)
    except FolioError:
        return "eng"  # no Tesseract: reading says so, naming what to install
