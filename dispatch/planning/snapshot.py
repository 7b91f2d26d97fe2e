"""Digests of what the optimiser saw, to tell whether a plan is stale when published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from dispatch.models import Engineer, Ticket, TicketStatus

_OPEN = {
    TicketStatus.TRIAGED.value,
    TicketStatus.SCHEDULED.value,
    TicketStatus.REOPENED.value,
    TicketStatus.NEEDS_FOLLOW_UP.value,
}


PUBLISHED_KEY = "published:plans"
"""Snapshot key of the published plans a new plan would replace (its region's and below)."""


def digest(value: Any) -> str:
    """A stable SHA-256 of JSON-able ``value`` (keys sorted)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def ticket_digest(ticket: Ticket) -> str:
    """What of a ticket matters to a plan: place, work, tier, windows, rules and whether it is pinned.

    Moving between the open statuses (triaged, scheduled, ...) does not change the digest:
    publishing a plan schedules its tickets without making other plans stale.
    """
    status = "open" if ticket.status in _OPEN else ticket.status
    return digest(
        {
            "status": status,
            "site": [ticket.site_id, ticket.site.lat, ticket.site.lon]
            if ticket.site
            else ticket.site_id,
            "skill": [ticket.required_skill, ticket.min_level],
            "minutes": ticket.estimated_minutes,
            "priority": ticket.priority,
            "parts": ticket.parts_demand,
            "windows": [[w.start.isoformat(), w.end.isoformat()] for w in ticket.windows],
            "rules": sorted((r.engineer_id, r.kind) for r in ticket.engineer_rules),
            "response_due": ticket.response_due.isoformat() if ticket.response_due else None,
            # only when pinned: the digests of unpinned tickets stay what they were
            **({"pin": ticket.pinned_engineer_id} if ticket.pinned_engineer_id else {}),
        }
    )


def published_digest(plan_ids: list[int]) -> str:
    """What of the published plans matters to a new plan: which ones it was computed against.

    A plan computed while another plan of its region and day was published since (two
    candidates published one after the other, or at once) is stale: it would silently
    undo the other one's assignments.
    """
    return digest({"published": sorted(plan_ids)})


def engineer_digest(
    engineer: Engineer,
    day: dt.date,
    absences: Sequence[tuple[dt.datetime, dt.datetime]] = (),
) -> str:
    """What of an engineer matters to a plan of ``day`` (with their absences that day).

    An engineer without absences keeps the digest plans computed before absences existed
    had; creating or cancelling an absence on the day changes it (the plan is stale).
    """
    shift = engineer.shift_on(day)
    absent = {"absences": [[a.isoformat(), b.isoformat()] for a, b in absences]}
    return digest(
        (absent if absences else {})
        | {
            "active": engineer.active,
            "home": [engineer.home_lat, engineer.home_lon],
            "skills": sorted((s.skill, s.level) for s in engineer.skills),
            "shift": None
            if shift is None
            else [
                shift.start_minute,
                shift.end_minute,
                shift.break_minutes,
                shift.break_earliest_minute,
                shift.break_latest_minute,
            ],
            "limits": [
                engineer.max_jobs_per_day,
                engineer.max_work_minutes_per_day,
                engineer.parts_capacity,
            ],
            "certified": engineer.certified_on(day),
            "cost": str(engineer.cost_per_job),
        }
    )


def changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, list[str]]:
    """What differs between two snapshots: keys added, removed and changed (sorted)."""
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
    }
