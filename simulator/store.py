"""The result store of a sweep: one SQLite file per study, safe against crashes.

A study is one scenario text and one master seed run at several *points* (values of the
``--set`` paths), for one or more variants, with replications ``0 … n−1`` at every point
(common random numbers: replication ``i`` draws the same streams everywhere). The store holds
every finished replication as one row, committed in its own transaction, so a study killed at
any instant (Ctrl-C, SIGKILL, a power cut) keeps every replication committed before it and
``--resume`` runs only what is missing. The schema is in docs/batch.md.

Durability: the file is in WAL mode with ``synchronous=NORMAL``: a crashed or killed process
never corrupts it nor loses a committed replication; a power cut may lose the last few
commits (never half of one), which a resume then runs again — with the same values.

Mixing is refused: a store remembers the scenario text (and its SHA-256), the seed, the
LineLab version, the ``--set`` paths and the warm-up rule; opening it for a study that differs
in any of these raises :class:`StoreMismatch` before anything is written.

Only the process that runs the sweep writes (the workers return their results to it); a
second sweep on the same store at the same time is refused (:class:`StoreBusy`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulator import __version__

__all__ = [
    "STORE_FORMAT",
    "NotAStore",
    "ResultStore",
    "RunRecord",
    "StoreBusy",
    "StoreDamaged",
    "StoreFormat",
    "StoreMismatch",
    "StoreUnavailable",
    "StudyMeta",
    "inspect_store",
    "scenario_sha256",
    "utc_now",
]

STORE_FORMAT = 1
"""Version of the schema below; a store of another format is refused, not guessed at."""

_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE points (
    point  INTEGER PRIMARY KEY,
    params TEXT NOT NULL UNIQUE
);
CREATE TABLE runs (
    variant     TEXT    NOT NULL,
    point       INTEGER NOT NULL REFERENCES points(point),
    replication INTEGER NOT NULL CHECK (replication >= 0),
    status      TEXT    NOT NULL CHECK (status IN ('ok', 'error')),
    kpis        TEXT,
    detail      TEXT,
    error       TEXT,
    traceback   TEXT,
    warmup_s    REAL,
    started     TEXT    NOT NULL,
    finished    TEXT    NOT NULL,
    linelab     TEXT    NOT NULL,
    PRIMARY KEY (variant, point, replication)
) WITHOUT ROWID;
CREATE TABLE sessions (
    session  INTEGER PRIMARY KEY,
    started  TEXT NOT NULL,
    ended    TEXT,
    command  TEXT NOT NULL,
    outcome  TEXT
);
"""


class NotAStore(Exception):
    """The file is not a LineLab result store (another SQLite file, or not SQLite at all)."""


class StoreMismatch(Exception):
    """The store holds another study (scenario, seed, paths, warm-up rule or version)."""


class StoreBusy(Exception):
    """Another sweep is writing to this store right now."""


class StoreDamaged(NotAStore):
    """An SQLite file that is damaged (truncated, overwritten): perhaps a store once."""


class StoreFormat(NotAStore):
    """A LineLab result store of another format (a newer LineLab wrote it)."""


class StoreUnavailable(Exception):
    """The file may be a store, but it cannot be opened (permissions, a vanished folder)."""


def utc_now() -> str:
    """The current time as ISO 8601 UTC with microseconds (the store's time stamps)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def scenario_sha256(text: str) -> str:
    """SHA-256 (hex) of the scenario text as UTF-8: what identifies a study's scenario."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StudyMeta:
    """What defines a study: results of two studies that differ here must never mix."""

    scenario_text: str
    scenario_file: str
    scenario_name: str
    seed: int
    paths: tuple[str, ...]
    """The ``--set`` paths, in command-line order (the store's parameter columns)."""
    warmup: str = "file"
    """``"file"`` (the scenario's warm-up) or ``"auto"`` (MSER-5 per variant and point)."""
    design: str = "grid"
    linelab: str = __version__

    @property
    def scenario_sha256(self) -> str:
        """SHA-256 of :attr:`scenario_text`."""
        return scenario_sha256(self.scenario_text)

    def to_rows(self) -> dict[str, str]:
        """The ``meta`` table's rows."""
        return {
            "store_format": str(STORE_FORMAT),
            "linelab": self.linelab,
            "scenario_file": self.scenario_file,
            "scenario_name": self.scenario_name,
            "scenario_sha256": self.scenario_sha256,
            "scenario_text": self.scenario_text,
            "seed": str(self.seed),
            "paths": json.dumps(list(self.paths)),
            "warmup": self.warmup,
            "design": self.design,
        }

    @classmethod
    def from_rows(cls, rows: Mapping[str, str]) -> StudyMeta:
        """Read back :meth:`to_rows`; :class:`NotAStore` if a key is missing or malformed."""
        try:
            return cls(
                scenario_text=rows["scenario_text"],
                scenario_file=rows["scenario_file"],
                scenario_name=rows["scenario_name"],
                seed=int(rows["seed"]),
                paths=tuple(str(p) for p in json.loads(rows["paths"])),
                warmup=rows["warmup"],
                design=rows["design"],
                linelab=rows["linelab"],
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise NotAStore(f"its study description is incomplete ({exc})") from None

    def differences(self, other: StudyMeta) -> list[str]:
        """Why a study described by ``other`` cannot continue this store (empty: it can)."""
        out: list[str] = []
        if self.scenario_sha256 != other.scenario_sha256:
            out.append(
                f"it holds a study of another scenario text ({self.scenario_file!r}, "
                f"sha256 {self.scenario_sha256[:12]}…; this one is {other.scenario_sha256[:12]}…)"
            )
        if self.seed != other.seed:
            out.append(f"it was run with seed {self.seed}, not {other.seed}")
        if self.paths != other.paths:
            shown = ", ".join(self.paths) or "(none)"
            out.append(f"it varies {shown}, not {', '.join(other.paths) or '(none)'}")
        if self.warmup != other.warmup:
            out.append(f"its warm-up rule is {self.warmup!r}, not {other.warmup!r}")
        if self.linelab != other.linelab:
            out.append(
                f"it was written by LineLab {self.linelab}, this is {other.linelab} "
                "(random streams are not promised to match across versions)"
            )
        return out


@dataclass(frozen=True)
class RunRecord:
    """One finished replication at one variant and point: its KPIs, or the error it raised."""

    variant: str
    point: int
    replication: int
    started: str
    finished: str
    kpis: dict[str, float | None] | None
    """KPIs by their JSON names (``throughput_per_hour``, …); ``None`` for a crash."""
    detail: dict[str, Any] | None = None
    """Station, resource and product figures of the replication (JSON-ready)."""
    error: str | None = None
    """``Type: message`` of a replication that raised; ``None`` when it finished."""
    traceback: str | None = None
    warmup_s: float | None = None
    """The warm-up the replication used (s)."""
    linelab: str = __version__

    @property
    def key(self) -> tuple[str, int, int]:
        """``(variant, point, replication)``: unique in a store."""
        return (self.variant, self.point, self.replication)


def _clean(value: Any) -> Any:
    """JSON-ready: NaN and infinities become ``None`` (strict JSON), containers recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _dumps(value: Any) -> str:
    """Strict, compact JSON; floats as their shortest round-trip repr (values stay exact)."""
    return json.dumps(_clean(value), allow_nan=False, separators=(",", ":"), ensure_ascii=False)


def params_key(params: Mapping[str, Any]) -> str:
    """A point's parameter values as the canonical JSON text stored in ``points.params``."""
    return _dumps(dict(params))


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _connect_readonly(path: str) -> sqlite3.Connection:
    """A connection that does not write, also to a store in a read-only folder.

    First an ordinary connection with ``query_only`` (the last one to close removes the
    ``-wal`` and ``-shm`` side files, so reading leaves the folder as it was). Where SQLite
    cannot create those side files (a read-only folder or file system), ``mode=ro``; and
    where even that cannot open the file because no ``-wal`` exists to share, nothing is
    waiting in a log and nobody can be writing (no writer could create its log there), so
    the file is read as ``immutable``.
    """
    conn: sqlite3.Connection | None = None
    try:
        conn = _connect(path)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if _code(exc) not in ("SQLITE_CANTOPEN", "SQLITE_READONLY"):
            raise
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    conn = None
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if _code(exc) != "SQLITE_CANTOPEN" or os.path.exists(path + "-wal"):
            raise
    return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None)


_PRIMARY_CODES = {5: "SQLITE_BUSY", 8: "SQLITE_READONLY", 10: "SQLITE_IOERR",
                  11: "SQLITE_CORRUPT", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN",
                  26: "SQLITE_NOTADB"}


def _code(exc: sqlite3.Error) -> str:
    """SQLite's primary result code of ``exc`` by name (``SQLITE_CANTOPEN``), or ``""``."""
    code = getattr(exc, "sqlite_errorcode", None)
    return "" if code is None else _PRIMARY_CODES.get(int(code) & 0xFF, "")


def _unreadable(exc: sqlite3.Error) -> Exception:
    """Why a file could not be read as a store: :class:`NotAStore` for a file that is not an
    SQLite database or is damaged, :class:`StoreUnavailable` for one that cannot be opened."""
    code = _code(exc)
    if code == "SQLITE_NOTADB":
        return NotAStore(f"not an SQLite database ({exc})")
    if code == "SQLITE_CORRUPT":
        return StoreDamaged(f"a damaged SQLite file, truncated or overwritten ({exc})")
    return StoreUnavailable(f"cannot open it ({exc})")


def _read_meta(conn: sqlite3.Connection, path: str) -> StudyMeta:
    try:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not {"meta", "points", "runs"} <= tables:
            if os.path.getsize(path) == 0:
                raise NotAStore("an empty file")
            raise NotAStore("an SQLite database, but not a LineLab result store")
        rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise _unreadable(exc) from None
    if rows.get("store_format") != str(STORE_FORMAT):
        held = rows.get("store_format")
        newer = held is not None and held.isdigit() and int(held) > STORE_FORMAT
        raise StoreFormat(
            f"a LineLab result store of format {held}"
            + (" (written by a newer LineLab)" if newer else "")
            + f"; this LineLab reads format {STORE_FORMAT}"
        )
    return StudyMeta.from_rows(rows)


def inspect_store(path: str) -> StudyMeta | None:
    """The study a store holds, without writing anything; ``None`` if there is no file.

    Raises :class:`NotAStore` for a file that is not a store (or is damaged),
    :class:`StoreUnavailable` for one that cannot be opened.
    """
    if not os.path.exists(path):
        return None
    if not os.path.isfile(path):
        raise NotAStore("not a regular file")
    try:
        conn = _connect_readonly(path)
    except sqlite3.Error as exc:
        raise _unreadable(exc) from None
    try:
        return _read_meta(conn, path)
    finally:
        conn.close()


class ResultStore:
    """An open result store (the only writer of its file while open).

    Create one with :meth:`create` (a new file, written atomically: it appears complete with
    its study description and points, or not at all) or :meth:`open` (an existing store).
    Use it as a context manager, or :meth:`close` it.
    """

    def __init__(self, path: str, conn: sqlite3.Connection, meta: StudyMeta) -> None:
        self.path = path
        self.meta = meta
        self._conn = conn
        self._lock_fd: int | None = None
        self._session: int | None = None

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str, meta: StudyMeta, points: Sequence[Mapping[str, Any]]) -> ResultStore:
        """A new store at ``path`` (which must not exist) for ``meta``, with ``points``.

        Written to a temporary file in the same folder, locked, then published under
        ``path`` by a hard link, which fails if ``path`` exists: a crash during creation never
        leaves a store without its study description, and of two sweeps creating the same
        store at once one gets :class:`FileExistsError` instead of replacing the other's
        file under it. Temporary files left by a killed creation are removed.
        """
        folder = os.path.dirname(os.path.abspath(path))
        base = os.path.basename(path)
        _remove_stale_temporaries(folder, base)
        temp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # umask applies
        lock_fd: int | None = None
        try:
            lock_fd = _lock(temp)  # from here on, the file is ours until closed
            conn = _connect(temp)
            try:
                conn.executescript(_SCHEMA)
                with _transaction(conn):
                    conn.executemany(
                        "INSERT INTO meta (key, value) VALUES (?, ?)",
                        [*meta.to_rows().items(), ("created", utc_now())],
                    )
                    conn.executemany(
                        "INSERT INTO points (point, params) VALUES (?, ?)",
                        [(i, params_key(p)) for i, p in enumerate(points)],
                    )
                conn.execute("PRAGMA journal_mode = WAL")
            finally:
                conn.close()
            _publish(temp, path)
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return cls.open(path, _lock_fd=lock_fd)

    @classmethod
    def open(cls, path: str, *, _lock_fd: int | None = None) -> ResultStore:
        """Open the existing store at ``path`` for writing; :class:`StoreBusy` if another
        sweep has it open, :class:`NotAStore` if it is not a store."""
        lock_fd = _lock(path) if _lock_fd is None else _lock_fd
        try:
            conn = _connect(path)
            try:
                meta = _read_meta(conn, path)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            except BaseException:
                conn.close()
                raise
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        store = cls(path, conn, meta)
        store._lock_fd = lock_fd
        return store

    def close(self) -> None:
        """Close the file (a checkpoint folds the WAL into it) and release the lock."""
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- points ----------------------------------------------------------------------------

    def points(self) -> dict[int, dict[str, Any]]:
        """Every point of the study: id → parameter values (path → value)."""
        return {
            point: json.loads(params)
            for point, params in self._conn.execute(
                "SELECT point, params FROM points ORDER BY point"
            )
        }

    def add_points(self, points: Sequence[Mapping[str, Any]]) -> list[int]:
        """The ids of ``points``, adding those the store does not have (one transaction)."""
        known = {params: point for point, params in self._conn.execute(
            "SELECT point, params FROM points"
        )}
        ids: list[int] = []
        new: list[tuple[int, str]] = []
        next_id = max(known.values(), default=-1) + 1
        for p in points:
            key = params_key(p)
            if key not in known:
                known[key] = next_id
                new.append((next_id, key))
                next_id += 1
            ids.append(known[key])
        if new:
            with _transaction(self._conn):
                self._conn.executemany("INSERT INTO points (point, params) VALUES (?, ?)", new)
        return ids

    # -- sessions --------------------------------------------------------------------------

    def begin_session(self, command: str) -> None:
        """Record that a sweep started now (``sessions``: when a study ran, and how)."""
        with _transaction(self._conn):
            cur = self._conn.execute(
                "INSERT INTO sessions (started, command) VALUES (?, ?)", (utc_now(), command)
            )
        self._session = cur.lastrowid

    def end_session(self, outcome: str) -> None:
        """Record how the current sweep ended (``done``, ``interrupted``, ``failed: …``)."""
        if self._session is None:
            return
        with _transaction(self._conn):
            self._conn.execute(
                "UPDATE sessions SET ended = ?, outcome = ? WHERE session = ?",
                (utc_now(), outcome, self._session),
            )
        self._session = None

    # -- replications ----------------------------------------------------------------------

    def done(self) -> set[tuple[str, int, int]]:
        """``(variant, point, replication)`` of every stored replication, crashed ones too
        (a crash is deterministic: running it again would crash again)."""
        return {
            (v, p, r)
            for v, p, r in self._conn.execute("SELECT variant, point, replication FROM runs")
        }

    def record(self, run: RunRecord) -> None:
        """Store one finished replication, in its own transaction."""
        with _transaction(self._conn):
            self._conn.execute(
                "INSERT INTO runs (variant, point, replication, status, kpis, detail, error, "
                "traceback, warmup_s, started, finished, linelab) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.variant,
                    run.point,
                    run.replication,
                    "ok" if run.error is None else "error",
                    None if run.kpis is None else _dumps(run.kpis),
                    None if run.detail is None else _dumps(run.detail),
                    run.error,
                    run.traceback,
                    run.warmup_s,
                    run.started,
                    run.finished,
                    run.linelab,
                ),
            )

    def records(self) -> Iterator[RunRecord]:
        """Every stored replication, ordered by variant (first stored first), point and
        replication."""
        order = self._variant_order()
        rows = self._conn.execute(
            "SELECT variant, point, replication, kpis, detail, error, traceback, warmup_s, "
            "started, finished, linelab FROM runs"
        ).fetchall()
        rows.sort(key=lambda r: (order.get(r[0], len(order)), r[0], r[1], r[2]))
        for v, p, r, kpis, detail, error, tb, warm, started, finished, version in rows:
            yield RunRecord(
                variant=v,
                point=p,
                replication=r,
                started=started,
                finished=finished,
                kpis=None if kpis is None else json.loads(kpis),
                detail=None if detail is None else json.loads(detail),
                error=error,
                traceback=tb,
                warmup_s=warm,
                linelab=version,
            )

    def _variant_order(self) -> dict[str, int]:
        order: dict[str, int] = {}
        for (variant,) in self._conn.execute(
            "SELECT variant FROM runs GROUP BY variant ORDER BY MIN(started)"
        ):
            order[variant] = len(order)
        return order

    def sessions(self) -> list[tuple[str, str | None, str, str | None]]:
        """``(started, ended, command, outcome)`` of every sweep that wrote to the store."""
        return list(
            self._conn.execute(
                "SELECT started, ended, command, outcome FROM sessions ORDER BY session"
            )
        )

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` (``"ok"`` for a sound file)."""
        return "\n".join(row[0] for row in self._conn.execute("PRAGMA integrity_check"))


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception (Ctrl-C included)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _publish(temp: str, path: str) -> None:
    """Give the finished file ``temp`` the name ``path``; :class:`FileExistsError` if
    ``path`` exists (checked by the link itself, so no other process can slip in)."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if os.path.exists(path):
            raise FileExistsError(path) from None
        os.replace(temp, path)


def _remove_stale_temporaries(folder: str, base: str) -> None:
    """Remove what a creation of ``base`` killed part-way left in ``folder`` (its
    ``.BASE.XXXXXXXXXXXX.tmp`` file and SQLite's side files of it); a creation still
    running holds its lock and is left alone."""
    prefix = f".{base}."
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        rest = name[len(prefix):] if name.startswith(prefix) else ""
        token, _, suffix = rest.partition(".tmp")
        if len(token) != 12 or not all(c in "0123456789abcdef" for c in token):
            continue
        if suffix not in ("", "-journal", "-wal", "-shm"):
            continue
        temp = os.path.join(folder, prefix + token + ".tmp")
        try:
            fd = _lock(temp) if os.path.exists(temp) else None
        except (StoreBusy, OSError):
            continue  # being created right now
        try:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
        finally:
            if fd is not None:
                os.close(fd)


def _lock(path: str) -> int | None:
    """An exclusive advisory lock on the store (``flock``; SQLite's own locks are separate
    ``fcntl`` locks): one sweep per store at a time. ``None`` where ``flock`` is missing."""
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's locking still keeps the file sound
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreBusy("another sweep is writing to it") from None
    return fd


def read_records(path: str) -> tuple[StudyMeta, dict[int, dict[str, Any]], list[RunRecord]]:
    """The study, points and replications of the store at ``path``, read without writing.

    Raises :class:`NotAStore` (also for a missing file), :class:`StoreUnavailable`.
    Works in a read-only folder too (an archived or shared study).
    """
    if not os.path.isfile(path):
        raise NotAStore("no such file" if not os.path.exists(path) else "not a regular file")
    try:
        conn = _connect_readonly(path)
    except sqlite3.Error as exc:
        raise _unreadable(exc) from None
    try:
        meta = _read_meta(conn, path)
        reader = ResultStore(path, conn, meta)
        return meta, reader.points(), list(reader.records())
    except sqlite3.DatabaseError as exc:
        raise _unreadable(exc) from None
    finally:
        conn.close()


def kpi_names(records: Iterable[RunRecord]) -> list[str]:
    """The KPI names of ``records``, in the order of the run JSON: every line's KPIs always
    (so a CSV keeps its columns when every replication crashed or none is stored yet), the
    format-v2 ones when a replication has them."""
    from simulator.experiment import KPI_NAMES, V2_KPI_NAMES

    seen: dict[str, None] = dict.fromkeys(KPI_NAMES)
    for record in records:
        for name in record.kpis or {}:
            seen.setdefault(name, None)
    known = [n for n in (*KPI_NAMES, *V2_KPI_NAMES) if n in seen]
    return known + [n for n in seen if n not in known]
