"""Service levels: the policy file, business calendars, ticket clocks (the sweep is :mod:`dispatch.tickets.escalation`).

- :mod:`dispatch.sla.policy`: :func:`load_policy`, :class:`SlaPolicy`, :func:`bind_policy`;
- :mod:`dispatch.sla.calendar`: business calendars and clock arithmetic;
- :mod:`dispatch.sla.clocks`: :func:`recompute_due`, :func:`assess`;
"""

from dispatch.sla.clocks import assess, recompute_due
from dispatch.sla.policy import SlaPolicy, bind_policy, load_policy, session_policy

__all__ = [
    "SlaPolicy",
    "assess",
    "bind_policy",
    "load_policy",
    "recompute_due",
    "session_policy",
]
