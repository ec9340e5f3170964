"""PDFs protected by a password, read through real worker processes with and without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import FolioError
from app.core.locked import PasswordNeeded
from app.core.models import OcrMode
from app.extraction.batch import BatchExtractor
from app.extraction.client import PAGE_TIMEOUT, PROBE_TIMEOUT, WorkerPool
from app.extraction.protocol import (
    LockedReply,
    PageRequest,
    ProbeRequest,
    RenderRequest,
    SearchablePageRequest,
    parse_locked,
    parse_request,
    to_wire,
)
from tests.locked import (
    LIBREOFFICE,
    LIBREOFFICE_OWNER,
    LIBREOFFICE_PASSWORD,
    LIBREOFFICE_START,
    OWNER,
    PASSWORD,
    make_locked,
    starts_right,
)


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    p = WorkerPool(keep_idle=1)
    yield p
    p.close()


@pytest.fixture(params=["AES-256", "RC4-128"])
def locked(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return make_locked(tmp_path / "locked.pdf", algorithm=str(request.param))


def read_all(pool: WorkerPool, path: Path, password: str | None) -> list[str]:
    with pool.worker() as w:
        info = w.ask(ProbeRequest(str(path), path.name, password), PROBE_TIMEOUT)
        return [
            w.ask(
                PageRequest(str(path), path.name, info.kind, n, "never", password=password),
                PAGE_TIMEOUT,
            ).text
            for n in range(1, info.pages + 1)
        ]


def test_without_a_password_the_answer_is_typed_and_says_so(pool: WorkerPool, locked: Path) -> None:
    with pytest.raises(PasswordNeeded) as caught:
        read_all(pool, locked, None)
    assert caught.value.wrong is False
    assert caught.value.message == (
        "locked.pdf is protected by a password — enter it to read the document."
    )
    assert isinstance(caught.value, FolioError)  # a sentence for whoever wants only that


def test_a_wrong_password_is_told_apart(pool: WorkerPool, locked: Path) -> None:
    with pytest.raises(PasswordNeeded) as caught:
        read_all(pool, locked, "not it")
    assert caught.value.wrong is True
    assert caught.value.message == "That password does not open locked.pdf — try again."


def test_the_right_password_reads_every_page(pool: WorkerPool, locked: Path) -> None:
    assert starts_right(read_all(pool, locked, PASSWORD))  # type: ignore[arg-type]
    # The owner's password opens it too (as in any PDF reader).
    assert starts_right(read_all(pool, locked, OWNER))  # type: ignore[arg-type]


def test_a_page_is_drawn_with_the_password(pool: WorkerPool, locked: Path) -> None:
    with pool.worker() as w:
        with pytest.raises(PasswordNeeded):
            w.request(RenderRequest(str(locked), "locked.pdf", "pdf", 0, 300), PROBE_TIMEOUT)
        result = w.request(
            RenderRequest(str(locked), "locked.pdf", "pdf", 0, 300, PASSWORD), PROBE_TIMEOUT
        )
    png = Path(str(result["png"]))
    assert png.read_bytes().startswith(b"\x89PNG")
    png.unlink()


def test_owner_password_only_reads_without_asking(pool: WorkerPool, tmp_path: Path) -> None:
    """Printing or copying restricted, opening not: nobody is asked for anything."""
    for algorithm in ("AES-256", "RC4-128"):
        path = make_locked(tmp_path / f"{algorithm}.pdf", user="", algorithm=algorithm)
        assert starts_right(read_all(pool, path, None))  # type: ignore[arg-type]
        # A password given for another file does not stop it opening.
        assert starts_right(read_all(pool, path, "meant for another file"))  # type: ignore[arg-type]


def test_the_corpus_file_opens_with_its_password(pool: WorkerPool) -> None:
    """tests/data's LibreOffice file: "openpassword" opens it, so does its owner's."""
    for password in (LIBREOFFICE_PASSWORD, LIBREOFFICE_OWNER):
        (text,) = read_all(pool, LIBREOFFICE, password)
        assert text.startswith(LIBREOFFICE_START)
    with pytest.raises(PasswordNeeded):
        read_all(pool, LIBREOFFICE, None)


def test_the_password_is_never_in_a_request_repr() -> None:
    for request in (
        ProbeRequest("/x.pdf", "x.pdf", PASSWORD),
        PageRequest("/x.pdf", "x.pdf", "pdf", 1, password=PASSWORD),
        RenderRequest("/x.pdf", "x.pdf", "pdf", 0, 100, PASSWORD),
        SearchablePageRequest("/x.pdf", "x.pdf", "pdf", 1, password=PASSWORD),
    ):
        assert PASSWORD not in repr(request)
        assert parse_request(to_wire(request)) == request  # it still travels to the worker


def test_the_locked_answer_is_read_back_typed() -> None:
    wire = LockedReply(wrong=True).to_wire("That password does not open x.pdf — try again.")
    assert parse_locked(wire) == LockedReply(wrong=True)
    assert parse_locked({"ok": False, "error": "damaged"}) is None


def test_batch_asks_for_each_locked_file_until_it_opens(tmp_path: Path) -> None:
    locked = make_locked(tmp_path / "locked.pdf")
    asked: list[tuple[str, bool]] = []
    answers = iter(["wrong one", PASSWORD])

    def ask(path: Path, wrong: bool) -> str | None:
        asked.append((path.name, wrong))
        return next(answers, None)

    with BatchExtractor(OcrMode.NEVER, "eng", None, 2, ask_password=ask) as batch:
        (result,) = list(batch.run([locked]))
    assert asked == [("locked.pdf", False), ("locked.pdf", True)]
    assert result.error is None
    assert starts_right([p.text for p in result.pages])


def test_batch_without_anyone_to_ask_fails_the_file_with_a_sentence(tmp_path: Path) -> None:
    locked = make_locked(tmp_path / "locked.pdf")
    with BatchExtractor(OcrMode.NEVER, "eng", None, 1, password="wrong") as batch:
        (result,) = list(batch.run([locked]))
    assert result.locked is True and result.pages == []
    assert result.error is not None and "does not open" in result.error


def test_a_searchable_copy_stays_as_locked_as_its_original(tmp_path: Path) -> None:
    """Locked by a password: the copy opens with the same one. Restricted by its owner
    only: the copy opens without one and keeps the same restrictions."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import UserAccessPermissions

    from app.extraction.textlayer import write_searchable

    locked = make_locked(tmp_path / "locked.pdf", algorithm="RC4-128")
    out = tmp_path / "locked copy.pdf"
    write_searchable(locked, {}, out, PASSWORD)
    copy = PdfReader(out)
    assert copy.is_encrypted and not copy.decrypt("") and copy.decrypt(PASSWORD)
    assert starts_right([page.extract_text() for page in copy.pages])

    no_printing = UserAccessPermissions.all() & ~UserAccessPermissions.PRINT
    writer = PdfWriter(clone_from=PdfReader(locked, password=PASSWORD))
    writer.encrypt("", OWNER, algorithm="AES-256", permissions_flag=no_printing)
    restricted = tmp_path / "restricted.pdf"
    writer.write(restricted)
    out = tmp_path / "restricted copy.pdf"
    write_searchable(restricted, {}, out)
    copy = PdfReader(out)
    assert copy.is_encrypted and copy.decrypt("")
    assert copy.user_access_permissions == PdfReader(restricted).user_access_permissions
    assert not copy.user_access_permissions & UserAccessPermissions.PRINT
    assert starts_right([page.extract_text() for page in copy.pages])
