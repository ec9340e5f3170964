"""The password of a locked document: asked for in a dialog that never blocks the window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.plain import plain_label


class PasswordDialog(QDialog):
    """Asks for one document's password; the caller tries it and says how it went.

    Shown without modality (`show()`): the window stays usable and nothing waits on it.
    Open sends `submitted` and the dialog shows "Checking…" until `show_wrong` (it asks
    again, the field cleared) or `accept` (the password opened the document). Cancel
    leaves the document waiting.

    Signals:
        submitted(str): the password typed, to be tried.
    """

    submitted = Signal(str)

    def __init__(self, key: str, name: str, sentence: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Which document this dialog is for (LockedDocument.key).
        self.key = key
        self.name = name
        self.setWindowTitle(f"Password for {name}")
        self.setObjectName("passwordDialog")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.heading = plain_label(QLabel(f"Password for “{name}”"))
        heading_font = self.heading.font()
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        layout.addWidget(self.heading)
        self.prompt = plain_label(QLabel(sentence))
        self.prompt.setWordWrap(True)
        layout.addWidget(self.prompt)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("Password")
        self.field.setAccessibleName(f"Password for {name}")
        # Never offered to input methods that learn or suggest words.
        self.field.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.field.textChanged.connect(self._update_buttons)
        layout.addWidget(self.field)
        self.error = plain_label(QLabel())
        self.error.setWordWrap(True)
        self.error.setObjectName("passwordError")
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.hide()
        layout.addWidget(self.error)
        self.note = plain_label(
            QLabel("Folio keeps the password only while it runs; it is never saved.")
        )
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.checking = False
        self._update_buttons()
        self.field.setFocus()

    # -- what the caller says --------------------------------------------------------

    def show_wrong(self, sentence: str) -> None:
        """The password tried does not open the document: say so and ask again."""
        self._set_checking(False)
        self._say(sentence)
        self.field.clear()
        self.field.setFocus()

    def show_problem(self, sentence: str) -> None:
        """The document could not be tried at all (it is gone, or damaged)."""
        self._set_checking(False)
        self._say(sentence)

    # -- inside ----------------------------------------------------------------------

    def _say(self, sentence: str) -> None:
        self.error.setText(sentence)
        self.error.show()
        self.adjustSize()  # room for the sentence, however it wraps

    @Slot()
    def _submit(self) -> None:
        password = self.field.text()
        if not password or self.checking:
            return
        self._set_checking(True)
        self.submitted.emit(password)

    def _set_checking(self, checking: bool) -> None:
        self.checking = checking
        self.field.setEnabled(not checking)
        self.open_button.setText("Checking…" if checking else "Open")
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        self.open_button.setEnabled(bool(self.field.text()) and not self.checking)

    def done(self, result: int) -> None:
        self.field.clear()  # the password does not outlive the question in the widget
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.field.clear()
        super().closeEvent(event)
