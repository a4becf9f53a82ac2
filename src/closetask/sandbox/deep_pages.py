"""Where a deep page of the date order starts, counted in SQLite instead of merged in Python.

The date order merges two index-ordered streams (store.py): date-only tasks, each at its
local midnight (stored `ts` minus the caller's offset), and date-time tasks at `ts`. Reading
`skip` rows of each stream into Python to merge them made page 300 of a 30,000-task inbox
cost 150 ms and an export of 100,000 tasks minutes. But date-only tasks come in few blocks
(one per date, ordered by id), and between two blocks sit exactly the date-time tasks whose
`ts` falls between the two local midnights. So the first `skip` rows of the merge hold
`off_a` date-only and `off_b` date-time tasks that a walk over the blocks finds with one
GROUP BY and one index-range COUNT per block, stopping at `skip`; the page is then the
merge of the two streams read from those OFFSETs. All counting runs in SQLite's C loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# Below this `skip`, reading the streams from the start costs less than counting.
DEEP_SKIP = 1000

Execute = Callable[[str, list], Iterable[tuple]]


Checkpoint = tuple  # (off_a, off_b, previous instant, previous block's ts): a walk's state


def split(
    execute: Execute,
    where_a: tuple[str, list],
    where_b: tuple[str, list],
    *,
    offset_s: float,
    skip: int,
    descending: bool,
    memo: dict[Any, list[Checkpoint]] | None = None,
    memo_key: Any = None,
) -> tuple[int, int]:
    """(off_a, off_b): how many date-only (a) and date-time (b) tasks the first `skip`
    tasks of the merged date order hold. `where_a`/`where_b` select each stream;
    `execute` runs SQL (the caller holds the store's lock): the blocks are read lazily, so
    the GROUP BY stops at the block where the page starts.

    `memo` (with a `memo_key` naming the query and the data's version) keeps where the
    last few walks stopped, so the next page of an export resumes from the block an earlier
    one started in instead of walking every block again from the first (page 1,000 of a
    100,000-task export: one block, not hundreds).
    """
    (sql_a, params_a), (sql_b, params_b) = where_a, where_b
    way = "DESC" if descending else "ASC"
    state: Checkpoint = (0, 0, None, None)
    saved: list[Checkpoint] = memo.setdefault(memo_key, []) if memo is not None else []
    # The nearest checkpoint at or before `skip`: pages fetched a few at a time come a
    # little out of turn, so the last few are kept, not only the newest.
    usable = [c for c in saved if c[0] + c[1] <= skip]
    if usable:
        state = max(usable, key=lambda c: c[0] + c[1])
    off_a, off_b, previous, previous_ts = state
    resume, resume_params = "", []
    if previous_ts is not None:  # only the blocks after the one the walk stopped before
        resume, resume_params = (" AND ts < ?" if descending else " AND ts > ?"), [previous_ts]
    blocks = execute(
        f"SELECT ts, count(*) FROM tasks WHERE ({sql_a}){resume} GROUP BY ts ORDER BY ts {way}",
        [*params_a, *resume_params],
    )
    left = skip - off_a - off_b

    def stop(result: tuple[int, int], checkpoint: Checkpoint) -> tuple[int, int]:
        if memo is not None and checkpoint not in saved:
            saved.append(checkpoint)
            del saved[:-8]
        return result

    for ts, count in blocks:
        checkpoint = (off_a, off_b, previous, previous_ts)  # before this block's segment
        instant = ts - offset_s  # where the block sits: before date-times at that instant
        # Date-time tasks that come before this block: ascending, those before its instant
        # (and at or after the previous block's); descending, those at or after it.
        if descending:
            bounds, values = "ts >= ?", [instant]
            if previous is not None:
                bounds, values = bounds + " AND ts < ?", [*values, previous]
        else:
            bounds, values = "ts < ?", [instant]
            if previous is not None:
                bounds, values = "ts >= ? AND " + bounds, [previous, *values]
        # The bounds go first: SQLite seeks the index with the first upper bound it meets,
        # and the stream's own date bound (the view's) would make every count run to its end.
        [(between,)] = execute(f"SELECT count(*) FROM tasks WHERE {bounds} AND {sql_b}", [*values, *params_b])
        if left <= between:
            return stop((off_a, off_b + left), checkpoint)
        off_b += between
        left -= between
        if left <= count:
            return stop((off_a + left, off_b), checkpoint)
        off_a += count
        left -= count
        previous, previous_ts = instant, ts
    # The rest are date-times after the last block.
    return stop((off_a, off_b + left), (off_a, off_b, previous, previous_ts))
