"""Complete every task dated before DAY the way Close's own scripts do it, with Close's
official Python client (`closeio` on PyPI): page the IDs with `_fields=id`, collect them
all first (paging while changing would skip tasks), then one PUT per task.

    python bench/closeio_complete.py BASE_URL API_KEY DAY

The base URL points the client at the sandbox instead of api.close.com. Prints
`listed N, completed M` on stdout.
"""

from __future__ import annotations

import sys

from closeio_api import Client


def main(base_url: str, api_key: str, day: str) -> None:
    api = Client(api_key, tz_offset="0")
    api.base_url = base_url  # Client() always means api.close.com; the attribute is public
    params = {"_type": "all", "is_complete": "false", "date__lt": day, "_fields": "id", "_limit": 100}
    ids: list[str] = []
    skip = 0
    while True:
        page = api.get("task", params={**params, "_skip": skip})
        ids.extend(task["id"] for task in page["data"])
        skip += len(page["data"])
        if not page["has_more"] or not page["data"]:
            break
    completed = 0
    for task_id in ids:
        api.put(f"task/{task_id}", data={"is_complete": True})
        completed += 1
    print(f"listed {len(ids)}, completed {completed}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
