"""The dispatcher's desk in a simulation: what the policies see and how a plan goes out.

The desk builds the solver problem through the production seam
(:func:`dispatch.planning.problem.build_problem`) from the rows as they stand at the simulated
instant, with the engineers' last reported positions: the optimiser sees only what a
dispatcher would know (estimated durations, not the real ones). :meth:`Desk.publish`
stores a solution as a plan, supersedes the previous plan of the day and moves tickets
through the life cycle (``schedule`` / ``unschedule``) with
:func:`dispatch.planning.publishing.publish_solution`, the production path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Plan, Ticket, TicketStatus, User
from dispatch.planning.problem import (
    PlanningInput,
    PlanningOptions,
    Position,
    build_problem,
    current_plan,
)
from dispatch.planning.publishing import PlanSource, publish_solution
from dispatch.sla.policy import SlaPolicy
from dispatch.tickets.rebooking import rebook_ticket
from dispatch.tickets.service_windows import WINDOW_PASSED
from solver import HaversineProvider, Problem, Solution, SolveParams
from solver import Ticket as SolverTicket

_HANDED_OUT = (
    TicketStatus.SCHEDULED.value,
    TicketStatus.DISPATCHED.value,
    TicketStatus.EN_ROUTE.value,
)


@dataclass
class Desk:
    """The simulated dispatcher's view and tools, at the simulation's current instant.

    Attributes
    ----------
    region_id
        The simulated region.
    now
        The current instant (aware UTC), read from the simulation clock.
    positions
        Engineer id -> last reported position, from the simulation.
    breaks_taken
        Engineer codes who have had today's break (the plan owes them none).
    travel
        The travel model the planner uses (the expected drive times).
    params
        Solver parameters of one re-optimisation.
    policy
        The SLA policy in force.
    zone
        The region's time zone.
    on_publish
        Called after every published plan (wakes idle engineers).
    dispatcher_id
        The user who acts at the desk (re-bookings are recorded in their name).
    foresight
        For the clairvoyant policy only: the solver tickets of the requests still to
        come today (:func:`scenarios.clairvoyance.future_tickets`).
    """

    region_id: int
    now: Callable[[], dt.datetime]
    positions: Callable[[], Mapping[int, Position]]
    breaks_taken: Callable[[], set[str]]
    travel: HaversineProvider
    params: SolveParams
    policy: SlaPolicy
    zone: ZoneInfo
    on_publish: Callable[[], None] = lambda: None
    dispatcher_id: int | None = None
    foresight: Callable[[Session, PlanningInput], list[SolverTicket]] | None = None
    plans: int = 0
    rebooked: int = 0
    """Tickets re-booked into a new slot after their appointment passed."""
    solver_seconds: float = 0.0
    log: list[tuple[float, str, int]] = field(default_factory=list)
    """(seconds since origin, source, tickets planned) per published plan."""

    def today(self) -> dt.date:
        """The region's local date now."""
        return self.now().astimezone(self.zone).date()

    def planning(self, session: Session) -> PlanningInput:
        """The problem for the rest of today, as a dispatcher would see it now.

        Tickets left out because every appointment window has passed
        (:data:`~dispatch.tickets.service_windows.WINDOW_PASSED`) are first re-booked into their
        suggested slot (the customer accepts it), as a dispatcher would, with
        :func:`dispatch.tickets.rebooking.rebook_ticket`; those whose new slot is today are planned.
        """
        planning = self._build(session)
        if planning.rebook:
            self.rebook(session, planning.rebook)
            planning = self._build(session)
        return planning

    def rebook(self, session: Session, slots: Mapping[int, Mapping[str, Any]]) -> None:
        """Re-book each ticket id of ``slots`` into its suggested new slot."""
        actor = session.get(User, self.dispatcher_id) if self.dispatcher_id is not None else None
        for ticket_id, slot in sorted(slots.items()):
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or slot.get("kind") != "new_slot":
                continue
            start = dt.datetime.fromisoformat(str(slot["start"]))
            end = dt.datetime.fromisoformat(str(slot["end"]))
            rebook_ticket(
                session=session,
                ticket=ticket,
                windows=[(start, end)],
                actor=actor,
                at=self.now(),
                reason=f"{WINDOW_PASSED}: the customer accepted the offered slot",
            )
            self.rebooked += 1

    def _build(self, session: Session) -> PlanningInput:
        planning = build_problem(
            session=session,
            region_id=self.region_id,
            day=self.today(),
            now=self.now(),
            positions=self.positions(),
            travel=self.travel,
            options=PlanningOptions(),
        )
        rested = self.breaks_taken()
        if not rested:
            return planning
        engineers = tuple(
            dataclasses.replace(e, breaks=()) if e.id in rested else e
            for e in planning.problem.engineers
        )
        problem = dataclasses.replace(planning.problem, engineers=engineers)
        return dataclasses.replace(planning, problem=problem)

    def routes(self, session: Session, planning: PlanningInput) -> dict[str, list[str]]:
        """Engineer code -> ticket numbers still to visit in the published plan, in order.

        Only engineers and tickets of ``planning`` that are handed out (scheduled,
        dispatched, en route) are kept: a ticket back from a hold after a visit is
        waiting work again, though the plan still shows that visit. An engineer's ticket
        en route comes first.
        """
        plan = current_plan(session=session, region_id=self.region_id, day=planning.day)
        if plan is None:
            return {}
        codes = {v: k for k, v in planning.engineer_ids.items()}
        handed_out = set(
            session.scalars(
                select(Ticket.id).where(
                    Ticket.id.in_(list(planning.ticket_ids.values()) or [-1]),
                    Ticket.status.in_(_HANDED_OUT),
                )
            )
        )
        numbers = {v: k for k, v in planning.ticket_ids.items() if v in handed_out}
        en_route = {p.ticket_id for p in planning.problem.pins if p.position == 0}
        out: dict[str, list[str]] = {}
        for visit in sorted(plan.visits, key=lambda v: (v.engineer_id, v.sequence)):
            code, number = codes.get(visit.engineer_id), numbers.get(visit.ticket_id)
            if code is None or number is None:
                continue
            out.setdefault(code, []).append(number)
        for seq in out.values():
            seq.sort(key=lambda n: n not in en_route)  # stable: en route first
        return out

    def unplanned(self, session: Session, planning: PlanningInput) -> list[str]:
        """Tickets of ``planning`` in no route of the published plan."""
        routed = {n for seq in self.routes(session, planning).values() for n in seq}
        return [t.id for t in planning.problem.tickets if t.id not in routed]

    def publish(
        self,
        session: Session,
        planning: PlanningInput,
        solution: Solution,
        *,
        source: str,
        problem: Problem | None = None,
    ) -> Plan:
        """Store ``solution`` as today's published plan and bring the tickets in line.

        The production path of a plan computed and published at once,
        :func:`dispatch.planning.publishing.publish_solution` (as dispatch-now does, without
        the staleness check: the plan was computed at this very instant): tickets it places
        go ``schedule`` with their engineer, scheduled tickets the replaced plan had and this
        one drops go back to the pool, the replaced plan is superseded.
        """
        now = self.now()
        if problem is not None:
            planning = dataclasses.replace(planning, problem=problem)
        plan = publish_solution(
            session=session,
            planning=planning,
            solution=solution,
            source=PlanSource(
                options={"policy": source},
                reason=lambda plan_id: f"plan {plan_id} ({source})",
                time_budget_seconds=self.params.time_budget_seconds,
                created_at=now,
            ),
            actor=None,
            at=now,
        )
        planned = {v.ticket_id for v in plan.visits}
        self.plans += 1
        self.solver_seconds += solution.seconds
        self.log.append(((now - planning.origin).total_seconds(), source, len(planned)))
        self.on_publish()
        return plan
