"""Writes a one-page PDF with a few lines of text, for installer checks without the corpus.

python packaging/make_test_pdf.py OUT.pdf
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPageSize, QPainter, QPdfWriter

TEXT = (
    "Folio installer check\n\n"
    "The quick brown fox jumps over the lazy dog.\n"
    "Pack my box with five dozen liquor jugs."
)


def main(path: str) -> int:
    app = QGuiApplication([])
    writer = QPdfWriter(path)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(20, 20, 20, 20))
    writer.setResolution(300)
    painter = QPainter(writer)
    painter.setFont(QFont("Sans Serif", 16))
    page = QRectF(0, 0, writer.width(), writer.height())
    painter.drawText(page, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), TEXT)
    painter.end()
    del app
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: make_test_pdf.py OUT.pdf", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
