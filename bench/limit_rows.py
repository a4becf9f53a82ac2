"""--limit on a same-day inbox of 10,000 tasks: core.listing.first_rows reads every page (none can
settle row N on one day) and must not re-sort everything read after each page. Prints the time."""

import time
from datetime import date

from closetask.core.listing import first_rows
from closetask.core.timezone import TimeZone

tasks = [
    {
        "id": f"task_{n:05d}",
        "date": "2026-11-28T%02d:%02d:00+00:00" % (n // 60 % 24, n % 60),
        "date_created": "2026-11-01T00:00:00+00:00",
    }
    for n in range(10000)
]
tasks.sort(key=lambda t: t["date"])


def pages():
    return (tasks[i : i + 100] for i in range(0, len(tasks), 100))


t = time.perf_counter()
first_rows(pages(), 5, tz=TimeZone.parse("0"), today=date(2026, 11, 28))
print(f"{time.perf_counter() - t:.2f} s")
