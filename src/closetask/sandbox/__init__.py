"""A faithful local emulator of Close's task API: SQLite store + WSGI app.

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

Task objects follow the real answers recorded in tests/recorded/ where one exists (lead,
completed lead, email_followup, opportunity_due): their keys, key order and ID shapes
(`task_` for lead tasks, `noti_` for the tasks Close makes itself, 43 base62 characters).
Where the sandbox still differs from Close, or guesses:
- Types with no recording (incoming_email, missed_call, answered_detached_call, voicemail,
  incoming_sms, outgoing_call) take their fields from close-api.md's table; their key order
  is the documented one, not Close's. System tasks are assumed to be `noti_` and to lack
  `text` (except the SMS body), `due_date` and `is_dateless`, as the recorded ones do.
  outgoing_call (never seeded) is shaped like a lead task.
- Reopening a completed lead task sets `object_type`/`object_id` back to null: no recording
  shows what Close does. Completing one makes a fresh `acti_` ID; no activity exists behind it.
- `object_id` of calls, SMS and incoming emails is an `acti_` ID (recorded only for an
  email_followup); `opportunity_value_formatted` is "$N" whatever the period.
- Newer fields (`is_new`, `priority`, `deduplication_key`) appear on lead tasks only; no
  recording has them.
- The recorded lead task with `is_dateless: null` is not reproduced: `is_dateless` is a boolean.
- `_limit` is capped at 1000 on /task/ (accepted by Close; its real cap is unknown), 100 on
  /user/. The bulk PUT answers `{}` and DELETE `{}`: Close's bodies are undocumented.
- `_skip` is unlimited unless `serve --max-skip N` sets a cap (Close's cap for tasks is not
  published; the 400's text is a recorded one for another resource). `--rate-limit` counts per
  endpoint group (method and path), as close-api.md says Close does; its `reset` is whole
  seconds. `--hold-listing` is a test hook with no counterpart in Close.
"""
