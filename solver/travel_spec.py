"""Travel providers named on a command line: ``haversine`` (default), ``geodesic``, OSRM.

:func:`provider_from_spec` is the single place where a ``--travel`` value becomes a
:class:`~solver.travel.TravelTimeProvider`:

* ``haversine``, ``geodesic`` - straight lines at ``speed_kmh`` with ``circuity``;
* ``osrm:DATA_DIR`` - OSRM in this process on a data set made by
  ``dispatch osrm prepare`` (``DATA_DIR`` may also be the base path ``DIR/NAME.osrm``);
* ``http://HOST:PORT`` or ``https://...`` - an ``osrm-routed`` server.

The OSRM forms fall back to haversine at ``speed_kmh``/``circuity`` when OSRM fails.
"""

from __future__ import annotations

from solver.osrm import OsrmProvider
from solver.travel import GeodesicProvider, HaversineProvider, TravelTimeProvider

KNOWN_SPECS = ("haversine", "geodesic", "osrm:DATA_DIR", "http(s)://OSRM_HOST:PORT")
"""Spec forms understood."""


def provider_from_spec(spec: str, *, speed_kmh: float, circuity: float) -> TravelTimeProvider:
    """The travel provider a spec names.

    Parameters
    ----------
    spec
        ``"haversine"``, ``"geodesic"`` (case and surrounding blanks ignored),
        ``"osrm:DATA_DIR"`` or an ``http(s)://`` URL of ``osrm-routed``.
    speed_kmh, circuity
        Straight-line speed and detour factor of the straight-line providers (and of
        the OSRM providers' fallback).

    Returns
    -------
    TravelTimeProvider
        The provider.

    Raises
    ------
    ValueError
        For an unknown spec, naming the known forms.
    """
    text = spec.strip()
    name = text.lower()
    if name.startswith("osrm:"):
        data = text[len("osrm:") :]
        if not data:
            raise ValueError("osrm: needs a data directory, e.g. osrm:/var/lib/osrm/monaco")
        return OsrmProvider.local(data, fallback=HaversineProvider(speed_kmh, circuity))
    if name.startswith(("http://", "https://")):
        return OsrmProvider.http(text, fallback=HaversineProvider(speed_kmh, circuity))
    if name == "haversine":
        return HaversineProvider(speed_kmh=speed_kmh, circuity=circuity)
    if name == "geodesic":
        return GeodesicProvider(speed_kmh=speed_kmh, circuity=circuity)
    raise ValueError(f"unknown travel spec {spec!r}; expected one of {', '.join(KNOWN_SPECS)}")
