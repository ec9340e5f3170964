"""PySide6 6.12.0 on Python 3.11 aborted after ~600 Signal.emit() calls; ours must not."""

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int, float, str)
    data = Signal(object)


def test_ten_thousand_emits_in_one_process(qapp: object) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(lambda i, _f, _s: received.append(i))
    emitter.data.connect(lambda d: received.append(len(d)))
    for i in range(10_000):
        emitter.ping.emit(i, 0.5, "x")
        emitter.data.emit({i: ("status",)})
    assert len(received) == 20_000
