"""Printing: Rich tables for people (`table`), JSON / JSONL / IDs / TSV for programs
(`machine`), the per-type summary text (`summary`) and the transient fetch indicator
(`progress`). Renderers take data that is already fetched; they never touch the network.
"""
