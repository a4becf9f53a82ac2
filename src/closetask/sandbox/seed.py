"""Demo data that looks real: one organization, three users, ~40 leads, tasks of all types.

Deterministic for a given seed and `now`: tasks come from `random.Random(seed)`, dated
relative to `now`'s local day. Users, organization and leads come from a fixed RNG, so their
IDs survive a reset (a cached `/me/` stays right); the API key survives too.

Buckets and types are *stratified* (exact shares, then shuffled), not drawn one by one, so
the 60-task default always gives the key's user a nice inbox (overdue + today), some future
and some archive, and every one of the eight task types appears.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from closetask.sandbox.model import (
    BASE62,
    ENV_NOW,
    EPOCH,
    OBJECT_TYPES,
    When,
    env_now,
    iso_instant,
    new_id,
    task_prefix,
)
from closetask.sandbox.store import Store, pack_row

COMPANIES = (
    "Acme Logistics",
    "Bluebird Dental Group",
    "Cedar & Pine Interiors",
    "Driftwood Coffee Roasters",
    "Evergreen Solar",
    "Falcon Freight",
    "Granite Peak Construction",
    "Harborview Capital",
    "Ironclad Security",
    "Juniper Health",
    "Keystone Legal",
    "Lighthouse Learning",
    "Maple Street Bakery",
    "Northwind Traders",
    "Oakridge Veterinary",
    "Pinnacle Fitness",
    "Quarry Hill Winery",
    "Redwood Analytics",
    "Silverline Telecom",
    "Tidewater Marine",
    "Upland Outfitters",
    "Vantage Realty",
    "Willow Creek Farms",
    "Xylo Audio",
    "Yellowstone Travel",
    "Zephyr Aviation",
    "Atlas Robotics",
    "Beacon Insurance",
    "Copperleaf Software",
    "Delta Print Works",
    "Emberline Studios",
    "Foxglove Florists",
    "Golden Gate Staffing",
    "Hawthorne Labs",
    "Indigo Apparel",
    "Jetstream Couriers",
    "Kingfisher Hotels",
    "Lumen Lighting Co.",
    "Meridian Biotech",
    "Nimbus Cloud Services",
)
FIRST = (
    "Maya",
    "Liam",
    "Sofia",
    "Noah",
    "Aisha",
    "Lucas",
    "Hana",
    "Mateo",
    "Chloe",
    "Ethan",
    "Zara",
    "Oliver",
    "Ines",
    "Kenji",
    "Grace",
    "Omar",
    "Lena",
    "Samuel",
    "Nora",
    "Ravi",
)
LAST = (
    "Chen",
    "Okafor",
    "Novak",
    "Silva",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Brennan",
    "Rossi",
    "Lindqvist",
    "Moreau",
    "Patel",
    "Schmidt",
    "Nguyen",
    "Adeyemi",
    "Garcia",
    "Keller",
    "Ward",
)
STATUSES = ("Potential", "Qualified", "Interested", "Customer", "Bad Fit")
USERS = (("Alex", "Morgan"), ("Priya", "Raman"), ("Diego", "Alvarez"))
ORG_NAME, DOMAIN = "Brightwater Sales", "brightwater.example"
LEAD_TEXTS = (
    "Call {first} about the renewal",
    "Send the proposal to {company}",
    "Follow up on pricing questions",
    "Book a demo with {first}",
    "Check in after the trial ends",
    "Prepare the QBR deck for {company}",
    "Confirm the contract signature",
    "Intro call with {first} {last}",
    "Ask {first} for a referral",
    "Send case studies to {company}",
    "Review the security questionnaire",
    "Schedule onboarding for {company}",
)
SUBJECTS = (
    "Re: Pricing for {company}",
    "Question about our contract",
    "Re: Next steps",
    "Invoice #{n} question",
    "Re: Demo follow-up",
    "Can we move our call?",
)
PREVIEWS = (
    "Hi, thanks for the call yesterday. Could you send over",
    "Quick question about the",
    "Following up on my last email regarding",
    "Looping in our CFO, who will want to see",
)
SMS = ("Running 5 min late", "Can you call me back?", "Got the quote, thanks!", "Is Friday still ok?")

# Bucket -> share of a user's tasks; the key's user gets ~47% inbox (overdue + today).
BUCKETS = {"overdue": 20, "today": 12, "today_at": 15, "tomorrow": 10, "weeks": 18, "done": 25}
TYPES_NOW = {
    "lead": 40,
    "incoming_email": 14,
    "email_followup": 8,
    "missed_call": 11,
    "answered_detached_call": 5,
    "voicemail": 8,
    "opportunity_due": 6,
    "incoming_sms": 8,
}
# object_id prefix by object_type. The one recorded emailthread task (an email_followup)
# points at an `acti_` ID, so incoming_email does too; calls and SMS are activities as well.
ID_PREFIX = {"opportunity": "oppo"}
PERIODS = ("one_time", "one_time", "monthly", "annual")  # opportunity_value_period; one_time recorded
TYPES_LATER = {"lead": 70, "email_followup": 15, "opportunity_due": 15}  # no calls from the future


class _Rng(random.Random):
    """random.Random with float-based randint/choice/randrange: several times faster, which
    matters for 100,000 tasks, and just as deterministic for a given seed."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, a: int, b: int) -> int:  # type: ignore[override]  # two-argument form only, all the seed uses
        return a + int(self.random() * (b - a))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


def _spread(n: int, weights: dict[str, int], rng: random.Random) -> list[str]:
    """Exactly proportional labels (largest remainder), shuffled."""
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: n - sum(counts.values())]:
        counts[k] += 1
    labels = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(labels)
    return labels


def _phone(rng: random.Random) -> tuple[str, str]:
    area, line = rng.choice(("415", "212", "312", "512", "617")), rng.randrange(100, 199)
    return f"+1{area}5550{line}", f"+1 {area}-555-0{line}"


def _people(rng: random.Random) -> tuple[list[dict], dict, list[dict]]:
    org = {"id": new_id("orga", rng), "name": ORG_NAME}
    users = [
        {
            "id": new_id("user", rng),
            "email": f"{first.lower()}.{last.lower()}@{DOMAIN}",
            "first_name": first,
            "last_name": last,
            "membership_id": new_id("memb", rng),
        }
        for first, last in USERS
    ]
    leads = []
    for company in COMPANIES:
        contacts = [
            {"id": new_id("cont", rng), "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"}
            for _ in range(rng.choice((1, 1, 2, 3)))
        ]
        lead_id = new_id("lead", rng)
        leads.append(
            {
                "id": lead_id,
                "name": company,
                "display_name": company,
                "status_label": rng.choice(STATUSES),
                "organization_id": org["id"],
                "contacts": contacts,
            }
        )
    return users, org, leads


def _date(bucket: str, today: int, now_ts: float, offset_s: float, rng: random.Random, kind: str) -> When:
    """A task date in the bucket (`today`: the local day number since 1970-01-01); calls and
    emails are at a time, lead tasks often date-only. Plain arithmetic, no datetime objects:
    this runs 100,000 times in a big reset."""
    if bucket == "overdue":
        day = today - rng.randint(1, 21)
    elif bucket in ("today", "today_at"):
        day = today
    elif bucket == "tomorrow":
        day = today + 1
    elif bucket == "weeks":
        day = today + rng.randint(2, 35)
    else:  # done
        day = today - rng.randint(0, 30)
    event = kind not in ("lead", "opportunity_due", "email_followup")  # a call, email, SMS
    dated = bucket == "today" or (bucket != "today_at" and rng.random() < 0.65)
    if kind == "opportunity_due" or (not event and dated):
        return When(_day_text(day), True, day * 86400.0)
    at = int(day * 86400 + rng.randint(8, 17) * 3600 + rng.choice((0, 15, 30, 45)) * 60 - offset_s)
    if event and at > now_ts:  # calls and emails that created a task have already happened
        at = int(now_ts) - rng.randint(5, 240) * 60
    return When(_utc_text(at * 1_000_000, micro=False), False, float(at))


@lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    return (EPOCH + timedelta(days=day)).isoformat()


def _utc_text(us: int, *, micro: bool = True) -> str:
    """Close's "2026-11-28T14:30:00.123456+00:00" from microseconds since the epoch."""
    day, rest = divmod(us, 86_400_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    tail = f".{fraction:06d}" if micro else ""
    return f"{_day_text(day)}T{hours:02d}:{minutes:02d}:{seconds:02d}{tail}+00:00"


def _stamp(ts: float) -> tuple[float, str]:
    """A timestamp rounded to microseconds and its ISO text. The float equals what parsing
    the text gives back (datetime.timestamp() divides integer microseconds the same way), so
    filtering on a date_created the API printed finds that very task."""
    us = round(ts * 1_000_000)
    return us / 1_000_000, _utc_text(us)


def _extra(kind: str, lead: dict, company: str, rng: random.Random) -> dict:
    first, _, last = (lead["contacts"][0]["name"] if lead["contacts"] else "there").partition(" ")
    fill = {"first": first, "last": last, "company": company, "n": rng.randint(1000, 9999)}
    phone, formatted = _phone(rng)
    local = "+14155550100"
    if kind == "lead":
        return {"text": rng.choice(LEAD_TEXTS).format(**fill)}
    if kind in ("incoming_email", "email_followup"):
        head: dict[str, Any] = {"emails": [new_id("acti", rng) for _ in range(rng.randint(1, 3))]}
        if kind == "email_followup":
            head = {"email_id": new_id("acti", rng)}
        return {
            **head,
            "subject": rng.choice(SUBJECTS).format(**fill),
            "body_preview": f"{rng.choice(PREVIEWS)} {company}...",
        }
    call: dict[str, Any] = {"phone": phone, "phone_formatted": formatted}
    if kind == "answered_detached_call":
        return {**call, "recording_url": f"https://app.close.com/go/call/{new_id('acti', rng)}/recording/"}
    if kind in ("missed_call", "voicemail"):
        call.update(local_phone=local, phone_number_description=rng.choice(("Mobile", "Office", "Direct")))
        if kind == "voicemail":
            call.update(
                voicemail_duration=rng.randint(8, 95),
                voicemail_url=f"https://app.close.com/go/call/{new_id('acti', rng)}/voicemail/",
            )
        return call
    if kind == "opportunity_due":
        value = rng.randrange(20, 400) * 500_00  # cents, as Close stores values
        period = rng.choice(PERIODS)
        note = {"one_time": "new deal", "monthly": "monthly plan", "annual": "annual plan"}[period]
        return {
            "opportunity_value": value,
            "opportunity_value_formatted": f"${value // 100:,}",
            "opportunity_value_period": period,
            "opportunity_note": f"{company} {note}",
        }
    return {
        "remote_phone": phone,
        "remote_phone_formatted": formatted,
        "local_phone": local,
        "text": rng.choice(SMS),
        "attachments": [],
    }


def build_tasks(n: int, seed: int, now: datetime, users: list[dict], org: dict, leads: list[dict]):
    """Yield n task rows (store.pack_row tuples), deterministic for (n, seed, now, people)."""
    rng = _Rng(seed)
    offset_s = (now.utcoffset() or timedelta(0)).total_seconds()
    me, others = users[0]["id"], [u["id"] for u in users[1:]]
    now_ts, org_id = now.timestamp(), org["id"]
    today = int((now_ts + offset_s) // 86400)  # the local day of `now`
    assignees = _spread(n, {me: 60, others[0]: 22, others[1]: 18}, rng)
    buckets = _spread(n, BUCKETS, rng)
    later = [b in ("tomorrow", "weeks") for b in buckets]
    kinds_later = iter(_spread(sum(later), TYPES_LATER, rng))
    kinds_now = iter(_spread(n - sum(later), TYPES_NOW, rng))
    for i in range(n):
        kind = next(kinds_later) if later[i] else next(kinds_now)
        bucket = buckets[i]
        lead = rng.choice(leads)
        contact = rng.choice(lead["contacts"]) if lead["contacts"] and (kind != "lead" or rng.random() < 0.5) else None
        when = _date(bucket, today, now_ts, offset_s, rng, kind)
        created_ts, created = _stamp(min(now_ts, when.ts + 9 * 3600 * when.date_only) - rng.random() * 864000)
        done = bucket == "done"
        updated_ts, updated = (
            _stamp(created_ts + (now_ts - created_ts) * rng.random()) if done else (created_ts, created)
        )
        system = kind != "lead"  # emails, calls, SMS and opportunities create their own tasks
        object_type = OBJECT_TYPES[kind]
        assignee = assignees[i]
        if system:
            object_id = new_id(ID_PREFIX.get(object_type or "", "acti"), rng)
        elif done:  # Close records a completion activity and points the task at it (recorded)
            object_type, object_id = "taskcompleted", new_id("acti", rng)
        else:
            object_id = None
        body = {
            "lead_name": lead["display_name"],
            "contact_id": contact["id"] if contact else None,
            "contact_name": contact["name"] if contact else None,
            **_extra(kind, lead, lead["name"], rng),
            # recorded system tasks name a user here: the one whose email or deal made the task
            "created_by": assignee if system else rng.choice((me, me, assignee)),
            "organization_id": org_id,
            "object_type": object_type,
            "object_id": object_id,
        }
        if not system:  # newer fields (close-api.md); no recorded system task has them
            body.update(is_new=False, priority="high" if rng.random() < 0.08 else None, deduplication_key=None)
        yield pack_row(
            new_id(task_prefix(kind), rng),
            kind,
            lead["id"],
            assignee,
            done,
            when,
            False,
            created_ts,
            created,
            updated_ts,
            updated,
            assignee if done or system else me,
            body,
        )


def default_now() -> datetime:
    """CLOSETASK_NOW if set, else the local now, so demo times fall in the user's day."""
    return env_now() if os.environ.get(ENV_NOW) else datetime.now().astimezone()


def new_api_key() -> str:
    pick = secrets.SystemRandom().choice
    return "api_" + "".join(pick(BASE62) for _ in range(22)) + "." + "".join(pick(BASE62) for _ in range(22))


def reset(
    store: Store, *, tasks: int = 60, seed: int = 1, now: datetime | None = None, only_if_empty: bool = False
) -> dict:
    """Replace the store's data with demo data; keeps the API key. Answers a summary dict
    (with "seeded": False when only_if_empty and another process got there first)."""
    if tasks < 0:
        raise ValueError("the number of tasks must be >= 0")
    now = now or default_now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    users, org, leads = _people(random.Random("closetask-sandbox-people"))
    key = store.api_key or new_api_key()
    meta = {
        "api_key": key,
        "organization": json.dumps(org),
        "user_id": users[0]["id"],
        "seed": str(seed),
        "seeded_at": iso_instant(now),
    }
    seeded = store.replace_all(
        meta=meta,
        users=users,
        leads=leads,
        task_rows=build_tasks(tasks, seed, now, users, org, leads),
        only_if_empty=only_if_empty,
    )
    return {"seeded": seeded, "tasks": tasks, "leads": len(leads), "users": len(users), "api_key": store.api_key}


def ensure_seeded(store: Store, *, now: datetime | None = None) -> bool:
    """Seed the demo on first use (an empty database); safe if two processes race."""
    if not store.is_empty():
        return False
    return reset(store, now=now, only_if_empty=True)["seeded"]
