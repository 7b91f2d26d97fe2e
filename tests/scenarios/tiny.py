"""A small scenario for fast tests: four engineers, a morning of requests."""

from __future__ import annotations

import copy
from typing import Any

TINY: dict[str, Any] = {
    "name": "tiny",
    "description": "a small morning for tests",
    "start": "2026-11-23",
    "days": 1,
    "timezone": "Asia/Shanghai",
    "seed": 5,
    "geography": {"centre": {"lat": 31.23, "lon": 121.47}, "radius_km": 6},
    "engineers": [
        {"count": 2, "level": "senior", "skills": {"hvac": 3, "elevator": 3},
         "shift": {"start": "08:00", "end": "13:00", "break_minutes": 0}},
        {"count": 2, "level": "mid", "skills": {"hvac": 2},
         "shift": {"start": "08:00", "end": "13:00", "break_minutes": 0}},
    ],
    "customers": {"count": 12, "vip_share": 0.2},
    "demand": {
        "arrivals": [
            {"tier": 1, "per_hour": 0.8, "hours": {"start": "08:00", "end": "11:00"},
             "duration": {"mean_minutes": 40, "sd_minutes": 10}},
            {"tier": 2, "per_hour": 0.8, "hours": {"start": "08:00", "end": "11:00"},
             "duration": {"mean_minutes": 40, "sd_minutes": 10}},
            {"tier": 3, "per_hour": 0.8, "hours": {"start": "08:00", "end": "11:00"},
             "duration": {"mean_minutes": 30, "sd_minutes": 10}},
        ],
        "backlog": [{"count": 3, "tier": 4, "age_hours": 20}],
        "skill_mix": {"hvac": 0.7, "elevator": 0.3},
        "level_mix": {"1": 0.7, "2": 0.3},
        "remote_share": 0.2,
        "appointments": {"share": 0.5, "slot_minutes": 120, "first": "09:00",
                         "last": "10:00", "lead_days": 0},
    },
    "disruptions": {"overrun_probability": 0.2, "no_access_probability": 0.1,
                    "parts_shortage_probability": 0.1, "no_access_retry_hours": 1,
                    "parts_lead_hours": 1},
    "policy": {"interval_minutes": 60, "iterations": 20, "solve_seconds": 60},
}  # fmt: skip


def tiny(**changes: Any) -> dict[str, Any]:
    """A copy of :data:`TINY` with top-level entries replaced."""
    data = copy.deepcopy(TINY)
    data.update(changes)
    return data
