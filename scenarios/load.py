"""Reading scenario files, finding the shipped ones, and the SLA policy a scenario runs under."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dispatch.errors import InvalidInput
from dispatch.sla.policy import SlaPolicy, Target, Targets, load_policy
from scenarios.model import Scenario

SHIPPED_DIR = Path(__file__).resolve().parent
"""Where the packaged scenario files live (``scenarios/*.yaml``)."""

_PATH_PREFIX = re.compile(r"^([a-z_]+(?:\.[A-Za-z0-9_+-]+)+): ")


class ScenarioError(InvalidInput):
    """A scenario file that cannot be used; ``problems`` lists ``(field, message)`` pairs."""

    def __init__(self, message: str, *, problems: list[tuple[str, str]]) -> None:
        super().__init__(message, field=problems[0][0] if problems else None)
        self.problems = problems


def shipped_scenarios() -> dict[str, Path]:
    """The packaged scenarios, by name (the file name without ``.yaml``)."""
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.yaml"))}


def resolve(name_or_path: str | Path) -> Path:
    """A scenario file: an existing path, else the shipped scenario of that name.

    Raises
    ------
    ScenarioError
        Neither a file nor a shipped scenario.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_scenarios()
    key = path.name.removesuffix(".yaml")
    if key in shipped:
        return shipped[key]
    message = f"no scenario file {str(name_or_path)!r}; shipped scenarios: {', '.join(shipped)}"
    raise ScenarioError(message, problems=[("scenario", message)])


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        match = _PATH_PREFIX.match(message)
        if match is not None:  # a cross-field rule names its field in the message
            where = ".".join(p for p in (where, match.group(1)) if p)
            message = message[match.end() :]
        if error["type"] == "extra_forbidden":
            message = "unknown entry (misspelt?)"
        problems.append((where or "(top level)", message))
    return problems


def parse_scenario(data: Any, *, source: str = "scenario") -> Scenario:
    """Validate parsed YAML as a :class:`~scenarios.model.Scenario`.

    Raises
    ------
    ScenarioError
        One message listing every problem as ``source: dotted.field: what is wrong``.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        lines = "\n".join(f"  {where}: {what}" for where, what in problems)
        raise ScenarioError(f"{source} is invalid:\n{lines}", problems=problems) from exc


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read and validate a scenario file (or a shipped scenario by name).

    Raises
    ------
    ScenarioError
        Missing file, bad YAML, or a scenario that does not validate (naming the fields).
    """
    path = resolve(name_or_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        message = f"{path} is not valid YAML: {exc}"
        raise ScenarioError(message, problems=[("(file)", message)]) from exc
    return parse_scenario(data, source=str(path))


def scenario_policy(scenario: Scenario) -> SlaPolicy:
    """The SLA policy of a scenario: its file (or the packaged one) with its overrides.

    ``response_hours`` replaces the standard response target of a tier and sets the VIP
    one to half of it; resolution targets grow when they would fall below the response.
    """
    policy = load_policy(scenario.sla.policy_file)
    if not scenario.sla.response_hours:
        return policy
    priorities = dict(policy.priorities)
    for tier, hours in scenario.sla.response_hours.items():
        current = priorities[tier]

        def retarget(targets: Targets, value: float) -> Targets:
            response = Target(hours=value, clock=targets.response.clock)
            resolution = targets.resolution
            if resolution.clock == response.clock and resolution.hours < value:
                resolution = Target(hours=value, clock=resolution.clock)
            return Targets(response=response, resolution=resolution)

        priorities[tier] = current.model_copy(
            update={
                "standard": retarget(current.standard, hours),
                "vip": retarget(current.vip, hours / 2),
            }
        )
    return policy.model_copy(update={"priorities": priorities})
