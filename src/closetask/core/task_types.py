"""Close's task types: the seed page's eight, in its order, then `outgoing_call`, which
Close's newer docs let clients create (close-api.md; no recording shows its shape).

Its own module, importing nothing, so that shell completion can offer the names without
loading the query code.
"""

TASK_TYPES = (
    "lead",
    "incoming_email",
    "email_followup",
    "missed_call",
    "answered_detached_call",
    "voicemail",
    "opportunity_due",
    "incoming_sms",
    "outgoing_call",
)
