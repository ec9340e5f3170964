"""Help › User guide: the guide shipped in resources/help, shown in a window of its own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.core.paths import resources_dir

GUIDE = "help/user-guide.md"


def guide_markdown() -> str:
    """The user guide's text, or a sentence saying where it should have been."""
    path = resources_dir() / GUIDE
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"The user guide could not be read from {path} ({exc.strerror}); reinstall Folio."


class UserGuideDialog(QDialog):
    """A non-modal window with the user guide; links open in the system browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Folio user guide")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(guide_markdown())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(720, 640)
