"""A real drag and drop between two X clients: a Qt drag source, Folio's window, xdotool's mouse."""

from __future__ import annotations

import contextlib
import os
import queue
import random
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.core.library import Library
from tests.conftest import REPO, SAMPLES

TRIVIAL = SAMPLES / "001-trivial" / "minimal-document.pdf"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("Xvfb") and shutil.which("xdotool")),
        reason="needs Xvfb and xdotool (apt-get install xvfb xdotool; dev.sh installs both)",
    ),
]

DRAG_SOURCE = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QMimeData, Qt, QUrl
    from PySide6.QtGui import QDrag
    from PySide6.QtWidgets import QApplication, QLabel

    class DragSource(QLabel):
        def mousePressEvent(self, event):
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(sys.argv[1])])
            drag = QDrag(self)
            drag.setMimeData(mime)
            # The target's answer to the drag's position, seen by the source: the test
            # releases the button only once the drop would be accepted.
            drag.actionChanged.connect(lambda action: print("target says", action.name, flush=True))
            print("drag started", flush=True)
            result = drag.exec(Qt.DropAction.CopyAction)
            print("drag finished", result.name, flush=True)

    app = QApplication(sys.argv[:1])
    source = DragSource("Drag me onto Folio")
    source.setWindowTitle("Drag source of the test")
    source.setGeometry(1400, 880, 220, 100)
    source.show()
    app.exec()
    """
)


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    """Poll a condition of another process until it holds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def display() -> Iterator[dict[str, str]]:
    """A private Xvfb server; the environment for clients on it."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1680x1050x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as fh:
        number = fh.readline().strip()
    env = dict(os.environ, DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    try:
        yield env
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def read_lines(proc: subprocess.Popen[str], into: queue.Queue[str]) -> None:
    """Hand another process's output lines over as they come (readline blocks)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        into.put(line)


def xdotool(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    return out.stdout.strip()


def find_window(env: dict[str, str], name: str) -> str:
    return xdotool(env, "search", "--onlyvisible", "--name", name).split("\n")[0]


def geometry(env: dict[str, str], window: str) -> dict[str, int]:
    shell = xdotool(env, "getwindowgeometry", "--shell", window)
    values = dict(line.split("=", 1) for line in shell.splitlines() if "=" in line)
    return {k: int(v) for k, v in values.items() if k in ("X", "Y", "WIDTH", "HEIGHT")}


def start_on_display(
    command: list[str], env: dict[str, str], title: str, timeout: float
) -> tuple[subprocess.Popen[str], str]:
    """Start an X client and wait for its window; start it again if the server turned it away.

    A busy Xvfb now and then refuses a connection ("could not connect to
    display"); that is the test machine, not the program under test.
    """
    for _attempt in range(3):
        proc = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            window = find_window(env, title)
            if window:
                return proc, window
            time.sleep(0.2)
        output = proc.communicate(timeout=10)[0] if proc.poll() is not None else ""
        if "could not connect to display" not in output:
            proc.kill()
            proc.communicate()
            raise AssertionError(f"no window {title!r} within {timeout:.0f} s: {output[-2000:]}")
    raise AssertionError(f"the X server refused {command[-1]} three times")


def pages_done(library_dir: Path) -> bool:
    if not (library_dir / "library.sqlite3").exists():
        return False
    try:
        library = Library(library_dir, readonly=True)
    except FolioError:
        return False  # created but not yet set up by Folio
    with library:
        sources = library.sources()
        if [s.name for s in sources] != [TRIVIAL.name]:
            return False
        state = library.source_states().get(sources[0].id)
        return state is not None and state.total > 0 and state.completed == state.total


def test_real_drag_from_another_app_imports_the_document(
    display: dict[str, str], tmp_path: Path
) -> None:
    library_dir = tmp_path / "Library"
    env = dict(display, XDG_CONFIG_HOME=str(tmp_path / "config"))
    folio, folio_window = start_on_display(
        [sys.executable, "-m", "app", "--library", str(library_dir)], env, "^Folio( —|$)", 60
    )
    script = tmp_path / "drag_source.py"
    script.write_text(DRAG_SOURCE)
    source: subprocess.Popen[str] | None = None
    try:
        source, source_window = start_on_display(
            [sys.executable, str(script), str(TRIVIAL)], env, "^Drag source of the test$", 30
        )
        xdotool(env, "windowmove", "--sync", folio_window, "0", "0")
        target = geometry(env, folio_window)
        start = geometry(env, source_window)
        assert start["X"] >= target["WIDTH"] or start["Y"] >= target["HEIGHT"], (start, target)

        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=read_lines, args=(source, lines), daemon=True).start()
        xdotool(env, "mousemove", "--sync", str(start["X"] + 60), str(start["Y"] + 50))
        xdotool(env, "mousedown", "1")
        assert "drag started" in lines.get(timeout=10)
        # Travel to the middle of Folio's window in steps, as a hand would.
        x0, y0 = start["X"] + 60, start["Y"] + 50
        x1, y1 = target["X"] + target["WIDTH"] // 2, target["Y"] + target["HEIGHT"] // 2
        for i in range(1, 11):
            x = x0 + (x1 - x0) * i // 10
            y = y0 + (y1 - y0) * i // 10
            xdotool(env, "mousemove", "--sync", str(x), str(y))
        # Hover over the target until it answers the XDND position messages with an
        # accepted action (a window still starting up answers late), then drop.
        answer = ""
        deadline = time.monotonic() + 30
        while "CopyAction" not in answer and time.monotonic() < deadline:
            xdotool(env, "mousemove", "--sync", str(x1 + random.randint(-8, 8)), str(y1))
            with contextlib.suppress(queue.Empty):
                answer = lines.get(timeout=0.2)
        assert "CopyAction" in answer, f"Folio never accepted the drag: {answer!r}"
        xdotool(env, "mouseup", "1")
        line = lines.get(timeout=10)
        while line.startswith("target says"):
            line = lines.get(timeout=10)
        assert "CopyAction" in str(line), f"the drop was not accepted: {line!r}"

        wait_for(lambda: pages_done(library_dir), 60, "the dropped document's pages")
        assert folio.poll() is None, "Folio exited"
    finally:
        if source is not None:
            source.terminate()
            source.communicate(timeout=10)
        folio.terminate()  # as the desktop does at logout: Folio quits cleanly
        try:
            folio.wait(20)
        except subprocess.TimeoutExpired:
            folio.kill()
        folio.communicate(timeout=10)
    assert folio.returncode == 0, "Folio did not quit cleanly when asked to"
