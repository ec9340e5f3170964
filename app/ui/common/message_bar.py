"""A dismissible message strip above the content: warnings (no Tesseract) and summaries.

Its text is plain: messages quote names and paths, which must show as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.ui.common.plain import plain_label
from app.ui.common.theme import is_dark


class MessageKind(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


#: (light background, light text, dark background, dark text); 4.5:1 contrast or more.
_COLOURS: dict[MessageKind, tuple[str, str, str, str]] = {
    MessageKind.INFO: ("#dbe8fb", "#0b3d91", "#1b355c", "#dce8fd"),
    MessageKind.WARNING: ("#fdecc0", "#5c3a00", "#594200", "#fde3a0"),
    MessageKind.ERROR: ("#fad3cf", "#8a0c0c", "#621f1b", "#fbd0cb"),
}


#: How long a summary (an info message) stays before it goes by itself.
INFO_TIMEOUT_MS = 20_000


class MessageBar(QFrame):
    """One message with a close button; hidden while empty.

    Summaries (info) go by themselves after a while, but not from under the
    mouse; warnings and errors stay until dismissed. A message may start with a
    title in bold; both are plain text. It may offer one action (a button).

    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.kind = MessageKind.INFO
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.title = plain_label(QLabel())
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.hide()
        layout.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        self.label = plain_label(QLabel())
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        #: The message's one action (e.g. "Undo"), shown only with a message that offers it.
        self.action_button = QPushButton()
        self.action_button.hide()
        self.action_button.clicked.connect(self._on_action)
        self._action: Callable[[], object] | None = None
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss this message")
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.info_timeout_ms = INFO_TIMEOUT_MS
        self.auto_hide = QTimer(self)
        self.auto_hide.setSingleShot(True)
        self.auto_hide.timeout.connect(self._expire)
        self.hide()

    def show_message(
        self,
        text: str,
        kind: MessageKind = MessageKind.INFO,
        *,
        title: str = "",
        action: tuple[str, Callable[[], object]] | None = None,
    ) -> None:
        """Show a message; `action`: a button's label and what it does (then the message goes)."""
        self.kind = kind
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.label.setText(text)
        self._restyle()
        self.show()
        if kind is MessageKind.INFO:
            self.auto_hide.start(self.info_timeout_ms)
        else:
            self.auto_hide.stop()

    def text(self) -> str:
        """The message as shown: its title, then its text."""
        return " ".join(t for t in (self.title.text(), self.label.text()) if t)

    @Slot()
    def _on_action(self) -> None:
        action, self._action = self._action, None
        self.dismiss()
        if action is not None:
            action()

    @Slot()
    def dismiss(self) -> None:
        self._action = None
        self.action_button.hide()
        self.auto_hide.stop()
        self.title.clear()
        self.label.clear()
        self.hide()

    @Slot()
    def _expire(self) -> None:
        if self.underMouse():  # being read (or its text selected): wait a little more
            self.auto_hide.start(self.info_timeout_ms // 4)
            return
        self.dismiss()

    def _restyle(self) -> None:
        light_bg, light_fg, dark_bg, dark_fg = _COLOURS[self.kind]
        # The application's palette: this widget's own is the one its sheet set.
        dark = is_dark(QApplication.palette())
        bg, fg = (dark_bg, dark_fg) if dark else (light_bg, light_fg)
        sheet = (
            f"#messageBar {{ background: {bg}; border-radius: 6px; }}"
            f" #messageBar QLabel {{ color: {fg}; }} #messageBar QToolButton {{ color: {fg}; }}"
        )
        if sheet != self.styleSheet():  # restyling changes the palette again
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and not self.isHidden():
            self._restyle()
        super().changeEvent(event)
