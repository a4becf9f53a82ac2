"""Per-profile files under the state directory: the undo journal's file (journal.py) and the
bulk lock (lock.py). Row numbers and caches are small JSON files written by core/refs.py and
session.py with config.write_atomic."""
