"""The eight task types of Close's Tasks API (seed page), in the page's order.

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
)
