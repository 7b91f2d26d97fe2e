"""The SLA policy file: targets per priority and customer tier, complaints, escalation ladder.

The package ships ``dispatch/sla_policy.yaml`` with the defaults of DOMAIN.md; a
deployment overrides it with ``settings.sla_policy_file``. The file is validated with
pydantic; a bad file raises :class:`~dispatch.errors.InvalidInput` naming the file, the
entry (``field``, a dotted path) and what is wrong with it.

Services find the policy with :func:`session_policy`: an explicit argument wins, then the
policy bound to the session (:func:`bind_policy`, done by the edges from settings), then
the packaged defaults.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.orm import Session, sessionmaker

from dispatch.errors import InvalidInput
from dispatch.models import CustomerTier, TicketKind
from dispatch.sla.calendar import CalendarSpec

PACKAGED_POLICY = Path(__file__).resolve().parent.parent / "sla_policy.yaml"
_SESSION_KEY = "dispatch.sla_policy"
PRIORITY_NAMES = ("P1", "P2", "P3", "P4")


class Clock(StrEnum):
    """Whether a target counts every hour or only the region's working hours."""

    ALWAYS = "24x7"
    BUSINESS = "business"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """One target: ``hours`` on a ``clock``."""

    hours: float = Field(gt=0, le=24 * 366)
    clock: Clock = Clock.ALWAYS

    @property
    def duration(self) -> dt.timedelta:
        """The target as a time span (of running clock time)."""
        return dt.timedelta(hours=self.hours)


class Targets(_Strict):
    """A response target and a resolution target."""

    response: Target
    resolution: Target

    @model_validator(mode="after")
    def _resolution_not_before_response(self) -> Targets:
        if (
            self.response.clock == self.resolution.clock
            and self.resolution.hours < self.response.hours
        ):
            raise ValueError(
                f"resolution ({self.resolution.hours} h) is shorter than response "
                f"({self.response.hours} h) on the same clock"
            )
        return self


class TierTargets(_Strict):
    """Targets for standard and VIP customers at one priority.

    ``divert`` lists the lower tiers whose visits an emergency of this tier may interrupt:
    an engineer driving to such a visit can be called off and sent to the emergency (the
    interrupted visit goes back to the pool).
    """

    standard: Targets
    vip: Targets
    divert: tuple[Literal["P1", "P2", "P3", "P4"], ...] = ()


class EscalationTo(StrEnum):
    """Who an escalation step goes to."""

    REGIONAL_MANAGER = "regional_manager"
    HEADQUARTERS = "headquarters"


class EscalationStep(_Strict):
    """After ``after_hours`` on the escalation clock, the ticket goes ``to`` someone."""

    after_hours: float = Field(gt=0)
    to: EscalationTo

    @property
    def after(self) -> dt.timedelta:
        """The step's threshold as a time span."""
        return dt.timedelta(hours=self.after_hours)


class Escalation(_Strict):
    """The escalation ladder for unresolved tickets of ``kinds``."""

    kinds: tuple[TicketKind, ...] = (TicketKind.REPAIR,)
    clock: Clock = Clock.ALWAYS
    ladder: tuple[EscalationStep, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _increasing(self) -> Escalation:
        hours = [step.after_hours for step in self.ladder]
        if any(b <= a for a, b in itertools.pairwise(hours)):
            raise ValueError(f"ladder steps must come at increasing after_hours, got {hours}")
        return self


class SlaPolicy(_Strict):
    """The whole policy (see ``dispatch/sla_policy.yaml`` for the meaning of each entry)."""

    version: Literal[1] = 1
    priorities: dict[Literal["P1", "P2", "P3", "P4"], TierTargets]
    complaint: Targets
    typical_response_minutes: float = Field(default=90, gt=0, le=7 * 24 * 60)
    escalation: Escalation
    default_calendar: CalendarSpec

    @model_validator(mode="after")
    def _every_priority(self) -> SlaPolicy:
        missing = [name for name in PRIORITY_NAMES if name not in self.priorities]
        if missing:
            raise ValueError(f"priorities lacks {', '.join(missing)}")
        for name, tier in self.priorities.items():
            higher = [t for t in tier.divert if t <= name]
            if higher:
                raise ValueError(f"{name} may divert only lower tiers, not {', '.join(higher)}")
        return self

    def divertible(self, priority: int) -> frozenset[int]:
        """Tiers (1..4) whose visits an emergency of ``priority`` may interrupt."""
        if not 1 <= priority <= 4:
            return frozenset()
        tier = self.priorities[PRIORITY_NAMES[priority - 1]]  # type: ignore[index]
        return frozenset(PRIORITY_NAMES.index(name) + 1 for name in tier.divert)

    @property
    def typical_response(self) -> dt.timedelta:
        """How long it typically takes to get someone on site (for unplanned tickets)."""
        return dt.timedelta(minutes=self.typical_response_minutes)

    def targets_for(self, *, priority: int, customer_tier: str, kind: str) -> Targets:
        """The targets of a ticket: complaint targets for complaints, else by tier.

        Raises
        ------
        InvalidInput
            ``priority`` outside 1..4.
        """
        if kind == TicketKind.COMPLAINT.value:
            return self.complaint
        if not 1 <= priority <= 4:
            raise InvalidInput(f"priority must be 1..4, got {priority}", field="priority")
        tiers = self.priorities[PRIORITY_NAMES[priority - 1]]  # type: ignore[index]
        return tiers.vip if customer_tier == CustomerTier.VIP.value else tiers.standard


def parse_policy(data: Any, *, source: str = "SLA policy") -> SlaPolicy:
    """Validate ``data`` (the parsed YAML) as a policy.

    Raises
    ------
    InvalidInput
        One message listing every problem as ``source: dotted.path: what is wrong``;
        ``field`` is the first bad entry.
    """
    try:
        return SlaPolicy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "(top level)"
            problems.append(f"{where}: {error['msg']}")
        first = ".".join(str(p) for p in exc.errors()[0]["loc"]) or None
        raise InvalidInput(f"{source} is invalid: " + "; ".join(problems), field=first) from exc


@functools.lru_cache(maxsize=8)
def _load(path: Path, _mtime_ns: int) -> SlaPolicy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path} is not valid YAML: {exc}", field="sla_policy_file") from exc
    return parse_policy(data, source=str(path))


def load_policy(path: Path | str | None = None) -> SlaPolicy:
    """The policy in ``path`` (``None``: the packaged defaults); cached until the file changes.

    Raises
    ------
    InvalidInput
        The file is missing, is not YAML, or does not validate.
    """
    target = Path(path) if path is not None else PACKAGED_POLICY
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as exc:
        raise InvalidInput(
            f"cannot read SLA policy {target}: {exc}", field="sla_policy_file"
        ) from exc
    return _load(target.resolve(), mtime)


def bind_policy(target: Session | sessionmaker[Session], policy: SlaPolicy) -> None:
    """Make ``policy`` the one services use on ``target`` (a session or a session factory).

    Edges call this once with ``load_policy(settings.sla_policy_file)``.
    """
    if isinstance(target, Session):
        target.info[_SESSION_KEY] = policy
        return
    info = dict(target.kw.get("info") or {})
    info[_SESSION_KEY] = policy
    target.configure(info=info)


def session_policy(session: Session, policy: SlaPolicy | None = None) -> SlaPolicy:
    """``policy`` if given, else the policy bound to ``session``, else the packaged one."""
    if policy is not None:
        return policy
    bound = session.info.get(_SESSION_KEY)
    if isinstance(bound, SlaPolicy):
        return bound
    return load_policy()
