"""Everything that knows Close: its URLs (tasks.py, users.py), the HTTP client (http.py) and
what its answers mean (answers.py). Nothing above this package builds a Close path."""
