"""The local HTTP API, served on the qasync event loop inside the running Folio."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import stat
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import platformdirs
from aiohttp import web

from app import __version__
from app.api.openapi import openapi_document
from app.core.errors import FolioError, describe_os_error
from app.core.models import TaskStatus
from app.core.paths import private_dir
from app.core.query import parse_query
from app.services.listing import hits_json, source_json
from app.tasks.manager import ExtractionManager

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
#: Lists are answered a page at a time: no reply grows with the library.
DEFAULT_PAGE = 1000
MAX_PAGE = 10_000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def token_path() -> Path:
    return Path(platformdirs.user_config_dir("Folio", appauthor=False)) / "api-token"


def url_path() -> Path:
    """Where a running Folio writes its API's address, beside the token."""
    return token_path().parent / "api-url"


def load_or_create_token(path: Path | None = None) -> str:
    """The install's bearer token, in a file only the user can read (made if needed).

    A token file of another user, or one that is not a plain file, is refused with a
    sentence; one that others could read may be known to them, so a new token replaces
    it. Folios starting at the same time agree on one token.
    """
    path = path or token_path()
    with _config_lock(path.parent):
        token = _read_token(path)
        if token is None:
            token = secrets.token_urlsafe(32)
            _write_private(path, token + "\n")
    return token


def publish_url(url: str, path: Path | None = None) -> Path:
    """Write the API's address for scripts to find (only the user can read it)."""
    path = path or url_path()
    with _config_lock(path.parent):
        _write_private(path, url + "\n")
    return path


def withdraw_url(url: str, path: Path | None = None) -> None:
    """Remove the address file at exit, unless another Folio has written its own since."""
    path = path or url_path()
    with _config_lock(path.parent), contextlib.suppress(OSError):
        if path.read_text().strip() == url:
            path.unlink()


def _read_token(path: Path) -> str | None:
    """The token in `path`; None when there is none or it may be known to others."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FolioError(
            f"The API token file {path} cannot be read ({exc.strerror}); delete it and start"
            " Folio again to make a new one."
        ) from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FolioError(
                f"The API token file {path} is not a plain file; delete it and start Folio "
                "again to make a new one."
            )
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise FolioError(
                f"The API token file {path} belongs to another user, so Folio will not use it;"
                " delete it and start Folio again to make a new one."
            )
        if os.name == "posix" and stat.S_IMODE(st.st_mode) & 0o077:
            log.warning("the API token file %s could be read by others; made a new token", path)
            return None
        token = fh.read(1024).decode("ascii", "replace").strip()
    return token if len(token) >= 16 and token.isprintable() and " " not in token else None


def _write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with a file only the user can read (0600)."""
    try:
        private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(path), "write")) from exc
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise FolioError(describe_os_error(exc, str(path), "write")) from exc


@contextlib.contextmanager
def _config_lock(folder: Path) -> Iterator[None]:
    """Serialise Folios reading and writing the token and address files at the same time."""
    try:
        import fcntl
    except ImportError:  # Windows: files are replaced atomically; no lock
        yield
        return
    private_dir(folder)
    lock = folder / ".api.lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(lock), "open")) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _host_is_loopback(host: str) -> bool:
    if host.startswith("["):
        name = host.split("]", 1)[0] + "]"
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.lower() in LOOPBACK_HOSTS


def _int_param(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    try:
        value = int(raw)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise web.HTTPNotFound(text=f"There is no {name.split('_')[0]} {value}.")
    return value


def _paging(request: web.Request) -> tuple[int, int]:
    """`limit` (1..MAX_PAGE, default DEFAULT_PAGE) and `offset` (from 0) of a list request."""
    limit = _query_int(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE)
    return limit, _query_int(request, "offset", 0, 0, 2**62)


def _query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be a whole number, not {raw!r}.") from None
    if not low <= value <= high:
        raise web.HTTPBadRequest(text=f"{name} must be between {low} and {high}.")
    return value


def _page(items: list[Any], limit: int, offset: int) -> web.Response:
    """At most `limit` items (one more was read to know); X-Next-Offset when more follow."""
    headers = {"X-Next-Offset": str(offset + limit)} if len(items) > limit else {}
    return web.json_response(items[:limit], headers=headers)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json(loads=json.loads)
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(text="The body is not valid JSON.") from None
    except UnicodeDecodeError:
        raise web.HTTPBadRequest(text="The body is not UTF-8 text.") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="The body must be a JSON object.")
    return body


class ApiServer:
    """Serves the task endpoints on 127.0.0.1; every request needs the bearer token."""

    def __init__(self, manager: ExtractionManager, token: str, port: int = 0) -> None:
        self.manager = manager
        self.token = token
        self.requested_port = port
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.app = web.Application(
            client_max_size=MAX_BODY, middlewares=[self._errors, self._guard]
        )
        r = self.app.router
        r.add_get("/api/v1/openapi.json", self.openapi)
        r.add_get("/api/v1/tasks", self.list_tasks)
        r.add_delete("/api/v1/tasks", self.cancel_many)
        r.add_get("/api/v1/tasks/{task_id}", self.get_task)
        r.add_delete("/api/v1/tasks/{task_id}", self.cancel_task)
        r.add_get("/api/v1/sources", self.list_sources)
        r.add_post("/api/v1/sources", self.import_path)
        r.add_delete("/api/v1/sources/{source_id}", self.trash_source)
        r.add_get("/api/v1/sources/{source_id}/pages", self.list_pages)
        r.add_get("/api/v1/search", self.search)

    async def start(self) -> int:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.requested_port)
        await site.start()
        server = site._server  # the bound socket tells the ephemeral port
        assert server is not None
        sockets = getattr(server, "sockets", None) or []  # an asyncio Server's bound sockets
        self.port = int(sockets[0].getsockname()[1])
        log.info("local API on http://127.0.0.1:%d", self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- middlewares ---------------------------------------------------------------------

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            text = (
                exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
            )
            return _error(exc.status, text if text.endswith(".") else text + ".")
        except Exception:
            log.exception("API request %s %s failed", request.method, request.path)
            return _error(500, "Folio could not answer this request; see its log.")

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if "Origin" in request.headers:
            return _error(403, "Requests from web pages (with an Origin header) are refused.")
        if not _host_is_loopback(request.headers.get("Host", "")):
            return _error(403, "Only requests addressed to 127.0.0.1 or localhost are served.")
        auth = request.headers.get("Authorization", "")
        given = auth[7:] if auth.startswith("Bearer ") else ""
        if not given or not secrets.compare_digest(given.encode(), self.token.encode()):
            return _error(401, "A valid bearer token is required (see the api-token file).")
        return await handler(request)

    # -- endpoints -----------------------------------------------------------------------

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(openapi_document(__version__))

    async def list_tasks(self, request: web.Request) -> web.Response:
        status = request.query.get("status")
        wanted: TaskStatus | None = None
        if status is not None:
            try:
                wanted = TaskStatus(status)
            except ValueError:
                choices = ", ".join(s.value for s in TaskStatus)
                raise web.HTTPBadRequest(text=f"status must be one of {choices}.") from None
        limit, offset = _paging(request)
        everything = request.query.get("all") in ("1", "true")
        if everything or (wanted is not None and wanted.is_terminal):
            # One page of the history, read off the GUI thread (the event loop's thread).
            statuses = None if wanted is None else [wanted]
            library = self.manager.library
            tasks = await asyncio.to_thread(
                lambda: library.tasks(statuses=statuses, limit=limit + 1, offset=offset)
            )
        else:
            active = [t for t in self.manager.active_tasks() if wanted in (None, t.status)]
            tasks = active[offset : offset + limit + 1]
        return _page([t.to_json() for t in tasks], limit, offset)

    async def get_task(self, request: web.Request) -> web.Response:
        task_id = _int_param(request, "task_id")
        task = self.manager.get(task_id)
        if task is None:
            raise web.HTTPNotFound(text=f"There is no task {task_id}.")
        return web.json_response(task.to_json())

    async def cancel_task(self, request: web.Request) -> web.Response:
        task_id = _int_param(request, "task_id")
        outcome = self.manager.cancel(task_id)
        reason = outcome.skipped.get(task_id)
        if reason == "not found":
            raise web.HTTPNotFound(text=f"There is no task {task_id}.")
        if reason is not None:
            return _error(409, f"Task {task_id} cannot be cancelled: it is {reason}.")
        task = self.manager.get(task_id)
        assert task is not None
        return web.json_response(task.to_json())

    async def cancel_many(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        unknown = set(body) - {"ids", "all"}
        if unknown:
            raise web.HTTPBadRequest(text=f"Unknown field(s): {', '.join(sorted(unknown))}.")
        if body.get("all") is True:
            outcome = self.manager.cancel_all()
        else:
            ids = body.get("ids")
            if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids
            ):
                raise web.HTTPBadRequest(text='Give "ids": [whole numbers] or "all": true.')
            outcome = self.manager.cancel_many(ids)
        return web.json_response(
            {
                "cancelled": outcome.cancelled,
                "skipped": {str(k): v for k, v in outcome.skipped.items()},
                "summary": outcome.summary(),
            }
        )

    async def list_sources(self, request: web.Request) -> web.Response:
        library = self.manager.library
        limit, offset = _paging(request)
        scope = self._collection(request)
        sources = await asyncio.to_thread(
            lambda: library.sources(limit + 1, offset, collection_id=scope)
        )
        states = library.source_states(s.id for s in sources)
        names = library.imported_names(s.id for s in sources)
        out = [source_json(s, states.get(s.id), names.get(s.id, [])) for s in sources]
        return _page(out, limit, offset)

    async def import_path(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        raw = body.get("path")
        if not isinstance(raw, str) or not raw.strip() or "\x00" in raw:
            raise web.HTTPBadRequest(text='Give "path": the file or folder to import.')
        if set(body) - {"path"}:
            raise web.HTTPBadRequest(text='Only "path" is accepted.')
        path = Path(raw).expanduser()
        if not path.is_absolute():
            raise web.HTTPBadRequest(text=f"{raw} is not an absolute path.")
        from app.services.walk import collect_files

        exists = await asyncio.to_thread(path.exists)
        if not exists:
            raise web.HTTPNotFound(text=f"{path} does not exist on this computer.")
        files = (await asyncio.to_thread(collect_files, [path])).files
        tasks = self.manager.import_files(files)
        return web.json_response([t.to_json() for t in tasks], status=202)

    def _collection(self, request: web.Request) -> int | None:
        """The id of the collection named by `collection` (None when not given)."""
        name = request.query.get("collection")
        if name is None:
            return None
        found = self.manager.library.collection_named(name)
        if found is None:
            raise web.HTTPNotFound(text=f"There is no collection named “{name}”.")
        return found.id

    async def trash_source(self, request: web.Request) -> web.Response:
        """Move a document to the trash (as Delete in the window; restored from there)."""
        source_id = _int_param(request, "source_id")
        library = self.manager.library
        if library.source(source_id) is None:
            raise web.HTTPNotFound(text=f"There is no source {source_id}.")
        if not self.manager.trash_sources([source_id]):
            return _error(409, f"Source {source_id} is already in the trash.")
        trashed = next(t for t in library.trashed_sources() if t.source.id == source_id)
        names = library.imported_names([source_id]).get(source_id)
        return web.json_response({**trashed.to_json(), "names": names or [trashed.source.name]})

    async def list_pages(self, request: web.Request) -> web.Response:
        source_id = _int_param(request, "source_id")
        library = self.manager.library
        if library.is_trashed(source_id):
            raise web.HTTPNotFound(text=f"Source {source_id} is in the trash.")
        if library.source(source_id) is None:
            raise web.HTTPNotFound(text=f"There is no source {source_id}.")
        return web.json_response([p.to_json() for p in library.pages(source_id)])

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("q")
        if query is None:
            raise web.HTTPBadRequest(text='Give the words to find as "q".')
        parsed = parse_query(query)
        if parsed.problem:
            raise web.HTTPBadRequest(text=parsed.problem)
        limit, offset = _paging(request)
        library = self.manager.library
        scope = self._collection(request)
        count = library.search_count(parsed, collection_id=scope)
        hits = library.search(parsed, limit + 1, offset, collection_id=scope)
        names = library.imported_names({h.source_id for h in hits})
        response = _page(hits_json(hits, names), limit, offset)
        response.headers["X-Total-Pages"] = str(count.pages)
        response.headers["X-Total-Documents"] = str(count.documents)
        return response
