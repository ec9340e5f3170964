"""The Save dialog for a searchable PDF: where to save it and which languages to read in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.plain import plain_label
from app.ui.dialogs.language import LanguageList

EXPLANATION = (
    "Every page keeps its image exactly as it is; Folio reads the pages that have no text "
    "and lays an invisible text layer on the words, so the text can be selected and "
    "searched in any PDF viewer. Pages that already have text are left as they are. It "
    "runs on the Tasks page, where it can be cancelled."
)


class SaveSearchableDialog(QDialog):
    """Asks for the output file (never the original) and the OCR languages."""

    def __init__(
        self,
        name: str,
        suggested: Path,
        languages: tuple[str, ...],
        current: str,
        *,
        forbidden: tuple[Path, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as searchable PDF")
        self.forbidden = tuple(p.expanduser().absolute() for p in forbidden)
        layout = QVBoxLayout(self)
        title = plain_label(QLabel(f"Save “{name}” as a searchable PDF"))
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        layout.addWidget(QLabel("Save to:"))
        row = QHBoxLayout()
        self.path_edit = QLineEdit(str(suggested))
        self.path_edit.setMinimumWidth(420)
        self.path_edit.setAccessibleName("File to save")
        row.addWidget(self.path_edit, 1)
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self._browse)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        self.languages = LanguageList(languages, current) if languages else None
        if self.languages is not None:
            layout.addWidget(QLabel("Read the pages in:"))
            layout.addWidget(self.languages)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.current_lang = current

    def path(self) -> Path:
        text = self.path_edit.text().strip()
        path = Path(text).expanduser() if text else Path()
        if text and path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        return path

    def lang(self) -> str:
        return (self.languages.value() if self.languages is not None else "") or self.current_lang

    def problem(self) -> str | None:
        """Why the chosen file cannot be written, or None."""
        if not self.path_edit.text().strip():
            return "Choose a file to save to."
        path = self.path().absolute()
        if path in self.forbidden:
            return "That is the original document; choose another name, so it stays as it is."
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        if self.languages is not None and not self.languages.value():
            return "Choose at least one language."
        return None

    @Slot()
    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save as searchable PDF", str(self.path()), "PDF files (*.pdf)"
        )
        if chosen:
            self.path_edit.setText(chosen)

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            return
        path = self.path()
        if path.exists() and not self._confirm_replace(path):
            return
        super().accept()

    def _confirm_replace(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self,
            "Replace file?",
            f"{path.name} already exists in {path.parent}. Replace it?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def chosen(self) -> tuple[Path, str] | None:
        """The file and languages, once accepted."""
        return (self.path(), self.lang()) if self.result() == QDialog.DialogCode.Accepted else None
