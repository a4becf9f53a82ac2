"""A faithful local emulator of Close's task API: SQLite store + WSGI app (issue 3).

It stands alone: stdlib only, nothing from the rest of closetask (httpx only inside
`embedded.transport`). Import the submodules you need; this package imports nothing, so
`closetask --help` does not pay for sqlite3.

    store.Store(path)            the database (":memory:" for tests)
    seed.reset(store, ...)       demo data
    app.SandboxApp(store, ...)   the WSGI app
    server.serve(app, ...)       threaded HTTP/1.1 server
    embedded.transport(db_path)  httpx transport for `closetask --sandbox`
    faults.Faults(...)           latency, 5xx, dropped connections, 429s

Inside: model.py (types, fields, dates, offsets), query.py (parameters -> filters, 400s),
deep_pages.py (where a deep page of the date order starts).
"""
