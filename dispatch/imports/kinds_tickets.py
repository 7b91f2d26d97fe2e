"""``tickets.csv``: work orders, upserted by their external reference.

New tickets are made by :func:`dispatch.tickets.records.create_ticket` (numbering, SLA clocks,
history, event), the one way to make a ticket.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import partial
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import DispatchError
from dispatch.imports import cells as c
from dispatch.imports.spec import Context, Kind, Parser, Row, Stored, Values, opt, req
from dispatch.models import (
    Asset,
    Customer,
    Engineer,
    EngineerRuleKind,
    Site,
    Ticket,
    TicketEngineerRule,
    TicketKind,
    TicketWindow,
    User,
)
from dispatch.sla.clocks import recompute_due
from dispatch.tickets.history import record_event
from dispatch.tickets.records import TicketDraft, create_ticket

_EDITABLE = (
    "priority",
    "estimated_minutes",
    "required_skill",
    "min_level",
    "window_start",
    "window_end",
    "symptoms",
    "preferred_engineer",
)
_FIELD_COLUMNS = {
    "customer_id": "customer",
    "site_id": "site",
    "asset_id": "asset_serial",
    "reported_at": "reported_at",
    "windows": "window_start",
    "engineer_rules": "preferred_engineer",
}


class Tickets(Kind):
    """Work orders with at most one appointment window and one preferred engineer."""

    entity = "ticket"
    key_columns = ("external_ref",)
    parsers: ClassVar[Mapping[str, Parser]] = {
        "external_ref": req(partial(c.text, max_length=100)),
        "customer": req(partial(c.text, max_length=16)),
        "site": req(partial(c.text, max_length=32)),
        "asset_serial": opt(partial(c.text, max_length=200)),
        "kind": req(partial(c.choice, options=[k.value for k in TicketKind])),
        "priority": req(partial(c.integer, low=1, high=4)),
        "estimated_minutes": req(partial(c.integer, low=1, high=1440)),
        "required_skill": opt(lambda cell: c.skills(f"{cell}:1")[0][0]),
        "min_level": opt(partial(c.integer, low=1, high=3), 1),
        "window_start": opt(c.instant),
        "window_end": opt(c.instant),
        "symptoms": opt(partial(c.text, max_length=4000), ""),
        "reported_at": opt(c.instant),
        "preferred_engineer": opt(partial(c.text, max_length=32)),
    }
    references = (
        ("customer", "customers"),
        ("site", "sites"),
        ("asset_serial", "assets"),
        ("preferred_engineer", "engineers"),
    )
    derived = frozenset({"required_skill", "reported_at"})
    model = Ticket
    audited_by_write = True  # a ticket's own history (``created`` / ``updated`` events)

    def check(self, values: Values) -> list[tuple[str, str]]:
        """A window has a start and an end, the end after the start."""
        start, end = values["window_start"], values["window_end"]
        if (start is None) != (end is None):
            column = "window_start" if start is None else "window_end"
            return [(column, "a window needs both window_start and window_end")]
        if start is not None and end <= start:
            return [("window_end", "the window must end after it starts")]
        return []

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Tickets with an external reference, by it (with window and preferred engineer)."""
        customers = {i: v for i, v in session.execute(select(Customer.id, Customer.code))}
        sites = {i: v for i, v in session.execute(select(Site.id, Site.code))}
        serials = {i: v for i, v in session.execute(select(Asset.id, Asset.serial))}
        engineers = {i: v for i, v in session.execute(select(Engineer.id, Engineer.code))}
        windows: dict[int, Any] = {}
        for w in session.execute(select(TicketWindow.__table__).order_by(TicketWindow.start)):
            windows.setdefault(w.ticket_id, w)
        preferred = {
            r.ticket_id: engineers[r.engineer_id]
            for r in session.execute(
                select(TicketEngineerRule.__table__).where(
                    TicketEngineerRule.kind == EngineerRuleKind.PREFERRED.value
                )
            )
        }
        stored: dict[Hashable, Stored] = {}
        query = select(Ticket.__table__).where(Ticket.external_ref.is_not(None))
        for t in session.execute(query):
            window = windows.get(t.id)
            stored[t.external_ref] = Stored(
                t.id,
                {
                    "external_ref": t.external_ref,
                    "customer": customers[t.customer_id],
                    "site": sites[t.site_id],
                    "asset_serial": serials.get(t.asset_id) if t.asset_id else None,
                    "kind": t.kind,
                    "priority": t.priority,
                    "estimated_minutes": t.estimated_minutes,
                    "required_skill": t.required_skill,
                    "min_level": t.min_level,
                    "window_start": window.start_at if window is not None else None,
                    "window_end": window.end_at if window is not None else None,
                    "symptoms": t.symptoms,
                    "reported_at": t.reported_at,
                    "preferred_engineer": preferred.get(t.id),
                },
            )
        return stored

    def write(
        self, session: Session, creates: list[Row], updates: list[tuple[int, Row]], ctx: Context
    ) -> list[tuple[Row, str, str]]:
        """Create tickets one by one through ``create_ticket``; edit the editable fields."""
        actor = session.get(User, ctx.actor_id) if ctx.actor_id is not None else None
        ids = ctx.ids.setdefault(self.name, {})
        problems: list[tuple[Row, str, str]] = []
        for row in creates:
            try:
                ticket = create_ticket(
                    session=session,
                    draft=_draft(row.values, ctx),
                    actor=actor,
                    at=row.values["reported_at"] or ctx.at,
                )
            except DispatchError as exc:
                column = _FIELD_COLUMNS.get((exc.field or "").split(".")[0], exc.field)
                problems.append((row, column or "external_ref", exc.message))
                continue
            ticket.external_ref = row.values["external_ref"]
            ids[row.key] = ticket.id
        for ticket_id, row in updates:
            problems.extend(_edit(session, ticket_id, row, ctx, actor))
        session.flush()
        return problems


def _draft(values: Values, ctx: Context) -> TicketDraft:
    window = values["window_start"], values["window_end"]
    preferred = ctx.id_of("engineers", values["preferred_engineer"])
    return TicketDraft(
        customer_id=ctx.ids["customers"][values["customer"]],
        site_id=ctx.ids["sites"][values["site"]],
        asset_id=ctx.id_of("assets", values["asset_serial"]),
        kind=values["kind"],
        priority=values["priority"],
        estimated_minutes=values["estimated_minutes"],
        required_skill=values["required_skill"],
        min_level=values["min_level"],
        symptoms=values["symptoms"],
        windows=[window] if window[0] is not None else [],
        engineer_rules=[(preferred, EngineerRuleKind.PREFERRED.value)] if preferred else [],
    )


def _edit(
    session: Session, ticket_id: int, row: Row, ctx: Context, actor: User | None
) -> list[tuple[Row, str, str]]:
    """Change an imported ticket's editable fields; the others cannot change."""
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    stored = ctx.extra["stored:tickets"][row.key].values
    fixed = [c for c in ("customer", "site", "asset_serial", "kind") if stored[c] != row.values[c]]
    if fixed:
        return [
            (row, column, f"cannot change the {column} of an existing ticket") for column in fixed
        ]
    new = {
        k: row.values[k] for k in _EDITABLE if row.values[k] is not None or k not in Tickets.derived
    }
    before = {k: stored[k] for k in new if stored[k] != new[k]}
    after = {k: new[k] for k in before}
    for name in ("priority", "estimated_minutes", "required_skill", "min_level", "symptoms"):
        if name in after:
            setattr(ticket, name, after[name])
    if "window_start" in after or "window_end" in after:
        start, end = new["window_start"], new["window_end"]
        ticket.windows = [TicketWindow(start=start, end=end)] if start is not None else []
    if "preferred_engineer" in after:
        kept = [r for r in ticket.engineer_rules if r.kind != EngineerRuleKind.PREFERRED.value]
        engineer_id = ctx.id_of("engineers", new["preferred_engineer"])
        extra = (
            [TicketEngineerRule(engineer_id=engineer_id, kind="preferred")] if engineer_id else []
        )
        ticket.engineer_rules = kept + extra
    ticket.updated_at = ctx.at
    session.flush()
    if "priority" in after:
        recompute_due(session=session, ticket=ticket, at=ctx.at)
    record_event(
        session=session,
        ticket=ticket,
        kind="updated",
        at=ctx.at,
        actor=actor,
        reason="import",
        before=before,
        after=after,
    )
    return []
