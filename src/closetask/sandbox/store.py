"""The sandbox's SQLite store: meta (API key, organization), users, leads, tasks.

Tasks keep what filters and ordering need in indexed columns and everything else (lead and
contact names, per-type fields, newer fields) as JSON, so a bulk change is one UPDATE.

Ordering by date depends on the caller's UTC offset (a date-only task sits at its local
midnight, before date-time tasks at that instant), so no static column can hold the order.
Date-only and date-time tasks are therefore read as two index-ordered streams and merged
in Python: a page costs O(skip + limit) index entries, not a sort of every match.

One connection per Store, guarded by a lock (the threaded server shares it); WAL and a busy
timeout let several processes use one file (the CLI in two terminals, a test server).
"""

from __future__ import annotations

import bisect
import heapq
import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from closetask.sandbox.deep_pages import DEEP_SKIP, split
from closetask.sandbox.model import When, new_id, parse_when

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, position INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leads (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    lead_id TEXT,
    assigned_to TEXT,
    is_complete INTEGER NOT NULL,
    date TEXT NOT NULL,
    date_only INTEGER NOT NULL,   -- 1: "YYYY-MM-DD", 0: a date-time
    ts REAL NOT NULL,             -- UTC instant, or UTC midnight of a date-only date
    is_dateless INTEGER NOT NULL,
    created_ts REAL NOT NULL,
    date_created TEXT NOT NULL,
    updated_ts REAL NOT NULL,
    date_updated TEXT NOT NULL,
    updated_by TEXT,
    body TEXT NOT NULL
);
"""
# Each index has (date_only, ts, id) right after its equality columns, so that a stream is
# read in order, never sorted; the leading columns match the common filters (a user's
# inbox/future/archive, one type, a lead). `type` rides along at the end so that the
# default lead-only filter and _type__in are checked inside the index, without a table
# lookup per row (a page deep in a big result stays a few milliseconds).
INDEXES = """
CREATE INDEX IF NOT EXISTS tasks_assignee ON tasks (assigned_to, is_complete, date_only, ts, id, type);
CREATE INDEX IF NOT EXISTS tasks_complete ON tasks (is_complete, date_only, ts, id, type);
CREATE INDEX IF NOT EXISTS tasks_type ON tasks (type, is_complete, date_only, ts, id);
CREATE INDEX IF NOT EXISTS tasks_lead ON tasks (lead_id, date_only, ts, id, type);
CREATE INDEX IF NOT EXISTS tasks_date ON tasks (date_only, ts, id, type);
CREATE INDEX IF NOT EXISTS tasks_created ON tasks (created_ts, id);
"""
_INDEX_NAMES = ("tasks_assignee", "tasks_complete", "tasks_type", "tasks_lead", "tasks_date", "tasks_created")
TASK_COLUMNS = (
    "id, type, lead_id, assigned_to, is_complete, date, date_only, ts, is_dateless, "
    "created_ts, date_created, updated_ts, date_updated, updated_by, body"
)
# Task keys that live in columns; everything else goes to `body`.
COLUMN_KEYS = frozenset(
    (
        "id",
        "_type",
        "lead_id",
        "assigned_to",
        "is_complete",
        "date",
        "is_dateless",
        "date_created",
        "date_updated",
        "updated_by",
    )
)
_DATE_OPS = {"lt", "lte", "gt", "gte"}


@dataclass
class TaskFilter:
    """A parsed `GET /task/` query. Date bounds are positions on the ordering line:
    (instant, 0 for a date-only value / 1 for a date-time), see model.When.bound."""

    offset_s: float = 0.0
    ids: list[str] | None = None
    types: list[str] | None = field(default_factory=lambda: ["lead"])  # None: all types
    lead_id: str | None = None
    assigned_to: list[str] | None = None
    is_complete: bool | None = None
    date: list[tuple[str, tuple[float, int]]] = field(default_factory=list)
    date_created: list[tuple[str, float]] = field(default_factory=list)
    date_updated: list[tuple[str, float]] = field(default_factory=list)

    def narrows(self) -> bool:
        """True when something other than the type limits the set (bulk PUT needs this)."""
        return bool(
            self.ids is not None
            or self.lead_id
            or self.assigned_to is not None
            or self.is_complete is not None
            or self.date
            or self.date_created
            or self.date_updated
        )


def _ts_op(op: str, bound_kind: int, date_only: bool) -> str:
    """SQL comparison of a stream's instant with a bound, honouring date-only-first ties.

    (instant, kind) OP (b, bk), where kind is 0 for date-only and 1 for date-time: when the
    kinds differ, equal instants are decided by the kind, which turns < into <= and so on.
    """
    kind = 0 if date_only else 1
    if op == "lt":
        return "<=" if kind < bound_kind else "<"
    if op == "lte":
        return "<=" if kind <= bound_kind else "<"
    if op == "gt":
        return ">=" if kind > bound_kind else ">"
    return ">=" if kind >= bound_kind else ">"  # gte


def _in(column: str, values: list[str], params: list) -> str:
    if not values:
        return "0"
    params.extend(values)
    return f"{column} IN ({','.join('?' * len(values))})"


def _where(f: TaskFilter, date_only: bool | None) -> tuple[str, list]:
    """WHERE clause for one stream (date_only True/False) or for both (None)."""
    clauses: list[str] = []
    params: list = []
    if f.ids is not None:
        clauses.append(_in("id", f.ids, params))
    if f.types is not None:
        clauses.append(_in("type", f.types, params))
    if f.lead_id is not None:
        clauses.append("lead_id = ?")
        params.append(f.lead_id)
    if f.assigned_to is not None:
        clauses.append(_in("assigned_to", f.assigned_to, params))
    if f.is_complete is not None:
        clauses.append("is_complete = ?")
        params.append(int(f.is_complete))
    for column, bounds in (("created_ts", f.date_created), ("updated_ts", f.date_updated)):
        for op, value in bounds:
            clauses.append(f"{column} {_SQL_OP[op]} ?")
            params.append(value)
    kinds = (date_only,) if date_only is not None else ((True, False) if f.date else ())
    if date_only is not None and not f.date:
        clauses.append("date_only = ?")
        params.append(int(date_only))
    elif kinds:
        alternatives = []
        for only in kinds:
            parts = ["date_only = ?"]
            params.append(int(only))
            for op, (instant, bound_kind) in f.date:
                parts.append(f"ts {_ts_op(op, bound_kind, only)} ?")
                # a date-only task's instant is ts - offset: compare ts with bound + offset
                params.append(instant + f.offset_s if only else instant)
            alternatives.append("(" + " AND ".join(parts) + ")")
        clauses.append("(" + " OR ".join(alternatives) + ")")
    return (" AND ".join(clauses) or "1"), params


_SQL_OP = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def task_row(task: dict) -> tuple:
    """A task dict (API field names) -> a row for INSERT, in TASK_COLUMNS order."""
    return pack_row(
        task["id"],
        task["_type"],
        task.get("lead_id"),
        task.get("assigned_to"),
        bool(task.get("is_complete")),
        parse_when(task["date"]),
        bool(task.get("is_dateless")),
        datetime.fromisoformat(task["date_created"]).timestamp(),
        task["date_created"],
        datetime.fromisoformat(task["date_updated"]).timestamp(),
        task["date_updated"],
        task.get("updated_by"),
        {k: v for k, v in task.items() if k not in COLUMN_KEYS},
    )


def completion(is_complete: bool) -> dict:
    """object_type/object_id of a lead task that has just been completed or reopened.

    Completing makes a completion activity (recorded: `taskcompleted`, `acti_...`). What
    reopening does is not recorded; the sandbox clears both, as on a task never completed.
    """
    if is_complete:
        return {"object_type": "taskcompleted", "object_id": new_id("acti")}
    return {"object_type": None, "object_id": None}


def pack_row(
    task_id: str,
    kind: str,
    lead_id: str | None,
    assigned_to: str | None,
    is_complete: bool,
    when: When,
    is_dateless: bool,
    created_ts: float,
    date_created: str,
    updated_ts: float,
    date_updated: str,
    updated_by: str | None,
    body: dict,
) -> tuple:
    """The one place that knows the column order (the seed calls it directly: re-parsing
    dates of 100,000 tasks would double the time of a reset)."""
    return (
        task_id,
        kind,
        lead_id,
        assigned_to,
        int(is_complete),
        when.text,
        int(when.date_only),
        when.ts,
        int(is_dateless),
        created_ts,
        date_created,
        updated_ts,
        date_updated,
        updated_by,
        _encode(body),
    )


_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def _task(row: tuple, body: dict | None = None) -> dict:
    """The task of a row: its JSON body (decoded here unless given) with the columns over it."""
    task = json.loads(row[14]) if body is None else body
    task.update(
        id=row[0],
        _type=row[1],
        lead_id=row[2],
        assigned_to=row[3],
        is_complete=bool(row[4]),
        date=row[5],
        is_dateless=bool(row[8]),
        date_created=row[10],
        date_updated=row[12],
        updated_by=row[13],
    )
    return task


def _tasks(rows: list[tuple]) -> list[dict]:
    """_task of many rows, their bodies decoded in one json.loads (a page: a third faster)."""
    bodies = json.loads("[" + ",".join(row[14] for row in rows) + "]")
    return [_task(row, body) for row, body in zip(rows, bodies, strict=True)]


class _Positions:
    """Rows of one stream by position (Store._stream): the last few thousand read."""

    LIMIT = 4096

    def __init__(self) -> None:
        self.rows: dict[int, tuple] = {}
        self.order: list[int] = []  # the positions, sorted

    def add(self, offset: int, rows: list[tuple]) -> None:
        for position, row in enumerate(rows, offset):
            if position not in self.rows:
                bisect.insort(self.order, position)
            self.rows[position] = row
        if len(self.order) > self.LIMIT:  # an export moves on: forget the first ones
            for position in self.order[: -self.LIMIT // 2]:
                del self.rows[position]
            del self.order[: -self.LIMIT // 2]

    def before(self, offset: int, reach: int = 2000) -> tuple[int, tuple] | None:
        """The known row nearest before `offset` (at most `reach` rows before), or None."""
        index = bisect.bisect_left(self.order, offset) - 1
        if index < 0 or offset - self.order[index] > reach:
            return None
        position = self.order[index]
        return position, self.rows[position]


class Store:
    """The sandbox database. `path` is a file, or ":memory:" for unit tests."""

    def __init__(self, path: str | os.PathLike = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # Where deep-page walks stopped (deep_pages.split), by query and data version; the
        # version is this connection's writes plus PRAGMA data_version (other connections').
        self._writes = 0
        self._walks: dict = {}
        self._cursors: dict = {}  # the rows each stream's last read returned (_stream)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
        self._db.execute("PRAGMA busy_timeout = 10000")
        # A fresh completion activity ID per completed lead task inside bulk_update's one UPDATE.
        self._db.create_function("new_acti_id", 0, lambda: new_id("acti"))
        if self.path != ":memory:":
            self._use_wal()
            self._db.execute("PRAGMA synchronous = NORMAL")
        # An existing database is only read here: a read-only command must not queue for
        # the write lock behind another process's bulk update.
        if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            with self.write() as db:
                # not executescript: it would COMMIT the IMMEDIATE transaction that guards
                # against two processes creating the schema at once
                for statement in (SCHEMA + INDEXES).split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _use_wal(self) -> None:
        """Switch a new file to WAL. SQLite answers "database is locked" at once, without
        the busy timeout, when another connection holds the file while the mode changes (a
        process creating the schema at the same moment): wait and retry, up to 10 s."""
        import time

        deadline = time.monotonic() + 10
        while True:
            try:
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE so two processes queue instead of deadlocking."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._writes += 1
            self._db.execute("COMMIT")

    def _read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # --- meta, users, leads -----------------------------------------------------------

    def meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    @property
    def api_key(self) -> str | None:
        return self.meta("api_key")

    def organization(self) -> dict:
        raw = self.meta("organization")
        return json.loads(raw) if raw else {}

    def users(self) -> list[dict]:
        """The organization's users; the first one is the API key's user."""
        return [json.loads(r[0]) for r in self._read("SELECT body FROM users ORDER BY position")]

    def lead(self, lead_id: str) -> dict | None:
        rows = self._read("SELECT body FROM leads WHERE id = ?", (lead_id,))
        return json.loads(rows[0][0]) if rows else None

    def leads(self) -> list[dict]:
        return [json.loads(r[0]) for r in self._read("SELECT body FROM leads ORDER BY rowid")]

    def is_empty(self) -> bool:
        return not self._read("SELECT 1 FROM meta WHERE key = 'api_key'")

    def replace_all(
        self,
        *,
        meta: dict[str, str],
        users: list[dict],
        leads: list[dict],
        task_rows: Iterable[tuple],
        only_if_empty: bool = False,
    ) -> bool:
        """Swap in a whole data set in one transaction. With only_if_empty, do nothing
        (and answer False) when another process seeded first."""
        with self.write() as db:
            if only_if_empty and db.execute("SELECT 1 FROM meta WHERE key='api_key'").fetchall():
                return False
            for table in ("meta", "users", "leads", "tasks"):
                db.execute(f"DELETE FROM {table}")
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            db.executemany(
                "INSERT INTO users VALUES (?, ?, ?)",
                [(u["id"], i, json.dumps(u)) for i, u in enumerate(users)],
            )
            db.executemany("INSERT INTO leads VALUES (?, ?)", [(x["id"], json.dumps(x)) for x in leads])
            # Building the indexes once, after the rows, is several times faster than
            # keeping five of them up to date through 100,000 inserts.
            for name in _INDEX_NAMES:
                db.execute(f"DROP INDEX IF EXISTS {name}")
            db.executemany(f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({','.join('?' * 15)})", task_rows)
            for statement in INDEXES.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("ANALYZE")  # lets the planner pick the right index for each filter
        return True

    # --- tasks ------------------------------------------------------------------------

    def task(self, task_id: str) -> dict | None:
        rows = self._read(f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        return _task(rows[0]) if rows else None

    def _stream(self, where: str, params: list, way: str, offset: int, count: int, key: tuple) -> list[tuple]:
        """`count` (ts, id) rows of a stream from `offset`. Rows read before are remembered by
        position: from the nearest one before `offset` the read starts after it in the index
        (keyset) and steps over the few rows between, instead of over every row from the
        top: the next page of an export costs the same at any depth, and so does one asked
        a little out of turn (pages fetched 4 at a time). (ts, id) orders the stream
        strictly, so both reads give the same rows."""
        known = self._cursors.setdefault(key, _Positions())
        anchor = known.before(offset)
        if anchor is not None:
            at, (ts, task_id) = anchor
            after = "<" if way == "DESC" else ">"
            rows = self._db.execute(
                f"SELECT ts, id FROM tasks WHERE {where} AND (ts, id) {after} (?, ?) ORDER BY ts {way}, id {way} LIMIT ? OFFSET ?",
                [*params, ts, task_id, count, offset - 1 - at],
            ).fetchall()
        else:
            rows = self._db.execute(
                f"SELECT ts, id FROM tasks WHERE {where} ORDER BY ts {way}, id {way} LIMIT ? OFFSET ?",
                [*params, count, offset],
            ).fetchall()
        known.add(offset, rows)
        return rows

    def count_tasks(self) -> int:
        return self._read("SELECT count(*) FROM tasks")[0][0]

    def find(self, f: TaskFilter, *, order: str = "date", skip: int = 0, limit: int = 100) -> tuple[list[dict], bool]:
        """One page of tasks and whether more follow. order: [-]date or [-]date_created;
        ties are broken by id so that paging is stable."""
        want = skip + limit + 1
        desc = order.startswith("-")
        way = "DESC" if desc else "ASC"
        if order.lstrip("-") == "date":
            wheres = (_where(f, True), _where(f, False))
            with self._lock:
                # A deep page starts where SQLite's counts say (deep_pages.py): then each
                # stream is read from its OFFSET, not from the top into Python.
                offsets, key = (0, 0), None
                if skip >= DEEP_SKIP:
                    [(version,)] = self._db.execute("PRAGMA data_version").fetchall()
                    key = (
                        wheres[0][0],
                        *wheres[0][1],
                        wheres[1][0],
                        *wheres[1][1],
                        f.offset_s,
                        desc,
                        self._writes,
                        version,
                    )
                    for memo in (self._walks, self._cursors):
                        if len(memo) >= 64:  # a few exports at a time; forget the oldest
                            del memo[next(iter(memo))]
                    offsets = split(
                        self._db.execute,
                        *wheres,
                        offset_s=f.offset_s,
                        skip=skip,
                        descending=desc,
                        memo=self._walks,
                        memo_key=key,
                    )
                streams = []
                for date_only, (where, params), offset in zip((True, False), wheres, offsets, strict=True):
                    if key is None:
                        rows = self._read(
                            f"SELECT ts, id FROM tasks WHERE {where} ORDER BY ts {way}, id {way} LIMIT ?",
                            [*params, want],
                        )
                    else:
                        rows = self._stream(where, params, way, offset, want - skip, (key, date_only))
                    if date_only:  # date-only: local midnight, and before date-times there (0)
                        streams.append([(ts - f.offset_s, 0, i) for ts, i in rows])
                    else:
                        streams.append([(ts, 1, i) for ts, i in rows])
            start = skip - sum(offsets)  # 0 for a deep page: the streams start at it
            keys = [k[2] for k in islice(heapq.merge(*streams, reverse=desc), start + limit + 1)]
            page, has_more = keys[start : start + limit], len(keys) > start + limit
        else:
            where, params = _where(f, None)
            rows = self._read(
                f"SELECT id FROM tasks WHERE {where} ORDER BY created_ts {way}, id {way} LIMIT ? OFFSET ?",
                [*params, limit + 1, skip],
            )
            page, has_more = [r[0] for r in rows[:limit]], len(rows) > limit
        if not page:
            return [], has_more
        id_params: list = []
        found = {
            task["id"]: task
            for task in _tasks(
                self._read(f"SELECT {TASK_COLUMNS} FROM tasks WHERE {_in('id', page, id_params)}", id_params)
            )
        }
        return [found[i] for i in page if i in found], has_more

    def insert_task(self, task: dict) -> None:
        with self.write() as db:
            db.execute(f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({','.join('?' * 15)})", task_row(task))

    def update_task(self, task_id: str, changes: dict, *, stamp: str, user_id: str) -> dict | None:
        """Apply parsed changes (assigned_to, date: When, is_complete, text); None if unknown."""
        with self.write() as db:
            rows = db.execute(f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,)).fetchall()
            if not rows:
                return None
            task = _task(rows[0])
            was_complete = task["is_complete"]
            for key, value in changes.items():
                if key == "date":
                    task["date"], task["is_dateless"] = value.text, False
                else:
                    task[key] = value
            if task["_type"] == "lead" and task["is_complete"] != was_complete:
                task.update(completion(task["is_complete"]))
            task["date_updated"], task["updated_by"] = stamp, user_id
            db.execute(f"INSERT OR REPLACE INTO tasks ({TASK_COLUMNS}) VALUES ({','.join('?' * 15)})", task_row(task))
        return task

    def bulk_update(self, f: TaskFilter, changes: dict, *, stamp: str, user_id: str) -> int:
        """Apply column changes (assigned_to, date, is_complete) to every match, atomically."""
        sets = ["date_updated = ?", "updated_ts = ?", "updated_by = ?"]
        values: list = [stamp, datetime.fromisoformat(stamp).timestamp(), user_id]
        if "assigned_to" in changes:
            sets.append("assigned_to = ?")
            values.append(changes["assigned_to"])
        if "is_complete" in changes:
            done = bool(changes["is_complete"])
            sets.append("is_complete = ?")
            values.append(int(done))
            # A lead task that changes state points at a new completion activity, or at
            # nothing again (see completion()); the CASE reads the old is_complete.
            target = "'taskcompleted', '$.object_id', new_acti_id()" if done else "NULL, '$.object_id', NULL"
            sets.append(
                f"body = CASE WHEN type = 'lead' AND is_complete = {int(not done)} "
                f"THEN json_set(body, '$.object_type', {target}) ELSE body END"
            )
        if "date" in changes:
            when: When = changes["date"]
            sets.append("date = ?, date_only = ?, ts = ?, is_dateless = 0")
            values += [when.text, int(when.date_only), when.ts]
        where, params = _where(f, None)
        with self.write() as db:
            return db.execute(f"UPDATE tasks SET {', '.join(sets)} WHERE {where}", [*values, *params]).rowcount

    def delete_task(self, task_id: str) -> bool:
        with self.write() as db:
            return db.execute("DELETE FROM tasks WHERE id = ?", (task_id,)).rowcount > 0
