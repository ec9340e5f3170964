"""The document's "Open" button: the default viewer, the folder, or the printer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton

if TYPE_CHECKING:
    from app.ui.library.pages_view import DocumentView


def original_button(view: DocumentView) -> QToolButton:
    """ "Open" opens the document in the system's default viewer; its arrow also shows the
    file in its folder and prints the page shown or the whole document."""
    button = QToolButton(view)
    button.setObjectName("originalButton")
    button.setText("Open")
    button.setToolTip(
        "Open this document in your default PDF or image viewer; the arrow shows the file"
        " in its folder or prints it"
    )
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    menu = QMenu(button)
    view.open_action = QAction("Open in default viewer", view)
    view.open_action.triggered.connect(view.open_original)
    view.reveal_action = QAction("Show in folder", view)
    view.reveal_action.triggered.connect(view._reveal)
    view.print_page_action = QAction("Print this page…", view)
    view.print_page_action.triggered.connect(lambda: view.print_source(True))
    view.print_action = QAction("Print document…", view)
    view.print_action.triggered.connect(lambda: view.print_source(False))
    for action in (view.open_action, view.reveal_action):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(view.print_page_action)
    menu.addAction(view.print_action)
    button.setMenu(menu)
    button.clicked.connect(view.open_original)
    return button
