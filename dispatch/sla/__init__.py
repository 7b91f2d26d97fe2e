"""Service levels: the policy file, business calendars, ticket clocks and the SLA sweep.

- :mod:`dispatch.sla.policy`: :func:`load_policy`, :class:`SlaPolicy`, :func:`bind_policy`;
- :mod:`dispatch.sla.calendar`: business calendars and clock arithmetic;
- :mod:`dispatch.sla.clocks`: :func:`recompute_due`, :func:`assess`;
- :mod:`dispatch.sla.sweep`: :func:`sweep` (at risk, breached, escalation).
"""

from dispatch.sla.clocks import assess, recompute_due
from dispatch.sla.policy import SlaPolicy, bind_policy, load_policy, session_policy
from dispatch.sla.sweep import SweepResult, sweep

__all__ = [
    "SlaPolicy",
    "SweepResult",
    "assess",
    "bind_policy",
    "load_policy",
    "recompute_due",
    "session_policy",
    "sweep",
]
