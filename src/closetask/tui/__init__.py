"""`closetask triage`'s full-screen UI (Textual). Imported only when `triage` runs.

It draws and reads keys; what it lists and every change it makes come from a backend that
cli/triage.py builds over the same core and change flow the commands use.
"""
