"""A dispatcher's pin: a ticket pinned to an engineer may only be served by that engineer.

The pin (``tickets.pinned_engineer_id``, set by :mod:`dispatch.tickets.edits`) reaches the
solver as the ticket's only required engineer, so every (re-)plan keeps the ticket with
that engineer or leaves it unassigned; never with another one.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from dispatch.models import Ticket


def required_with_pin(ticket: Ticket, codes: Mapping[int, str], required: Set[str]) -> set[str]:
    """The solver's required engineers of ``ticket``: its pinned engineer alone when pinned.

    Parameters
    ----------
    ticket
        The ticket.
    codes
        Engineer id -> code of the engineers in the problem.
    required
        The required engineers from the ticket's rules (solver ids).

    Returns
    -------
    set of str
        ``required`` when the ticket is not pinned; else the pinned engineer's code, or an
        id no engineer of the problem has (``#<id>``: nobody may serve it in this problem).
    """
    pinned = ticket.pinned_engineer_id
    if pinned is None:
        return set(required)
    return {codes.get(pinned, f"#{pinned}")}
