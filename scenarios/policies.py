"""Dispatch policies, all through one interface (:class:`Policy`).

- ``greedy``: how a busy human dispatcher works. Whenever work arrives (and every
  ``interval_minutes`` for what is still waiting), the tickets not yet planned go, most
  urgent first, to the end of the queue of the qualified engineer who can arrive
  earliest (:func:`solver.greedy`, with every ticket already given to an engineer
  kept where it is). Nothing is ever re-ordered.
- ``batch``: every ``interval_minutes`` the whole rest of the day is re-optimised with
  :func:`solver.solve` (tickets en route stay with their engineer).
- ``batch+insert``: ``batch``, plus :func:`solver.insertion.insert` the moment a ticket
  arrives: into the published plan at its cheapest feasible place, without moving
  anything else; when a ticket of an ``insert_tiers`` tier fits nowhere, an immediate
  re-optimisation (a ticket of another tier then waits for the next re-plan).
- ``clairvoyant``: an upper anchor, not a dispatcher. It knows every request of the day
  from the start (:mod:`scenarios.clairvoyance`; a request cannot be served before it is
  reported) and re-plans the rest of the day with the full solver
  (:data:`CLAIRVOYANT_EFFORT` times the iterations) at the start and every
  ``interval_minutes``; a ticket of any tier is inserted the moment it is reported, into
  the room the plan kept for it (a re-plan when it fits nowhere). It does not foresee
  overruns, holds or sick engineers.

Each hook opens no session of its own: the simulation passes one in and commits it.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from sqlalchemy.orm import Session

import solver
from scenarios.clairvoyance import without
from scenarios.desk import Desk
from scenarios.model import PolicySpec
from solver import Pin, insert, solution_from_plan


class Policy(Protocol):
    """What a dispatch policy does at each moment a dispatcher would act."""

    name: str
    spec: PolicySpec

    def on_day_start(self, desk: Desk, session: Session) -> None:
        """The morning plan, before the first shift starts."""
        ...

    def on_tick(self, desk: Desk, session: Session) -> None:
        """Every ``spec.interval_minutes`` during the working day."""
        ...

    def on_request(self, desk: Desk, session: Session, number: str, tier: int) -> None:
        """A ticket became plannable (a new request, or back from a hold)."""
        ...


class GreedyPolicy:
    """Most urgent first, to whoever can get there first; queues are never re-ordered."""

    name = "greedy"

    def __init__(self, spec: PolicySpec) -> None:
        self.spec = spec

    def _dispatch(self, desk: Desk, session: Session) -> None:
        planning = desk.planning(session)
        problem = planning.problem
        if not problem.engineers or not problem.tickets:
            return
        routes = desk.routes(session, planning)
        routed = {n for seq in routes.values() for n in seq}
        if all(t.id in routed for t in problem.tickets):
            return
        pins = tuple(
            Pin(ticket_id=number, engineer_id=code, position=i)
            for code, seq in sorted(routes.items())
            for i, number in enumerate(seq)
        )
        kept = dataclasses.replace(problem, pins=pins)
        solution = solver.greedy(kept)
        desk.publish(session, planning, solution, source=self.name, problem=kept)

    def on_day_start(self, desk: Desk, session: Session) -> None:
        """Hand out the waiting work, most urgent first."""
        self._dispatch(desk, session)

    def on_tick(self, desk: Desk, session: Session) -> None:
        """Retry what is still waiting."""
        self._dispatch(desk, session)

    def on_request(self, desk: Desk, session: Session, number: str, tier: int) -> None:
        """Give the new ticket (and anything still waiting) to the earliest arrival."""
        self._dispatch(desk, session)


class BatchPolicy:
    """Re-optimise the rest of the day every ``interval_minutes``."""

    name = "batch"

    def __init__(self, spec: PolicySpec) -> None:
        self.spec = spec

    def reoptimise(self, desk: Desk, session: Session, source: str | None = None) -> None:
        """Solve the whole rest of the day and publish it."""
        planning = desk.planning(session)
        problem = planning.problem
        if not problem.engineers or not problem.tickets:
            return
        solution = solver.solve(problem, desk.params)
        desk.publish(session, planning, solution, source=source or self.name)

    def on_day_start(self, desk: Desk, session: Session) -> None:
        """Plan the day."""
        self.reoptimise(desk, session)

    def on_tick(self, desk: Desk, session: Session) -> None:
        """Re-plan the rest of the day."""
        self.reoptimise(desk, session)

    def on_request(self, desk: Desk, session: Session, number: str, tier: int) -> None:
        """New work waits for the next re-optimisation."""


class BatchInsertPolicy(BatchPolicy):
    """``batch``, plus fast insertion of every ticket the moment it arrives."""

    name = "batch+insert"

    def on_request(self, desk: Desk, session: Session, number: str, tier: int) -> None:
        """Insert the new ticket at once; re-optimise when one of ``insert_tiers`` fits nowhere.

        Every tier is inserted: a ticket waiting up to ``interval_minutes`` for the next
        re-plan was most of what the policy lost to greedy on P2 (which hands every ticket
        out the moment it arrives). The insertion moves nothing else, so the next re-plan
        is free to re-arrange; a ticket of another tier that fits nowhere waits for it.
        """
        self.insert_now(desk, session, number, fallback=tier in self.spec.insert_tiers)

    def insert_now(self, desk: Desk, session: Session, number: str, fallback: bool = True) -> None:
        """Insert ticket ``number`` into the published plan.

        When it fits nowhere: re-optimise the day if ``fallback``, else leave it for the
        next re-plan.
        """
        planning = desk.planning(session)
        problem = planning.problem
        if not problem.engineers or number not in planning.ticket_ids:
            return
        routes = desk.routes(session, planning)
        routes = {code: [n for n in seq if n != number] for code, seq in routes.items()}
        current = solution_from_plan(problem, routes)
        ticket = next(t for t in problem.tickets if t.id == number)
        result = insert(problem, current, ticket)
        if result.inserted:
            desk.publish(session, planning, result.solution, source="insert")
        elif fallback:
            self.reoptimise(desk, session, source="insert-fallback")


CLAIRVOYANT_EFFORT = 3
"""The clairvoyant policy's iterations per re-plan, as a multiple of ``spec.iterations``."""


class ClairvoyantPolicy(BatchInsertPolicy):
    """Re-plan with the day's future requests known (released when they are reported)."""

    name = "clairvoyant"

    def reoptimise(self, desk: Desk, session: Session, source: str | None = None) -> None:
        """Solve the rest of the day, future requests included; publish today's tickets."""
        planning = desk.planning(session)
        problem = planning.problem
        future = desk.foresight(session, planning) if desk.foresight is not None else []
        if not problem.engineers or not (problem.tickets or future):
            return
        full = dataclasses.replace(problem, tickets=problem.tickets + tuple(future))
        params = dataclasses.replace(
            desk.params, iterations=(desk.params.iterations or 0) * CLAIRVOYANT_EFFORT or None
        )
        solution = without(solver.solve(full, params), {t.id for t in future})
        desk.publish(session, planning, solution, source=source or self.name)

    def on_request(self, desk: Desk, session: Session, number: str, tier: int) -> None:
        """A foreseen request is reported: into the room kept for it (else a re-plan)."""
        self.insert_now(desk, session, number)


POLICY_TYPES: dict[str, type[GreedyPolicy] | type[BatchPolicy]] = {
    "greedy": GreedyPolicy,
    "batch": BatchPolicy,
    "batch+insert": BatchInsertPolicy,
    "clairvoyant": ClairvoyantPolicy,
}


def make_policy(name: str, spec: PolicySpec) -> Policy:
    """The policy called ``name`` with the parameters of ``spec``.

    Raises
    ------
    ValueError
        Unknown policy name.
    """
    try:
        kind = POLICY_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown policy {name!r}; policies: {', '.join(POLICY_TYPES)}") from None
    return kind(spec.model_copy(update={"name": name}))
