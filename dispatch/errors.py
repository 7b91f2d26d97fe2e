"""Domain errors: plain exceptions; the API maps each class to an HTTP status in one place."""

from __future__ import annotations

from typing import Any


class DispatchError(Exception):
    """Base class of every domain error.

    Parameters
    ----------
    message
        What went wrong, for a human.
    field
        The input field at fault, when one is (dotted path, e.g. ``windows.0.end``).
    details
        Extra machine-readable facts (e.g. what changed since a plan was computed).
    """

    code = "dispatch_error"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(DispatchError):
    """The thing asked for does not exist (or the caller may not know it does)."""

    code = "not_found"


class InvalidInput(DispatchError):
    """Input that is well-formed but breaks a business rule (e.g. a window ending before it starts)."""

    code = "invalid_input"


class Conflict(DispatchError):
    """The request clashes with the current state (duplicate, concurrent change)."""

    code = "conflict"


class InUse(Conflict):
    """A record others still depend on (a region with active engineers, a site with open
    tickets...): deactivating it would break them. ``code`` is ``<entity>_in_use``."""

    code = "in_use"

    def __init__(self, message: str, *, entity: str, field: str | None = None, **details: Any):
        super().__init__(message, field=field, **details)
        self.code = f"{entity}_in_use"


class TransitionNotAllowed(Conflict):
    """A life-cycle transition that is not allowed from the ticket's current state."""

    code = "transition_not_allowed"


class StalePlan(Conflict):
    """A plan computed from data that changed since (tickets, pins, engineers)."""

    code = "stale_plan"


class AuthenticationFailed(DispatchError):
    """Wrong credentials, or a missing, expired or forged token."""

    code = "authentication_failed"


class PermissionDenied(DispatchError):
    """The caller's role (or binding) does not allow this."""

    code = "permission_denied"


class TooManyAttempts(DispatchError):
    """Too many failed attempts (e.g. log-ins) in a while; ``retry_after`` seconds to wait."""

    code = "too_many_attempts"

    @property
    def retry_after(self) -> int:
        """Seconds until another attempt may succeed."""
        return int(self.details.get("retry_after", 1))


class ServiceUnavailable(DispatchError):
    """A backing service (database, Redis, OSRM) cannot be reached."""

    code = "service_unavailable"
