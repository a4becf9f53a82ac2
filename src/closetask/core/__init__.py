"""Pure logic: dates and time zones, ordering, grouping. No I/O, no Rich, no httpx."""
