"""Help › About: Folio's version, Qt, and the Tesseract that reads the scans."""

from __future__ import annotations

import html

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QMessageBox, QWidget

from app import __version__
from app.extraction.tesseract import TesseractInfo
from app.ui.dialogs.language import language_label


def about_html(tesseract: TesseractInfo | None, tesseract_error: str | None) -> str:
    if tesseract is not None:
        langs = ", ".join(language_label(code) for code in tesseract.languages) or "none"
        ocr = (
            f"Tesseract {html.escape(tesseract.version)}<br>"
            f"OCR languages installed: {html.escape(langs)}"
        )
    else:
        ocr = html.escape(tesseract_error or "Looking for Tesseract…")
    return (
        f"<h3>Folio {__version__}</h3>"
        "<p>Turns piles of PDFs and scans into searchable, trustworthy text.</p>"
        f"<p>{ocr}</p>"
        f"<p>Qt for Python {pyside_version} · PDFium via QtPdf · pypdf</p>"
        "<p>Licensed under the GNU GPL, version 3 or later.</p>"
    )


def show_about(parent: QWidget, tesseract: TesseractInfo | None, error: str | None) -> None:
    QMessageBox.about(parent, "About Folio", about_html(tesseract, error))
