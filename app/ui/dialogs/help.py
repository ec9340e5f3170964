"""Help › User guide: the guide shipped in resources/help, shown in a window of its own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.core.paths import resources_dir

GUIDE = "help/user-guide.md"


def guide_markdown() -> tuple[str, bool]:
    """The user guide's Markdown and True, or a plain sentence saying where it should have
    been and False (the sentence holds a path, which must not be read as Markdown)."""
    path = resources_dir() / GUIDE
    try:
        return path.read_text(encoding="utf-8"), True
    except OSError as exc:
        why = exc.strerror
        return f"The user guide could not be read from {path} ({why}); reinstall Folio.", False


class UserGuideDialog(QDialog):
    """A non-modal window with the user guide; links open in the system browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Folio user guide")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        text, is_markdown = guide_markdown()
        if is_markdown:
            self.browser.setMarkdown(text)
        else:
            self.browser.setPlainText(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(720, 640)
