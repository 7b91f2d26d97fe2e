"""Every Redis key name the service uses, in one place."""

from __future__ import annotations

PREFIX = "dispatch"

OPTIMIZATION_JOB = "dispatch.planning.tasks.optimization_job"
"""The RQ job function of an optimisation run (RQ imports it by this name)."""
IN_PROCESS_OPTIMIZATION_JOB = "dispatch.planning.tasks.run_optimization_with"
"""The same run in this process's pool, given this process's runtime."""


def queue_name() -> str:
    """The RQ queue optimisation runs go on."""
    return f"{PREFIX}:optimise"


def simulation_queue_name() -> str:
    """The RQ queue simulation runs (``dispatch simulate``) go on."""
    return f"{PREFIX}:simulate"


def events_stream() -> str:
    """The Redis Stream of live events (SSE)."""
    return f"{PREFIX}:events"


def engineer_positions() -> str:
    """The GEO set of engineers' last positions."""
    return f"{PREFIX}:positions"


def engineer_position_meta(engineer_id: int) -> str:
    """A hash with the time and accuracy of an engineer's last ping (expires with a TTL)."""
    return f"{PREFIX}:position:{engineer_id}"


def travel_matrix_prefix() -> str:
    """Prefix of cached travel-matrix pairs."""
    return f"{PREFIX}:travel"


def housekeeping_lock() -> str:
    """Held by the one process running the periodic housekeeping (reaper, SLA sweep)."""
    return f"{PREFIX}:lock:housekeeping"


def optimization_job(plan_id: int) -> str:
    """The RQ job id of a run's latest attempt (to cancel or stop it)."""
    return f"{PREFIX}:run:{plan_id}:job"


def optimization_enqueue_claim(plan_id: int) -> str:
    """Set briefly by the one process checking that a queued run has a job (no twin jobs)."""
    return f"{PREFIX}:run:{plan_id}:enqueue-claim"


def login_failures_user(name_digest: str) -> str:
    """A sorted set of recent log-in attempts for one user name (a digest of it)."""
    return f"{PREFIX}:login:user:{name_digest}"


def login_failures_address(address: str) -> str:
    """A sorted set of recent log-in attempts from one client address."""
    return f"{PREFIX}:login:addr:{address}"


def day_version(engineer_id: int) -> str:
    """A counter bumped after each committed change to the engineer's days (never expires)."""
    return f"{PREFIX}:dayver:{engineer_id}"


def day_version_everyone() -> str:
    """A counter bumped after a committed change that names no engineer (all days change)."""
    return f"{PREFIX}:dayver:all"


def engineer_day(engineer_id: int, day: str) -> str:
    """The cached ``GET /me/jobs`` answer of an engineer's day, tagged with its version."""
    return f"{PREFIX}:day:{engineer_id}:{day}"
