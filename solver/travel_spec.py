"""Travel providers named on a command line: ``haversine`` (default) and ``geodesic``.

:func:`provider_from_spec` is the single place where a ``--travel`` value becomes a
:class:`~solver.travel.TravelTimeProvider`; road-network providers (OSRM) add their
spec forms here.
"""

from __future__ import annotations

from solver.travel import GeodesicProvider, HaversineProvider, TravelTimeProvider

KNOWN_SPECS = ("haversine", "geodesic")
"""Spec forms understood (besides those road providers add)."""


def provider_from_spec(spec: str, *, speed_kmh: float, circuity: float) -> TravelTimeProvider:
    """The travel provider a spec names.

    Parameters
    ----------
    spec
        ``"haversine"`` or ``"geodesic"`` (case and surrounding blanks ignored).
    speed_kmh, circuity
        Straight-line speed and detour factor of the straight-line providers.

    Returns
    -------
    TravelTimeProvider
        The provider.

    Raises
    ------
    ValueError
        For an unknown spec, naming the known forms.
    """
    name = spec.strip().lower()
    if name == "haversine":
        return HaversineProvider(speed_kmh=speed_kmh, circuity=circuity)
    if name == "geodesic":
        return GeodesicProvider(speed_kmh=speed_kmh, circuity=circuity)
    raise ValueError(f"unknown travel spec {spec!r}; expected one of {', '.join(KNOWN_SPECS)}")
