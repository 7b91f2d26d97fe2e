"""A small hand-built world for workflow tests: one region under HQ, a customer, engineers, users."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dispatch.models import (
    Asset,
    Customer,
    Engineer,
    EngineerSkill,
    Plan,
    Region,
    Site,
    Ticket,
    User,
    Visit,
)
from dispatch.org.users import create_user
from dispatch.tickets.records import TicketDraft, create_ticket

WEEKDAYS_8_18 = {"hours": {d: ["08:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}


@dataclass
class World:
    hq: Region
    region: Region
    customer: Customer
    vip: Customer
    site: Site
    vip_site: Site
    asset: Asset
    engineer: Engineer
    other_engineer: Engineer
    dispatcher: User
    other_dispatcher: User
    admin: User
    engineer_user: User
    other_engineer_user: User


def build_world(
    session: Session,
    *,
    timezone: str = "Europe/London",
    calendar: dict[str, Any] | None = None,
    code: str = "LDN",
) -> World:
    """Create the world in ``session`` (flushed, not committed)."""
    hq = Region(code="HQ", name="Headquarters", kind="hq", timezone=timezone)
    session.add(hq)
    session.flush()
    region = Region(
        code=code,
        name=f"Region {code}",
        parent_id=hq.id,
        timezone=timezone,
        manager_name="Regional Manager",
        calendar=calendar if calendar is not None else WEEKDAYS_8_18,
    )
    session.add(region)
    session.flush()
    engineers = []
    for i in (1, 2):
        engineer = Engineer(
            code=f"E{i}",
            name=f"Engineer {i}",
            level="mid",
            region_id=region.id,
            home_lat=51.5,
            home_lon=-0.1,
        )
        engineer.skills = [
            EngineerSkill(skill="hvac", level=2),
            EngineerSkill(skill="elevator", level=1),
        ]
        session.add(engineer)
        engineers.append(engineer)
    customer = Customer(
        code="ACME",
        name="Acme",
        tier="standard",
        region_id=region.id,
        contact_name="Ann Contact",
        contact_phone="+44 20 0000 0001",
    )
    vip = Customer(
        code="VIPCO",
        name="VIP Co",
        tier="vip",
        region_id=region.id,
        contact_name="Vera Important",
        contact_phone="+44 20 0000 0002",
    )
    session.add_all([customer, vip])
    session.flush()
    site = Site(
        customer_id=customer.id,
        region_id=region.id,
        name="Acme HQ",
        address="1 Road",
        lat=51.5,
        lon=-0.12,
    )
    vip_site = Site(
        customer_id=vip.id,
        region_id=region.id,
        name="VIP HQ",
        address="2 Road",
        lat=51.51,
        lon=-0.11,
    )
    session.add_all([site, vip_site])
    session.flush()
    asset = Asset(site_id=site.id, equipment_type="hvac", model="HV-1", serial="S1")
    session.add(asset)
    session.flush()
    users = {
        name: create_user(
            session=session,
            username=name,
            password="workflow-pw",
            role=role,
            engineer_code=engineer_code,
        )
        for name, role, engineer_code in (
            ("disp", "dispatcher", None),
            ("disp2", "dispatcher", None),
            ("boss", "admin", None),
            ("eng1", "engineer", "E1"),
            ("eng2", "engineer", "E2"),
        )
    }
    return World(
        hq=hq,
        region=region,
        customer=customer,
        vip=vip,
        site=site,
        vip_site=vip_site,
        asset=asset,
        engineer=engineers[0],
        other_engineer=engineers[1],
        dispatcher=users["disp"],
        other_dispatcher=users["disp2"],
        admin=users["boss"],
        engineer_user=users["eng1"],
        other_engineer_user=users["eng2"],
    )


def new_ticket(
    session: Session,
    world: World,
    *,
    at: dt.datetime,
    priority: int = 2,
    kind: str = "repair",
    vip: bool = False,
    actor: User | None = None,
    policy: Any = None,
    **fields: Any,
) -> Ticket:
    """A ticket created through the service."""
    draft = TicketDraft(
        customer_id=(world.vip if vip else world.customer).id,
        site_id=(world.vip_site if vip else world.site).id,
        asset_id=None if vip else world.asset.id,
        kind=kind,
        priority=priority,
        estimated_minutes=fields.pop("estimated_minutes", 60),
        required_skill=fields.pop("required_skill", "hvac"),
        **fields,
    )
    return create_ticket(session=session, draft=draft, actor=actor, at=at, policy=policy)


def publish_visit(
    session: Session,
    world: World,
    ticket: Ticket,
    *,
    engineer: Engineer,
    arrival: dt.datetime,
    published_at: dt.datetime,
) -> Visit:
    """A published plan with one visit of ``ticket`` by ``engineer`` arriving at ``arrival``."""
    plan = Plan(
        region_id=world.region.id,
        plan_date=arrival.date(),
        horizon_start=arrival - dt.timedelta(hours=2),
        horizon_end=arrival + dt.timedelta(hours=8),
        status="published",
        published_at=published_at,
    )
    session.add(plan)
    session.flush()
    visit = Visit(
        plan_id=plan.id,
        ticket_id=ticket.id,
        engineer_id=engineer.id,
        sequence=0,
        planned_arrival=arrival,
        planned_start=arrival,
        planned_end=arrival + dt.timedelta(minutes=ticket.estimated_minutes),
        travel_seconds=900,
    )
    session.add(visit)
    session.flush()
    return visit
