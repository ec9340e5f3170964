"""A source opened to its pages: thumbnails with their state beside the page viewer."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.library import Library
from app.core.models import BackgroundTask, OcrMode, Page, Source, TaskChange, TaskStatus
from app.core.states import PageState
from app.extraction.languages import default_ocr_languages
from app.tasks.manager import ExtractionManager
from app.ui.common.coalesce import Coalescer
from app.ui.common.flow import FlowLayout
from app.ui.common.formatting import page_state_text, source_state_text
from app.ui.common.plain import plain_label, plain_tip
from app.ui.common.rendering import PageRenderer, RenderRequest
from app.ui.common.theme import is_dark
from app.ui.dialogs.language import LanguageDialog
from app.ui.library.document_names import DocumentNames
from app.ui.library.original_button import original_button
from app.ui.library.page_keys import PageKeys
from app.ui.library.page_viewer import PageViewer
from app.ui.library.text_flow import JoinLinesToggle

AnyIndex = QModelIndex | QPersistentModelIndex
PAGE_THUMB = QSize(72, 96)
SETTINGS_SPLITTER = "document/splitter"
REFRESH_MS = 300


class PageRole(enum.IntEnum):
    PAGE_ID = Qt.ItemDataRole.UserRole + 1
    STATE = Qt.ItemDataRole.UserRole + 2


def _page_thumb(image: QImage) -> QPixmap:
    return QPixmap.fromImage(image).scaled(
        PAGE_THUMB,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


class PagesModel(QAbstractListModel):
    """The pages of one source: "Page 3" and its state, with a thumbnail."""

    def __init__(
        self,
        library: Library,
        manager: ExtractionManager,
        renderer: PageRenderer,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        self.renderer = renderer
        self.source: Source | None = None
        self._states: list[PageState] = []
        self._rows: dict[int, int] = {}
        self._thumbs: dict[int, QPixmap] = {}
        self._placeholder = QPixmap(PAGE_THUMB)
        self._placeholder.fill(QColor(0, 0, 0, 0))
        renderer.rendered.connect(self._on_rendered)

    def set_source(self, source: Source | None) -> None:
        self.beginResetModel()
        self.source = source
        self._thumbs = {}
        self._states = self.library.page_states(source.id) if source else []
        self._rows = {state.page_id: row for row, state in enumerate(self._states)}
        self.endResetModel()

    def refresh(self) -> list[int]:
        """Re-read the pages' states (no text); returns the ids of pages whose row changed."""
        if self.source is None:
            return []
        states = self.library.page_states(self.source.id)
        if len(states) != len(self._states):
            self.set_source(self.source)
            return [s.page_id for s in states]
        changed: list[int] = []
        for row, state in enumerate(states):
            if state != self._states[row]:
                changed.append(state.page_id)
                self._states[row] = state
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, PageRole.STATE])
        return changed

    def row_of(self, page_id: int) -> int | None:
        return self._rows.get(page_id)

    def state(self, page_id: int) -> PageState | None:
        row = self._rows.get(page_id)
        return None if row is None else self._states[row]

    def page(self, page_id: int) -> Page | None:
        """The page with its text (read for the one page being shown)."""
        return self.library.page(page_id) if page_id in self._rows else None

    def task(self, page_id: int) -> BackgroundTask | None:
        """The page's newest task."""
        state = self.state(page_id)
        if state is None or state.task_id is None:
            return None
        return self.manager.get(state.task_id)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._states)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._states):
            return None
        state = self._states[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Page {state.number}\n{page_state_text(state)}"
        if role == PageRole.PAGE_ID:
            return state.page_id
        if role == PageRole.STATE:
            return page_state_text(state)
        failed = not state.has_text and state.task_status is TaskStatus.FAILED
        if role == Qt.ItemDataRole.ForegroundRole:
            from PySide6.QtWidgets import QApplication

            dark = is_dark(QApplication.palette())
            if failed:
                return QColor("#f2b8b5" if dark else "#b3261e")
            if state.doubt and state.has_text:  # to check: the colour of a warning
                return QColor("#f0c36d" if dark else "#8a5a00")
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self._thumbs.get(state.number)
            if pixmap is None and self.source is not None:
                image = self.renderer.request(
                    self._key(state.number),
                    RenderRequest(
                        self.library.store.path_for(self.source.sha256),
                        self.source.kind,
                        state.number - 1,
                        PAGE_THUMB.width() * 2,
                        self.source.name,
                    ),
                )
                if image is None:  # drawn in a worker; `rendered` follows
                    return self._placeholder
                pixmap = self._thumbs[state.number] = _page_thumb(image)
            return pixmap
        if role == Qt.ItemDataRole.ToolTipRole and state.task_status is TaskStatus.FAILED:
            return plain_tip(state.error) if state.error else None
        return None

    def _key(self, number: int) -> tuple[str, str, int, int]:
        assert self.source is not None
        return ("thumb", self.source.sha256, number - 1, PAGE_THUMB.width() * 2)

    @Slot(object, QImage)
    def _on_rendered(self, key: object, image: QImage) -> None:
        if self.source is None or not isinstance(key, tuple) or key[0] != "thumb":
            return
        if key[1] != self.source.sha256 or key[3] != PAGE_THUMB.width() * 2:
            return
        number = int(key[2]) + 1
        self._thumbs[number] = _page_thumb(image)
        row = number - 1
        if 0 <= row < len(self._states):
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class DocumentView(QWidget):
    """One source: a header with its actions, its pages, and the page viewer.

    Signals:
        backRequested(): back to the list of sources.
        exportRequested(int): export this source's text (source id).
        revealRequested(int): show this source's original file (source id).
        openRequested(int): open this source in the default viewer (source id).
        printRequested(int, bool): print this source (id); True: the page shown first.
        pageShown(int): a page is now shown (page id).
        workQueued(): the user queued tasks here (a retry, OCR again).
    """

    #: The "Open" button's menu (original_button.py).
    open_action: QAction
    reveal_action: QAction
    print_page_action: QAction
    print_action: QAction

    backRequested = Signal()
    exportRequested = Signal(int)
    revealRequested = Signal(int)
    openRequested = Signal(int)
    printRequested = Signal(int, bool)
    pageShown = Signal(int)
    workQueued = Signal()

    def __init__(
        self,
        library: Library,
        manager: ExtractionManager,
        renderer: PageRenderer,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.manager = manager
        self.settings = settings
        self.source: Source | None = None
        self.highlight = ""
        self.model = PagesModel(library, manager, renderer, self)
        self._refresh = Coalescer(REFRESH_MS, self.refresh, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        # One row when there is room; the buttons wrap onto a second line in a narrow window.
        header = self.header = FlowLayout()
        self.back_button = QPushButton("‹ Library")
        self.back_button.setToolTip("Close the document (Escape, Alt+Left)")
        self.back_button.clicked.connect(self.backRequested)
        header.add(self.back_button)
        self.title = plain_label(QLabel())
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long name is cut at the edge (its tooltip says it all), never widening the window.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(160)
        header.add(self.title)
        self.state_label = plain_label(QLabel())
        header.add(self.state_label)
        self.ocr_all_button = QPushButton("OCR all pages…")
        self.ocr_all_button.clicked.connect(self.rerun_ocr_all)
        header.add(self.ocr_all_button)
        self.export_button = QPushButton("Export text…")
        self.export_button.setToolTip("Save the text of every page as a .txt file")
        self.export_button.clicked.connect(self._export)
        header.add(self.export_button)
        self.original_button = original_button(self)
        header.add(self.original_button)
        layout.addLayout(header)
        self.names = DocumentNames(self)
        layout.addWidget(self.names.details)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.pages = QListView()
        self.pages.setModel(self.model)
        self.pages.setIconSize(PAGE_THUMB)
        self.pages.setSpacing(2)
        self.pages.setUniformItemSizes(True)
        self.pages.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pages.setAccessibleName("Pages")
        self.pages.setMinimumWidth(150)
        self.pages.selectionModel().currentChanged.connect(self._on_current_page)
        self.splitter.addWidget(self.pages)
        self.viewer = PageViewer(library, manager, renderer, settings)
        self.viewer.pageStepRequested.connect(self.step_page)
        self.viewer.workQueued.connect(self.workQueued)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 1000])
        state = settings.value(SETTINGS_SPLITTER)
        if state is not None:
            self.splitter.restoreState(state)
        layout.addWidget(self.splitter, 1)

        self.keys = PageKeys(self)
        self.join_lines = JoinLinesToggle(self.viewer)
        manager.pageTextReady.connect(self._on_page_text)
        manager.tasksChanged.connect(self._on_tasks_changed)
        manager.tasksAdded.connect(self._on_tasks_added)

    def save_state(self) -> None:
        self.settings.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        self.viewer.save_state()

    # -- showing -----------------------------------------------------------------------

    def show_source(self, source: Source, page_id: int | None = None, highlight: str = "") -> None:
        """Open a source at a page (the first when None), marking `highlight` in its text."""
        self.highlight = highlight
        if self.source is None or self.source.id != source.id:
            self.keys.switch_document(self.source.id if self.source else None, source.id)
            self.source = source
            self.viewer.clear()
            self.model.set_source(source)
        else:
            self.source = source
            self.model.refresh()
        self.names.show(source)
        self._update_state()
        self.update_ocr_button()
        row = self.model.row_of(page_id) if page_id is not None else 0
        if row is None or self.model.rowCount() == 0:
            return
        index = self.model.index(row)
        current = self.pages.currentIndex()
        if current == index:
            self._show_page(int(index.data(PageRole.PAGE_ID)))
        else:
            self.pages.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self.pages.scrollTo(index)

    def _update_state(self) -> None:
        if self.source is None:
            return
        state = self.library.source_state(self.source.id)
        self.state_label.setText(source_state_text(state, self.source.page_count))

    @Slot(QModelIndex, QModelIndex)
    def _on_current_page(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self._show_page(int(current.data(PageRole.PAGE_ID)))

    def _show_page(self, page_id: int) -> None:
        state = self.model.state(page_id)
        page = self.model.page(page_id)
        if page is None or state is None or self.source is None:
            return
        if not state.has_text:
            # Opening a page whose text is not ready moves its task to the front.
            self.manager.prioritise_page(page_id)
        self.viewer.show_page(self.source, page, self.model.task(page_id), self.highlight)
        self.pageShown.emit(page_id)

    @Slot(int)
    def step_page(self, step: int) -> None:
        row = self.pages.currentIndex().row() + step
        if 0 <= row < self.model.rowCount():
            self.pages.setCurrentIndex(self.model.index(row))

    def current_page_id(self) -> int | None:
        return self.viewer.page.id if self.viewer.page is not None else None

    # -- live updates ------------------------------------------------------------------

    @Slot(int, int)
    def _on_page_text(self, source_id: int, page_id: int) -> None:
        if self.source is not None and source_id == self.source.id:
            self._refresh.restart()

    @Slot(object)
    def _on_tasks_changed(self, changes: dict[int, TaskChange]) -> None:
        if self.source is None or self._refresh.pending:
            return
        for change in changes.values():
            if change.task.source_id == self.source.id:
                self._refresh.restart()
                return

    @Slot(object)
    def _on_tasks_added(self, tasks: list[BackgroundTask]) -> None:
        if self.source is not None and any(t.source_id == self.source.id for t in tasks):
            self._refresh.restart()

    @Slot()
    def refresh(self) -> None:
        if self.source is None or not self.isVisible():
            return
        changed = self.model.refresh()
        self._update_state()
        page = self.viewer.page
        running = self.viewer.task is not None and self.viewer.task.status.is_active
        if page is not None and (page.id in changed or running):
            fresh = self.model.page(page.id)
            if fresh is not None:
                self.viewer.update_page(fresh, self.model.task(page.id))

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.source is not None:
            self._refresh.restart()

    @Slot()
    def rerun_ocr_all(self) -> None:
        """Read every page of this document again with Tesseract, in chosen languages."""
        if self.source is None:
            return
        viewer = self.viewer
        current = self.manager.ocr_lang or default_ocr_languages(viewer.languages)
        if viewer.choose_language is not None:
            lang = viewer.choose_language(current)
        else:
            what = f"all {self.source.page_count} pages of {self.source.name}"
            dialog = LanguageDialog(viewer.languages, current, self, what=what)
            lang = dialog.chosen() if dialog.exec() else None
        if not lang:
            return
        self.manager.reextract_source(self.source.id, ocr=OcrMode.ALWAYS, lang=lang)
        self.workQueued.emit()
        self.refresh()
        if viewer.page is not None:
            self._show_page(viewer.page.id)

    def update_ocr_button(self) -> None:
        available = self.viewer.ocr_available
        self.ocr_all_button.setEnabled(available and self.source is not None)
        self.ocr_all_button.setToolTip(
            "Read every page again with Tesseract, in languages you choose (e.g. a scan"
            " in German read as English); each page keeps its text until read again"
            if available
            else "Tesseract is not installed, so OCR is not available"
        )

    @Slot()
    def _export(self) -> None:
        if self.source is not None:
            self.exportRequested.emit(self.source.id)

    @Slot()
    def _reveal(self) -> None:
        if self.source is not None:
            self.revealRequested.emit(self.source.id)

    @Slot()
    def open_original(self) -> None:
        if self.source is not None:
            self.openRequested.emit(self.source.id)

    def print_source(self, page_only: bool) -> None:
        if self.source is not None:
            self.printRequested.emit(self.source.id, page_only)
