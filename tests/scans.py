"""Scans made from real pages, for tests and benchmarks: drawn at 300 dpi, and turned."""

from __future__ import annotations

from pathlib import Path


def draw_scan(pdf: Path, out: Path, index: int = 0) -> Path:
    """Page `index` of a real PDF drawn in grey at 300 dpi, as a scanner gives it (a PNG)."""
    from PIL import Image
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    doc.load(str(pdf))
    size = doc.pagePointSize(index)
    rendered = doc.render(index, QSize(int(size.width() / 72 * 300), int(size.height() / 72 * 300)))
    page = QImage(rendered.size(), QImage.Format.Format_Grayscale8)
    page.fill(QColor("white"))
    painter = QPainter(page)
    painter.drawImage(0, 0, rendered)
    painter.end()
    page.save(str(out))
    with Image.open(out) as img:
        img.load()
        img.save(out, dpi=(300, 300))
    return out


def turn_scan(upright: Path, degrees: float, out: Path) -> Path:
    """The scan turned `degrees` counter-clockwise (PIL's sense), white where paper is added."""
    from PIL import Image

    with Image.open(upright) as img:
        if degrees % 90 == 0:
            result = img.rotate(degrees, expand=True)
        else:
            result = img.rotate(
                degrees, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC
            )
        result.save(out, dpi=(300, 300))
    return out
