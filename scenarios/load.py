"""Reading scenario files, finding the shipped ones, and the SLA policy a scenario runs under."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dispatch.errors import InvalidInput
from dispatch.sla.calendar import CalendarSpec
from dispatch.sla.policy import SlaPolicy, Target, Targets, load_policy
from scenarios.model import WEEKDAYS, Scenario

SHIPPED_DIR = Path(__file__).resolve().parent
"""Where the packaged scenario files live (``scenarios/*.yaml``)."""

_PATH_PREFIX = re.compile(r"^([a-z_]+(?:\.[A-Za-z0-9_+-]+)*): ")


class ScenarioError(InvalidInput):
    """A scenario file that cannot be used; ``problems`` lists ``(field, message)`` pairs."""

    def __init__(self, message: str, *, problems: list[tuple[str, str]]) -> None:
        super().__init__(message, field=problems[0][0] if problems else None)
        self.problems = problems


class DuplicateKey(yaml.YAMLError):
    """A mapping key given twice in a YAML file (YAML keys are unique; PyYAML keeps the last)."""

    def __init__(self, field: str, key: object, line: int, first_line: int) -> None:
        super().__init__(
            f"line {line}: duplicate key {key!r} (first given at line {first_line}); "
            "each key may appear once in a mapping"
        )
        self.field = field
        self.line = line


_MERGE_TAG = "tag:yaml.org,2002:merge"


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate mapping keys, naming the key and its line."""

    def construct_document(self, node: yaml.Node) -> Any:
        self._check_keys(node, (), set())
        return super().construct_document(node)

    def _check_keys(self, node: yaml.Node, path: tuple[str, ...], seen: set[int]) -> None:
        if id(node) in seen:  # an alias: checked where its anchor is
            return
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._check_keys(item, (*path, str(index)), seen)
            return
        if not isinstance(node, yaml.MappingNode):
            return
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # ``<<: *base``: explicit keys may override it
                continue
            key = None
            if isinstance(key_node, yaml.ScalarNode):
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if key in first:
                    field = ".".join((*path, str(key)))
                    raise DuplicateKey(field, key, line, first[key])
                first[key] = line
            self._check_keys(value_node, (*path, str(key)), seen)


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


def parse_scenario(
    data: Any, *, source: str = "scenario", base_dir: Path | None = None
) -> Scenario:
    """Validate parsed YAML as a :class:`~scenarios.model.Scenario`.

    Besides the model's own rules, the SLA policy file must exist and validate (a
    relative ``sla.policy_file`` is read from ``base_dir``, the scenario file's folder;
    the scenario returned carries the resolved path), and appointment slots need a day
    that is both open in the policy's calendar and staffed.

    Raises
    ------
    ScenarioError
        One message listing every problem as ``source: dotted.field: what is wrong``.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        lines = "\n".join(f"  {where}: {what}" for where, what in problems)
        raise ScenarioError(f"{source} is invalid:\n{lines}", problems=problems) from exc
    scenario = _resolve_policy_file(scenario, base_dir=base_dir, source=source)
    _check_appointment_days(scenario, source=source)
    return scenario


def _refuse(source: str, field: str, message: str) -> ScenarioError:
    return ScenarioError(f"{source}: {field}: {message}", problems=[(field, message)])


def _resolve_policy_file(scenario: Scenario, *, base_dir: Path | None, source: str) -> Scenario:
    given = scenario.sla.policy_file
    if given is None:
        return scenario
    path = given if given.is_absolute() or base_dir is None else base_dir / given
    if not path.is_file():
        where = "the scenario file's folder" if base_dir is not None else "the working directory"
        raise _refuse(
            source,
            "sla.policy_file",
            f"no such file {str(path)!r} (a relative path is read from {where})",
        )
    try:
        load_policy(path)
    except InvalidInput as exc:
        raise _refuse(source, "sla.policy_file", exc.message) from exc
    sla = scenario.sla.model_copy(update={"policy_file": path.resolve()})
    return scenario.model_copy(update={"sla": sla})


def appointment_weekdays(scenario: Scenario, calendar: CalendarSpec) -> frozenset[int]:
    """Weekdays (0 = Monday) on which appointment slots are booked.

    A day counts when the calendar has working hours on it and some engineer is on
    shift. Days the calendar leaves closed (usually the weekend) are on-call only:
    engineers on shift then take emergencies, not booked appointments.
    """
    staffed = {d.number for g in scenario.engineers for d in g.shift.days}
    open_days = {day for day, spans in calendar.minutes().items() if spans}
    return frozenset(staffed & open_days)


def _check_appointment_days(scenario: Scenario, *, source: str) -> None:
    if not scenario.demand.appointments.share:
        return
    calendar = scenario_policy(scenario).default_calendar
    if appointment_weekdays(scenario, calendar):
        return
    open_days = [WEEKDAYS[d] for d, spans in sorted(calendar.minutes().items()) if spans]
    staffed = sorted({d.number for g in scenario.engineers for d in g.shift.days})
    raise _refuse(
        source,
        "demand.appointments.share",
        "no day to book appointments on: the SLA calendar is open on "
        f"{', '.join(open_days)} but engineers work only on "
        f"{', '.join(WEEKDAYS[d] for d in staffed)} (on-call days take no appointments); "
        "set share: 0 or staff a calendar day",
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read and validate a scenario file (or a shipped scenario by name).

    Raises
    ------
    ScenarioError
        Missing file, bad YAML (a key given twice in a mapping included), or a scenario
        that does not validate (naming the fields).
    """
    path = resolve(name_or_path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except DuplicateKey as exc:
        raise _refuse(str(path), exc.field, str(exc)) from exc
    except yaml.YAMLError as exc:
        message = f"{path} is not valid YAML: {exc}"
        raise ScenarioError(message, problems=[("(file)", message)]) from exc
    return parse_scenario(data, source=str(path), base_dir=path.resolve().parent)


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
