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

import urllib.parse

from solver.osrm import OsrmProvider
from solver.osrm_prepare import dataset_base
from solver.travel import GeodesicProvider, HaversineProvider, TravelTimeProvider

KNOWN_SPECS = ("haversine", "geodesic", "osrm:DATA_DIR", "http(s)://OSRM_HOST:PORT")
"""Spec forms understood."""


def check_spec(spec: str) -> str:
    """Check a spec's grammar without building the provider (nothing is loaded or asked).

    Parameters
    ----------
    spec
        As for :func:`provider_from_spec`.

    Returns
    -------
    str
        The spec without surrounding blanks (``haversine`` and ``geodesic`` lower-cased).

    Raises
    ------
    ValueError
        For an unknown form, an ``osrm:`` data set that is not there, or a URL without a
        host or with a bad port.
    """
    text = spec.strip()
    name = text.lower()
    if name in ("haversine", "geodesic"):
        return name
    if name.startswith("osrm:"):
        data = text[len("osrm:") :]
        if not data:
            raise ValueError("osrm: needs a data directory, e.g. osrm:/var/lib/osrm/monaco")
        try:
            dataset_base(data)
        except (FileNotFoundError, ValueError) as exc:
            raise ValueError(f"{exc} (prepare one with 'dispatch osrm prepare')") from exc
        return text
    if name.startswith(("http://", "https://")):
        parts = urllib.parse.urlsplit(text)
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number in range
        except ValueError as exc:
            raise ValueError(f"bad port in OSRM URL {text!r}: {exc}") from exc
        if not parts.hostname:
            raise ValueError(f"OSRM URL {text!r} has no host")
        return text
    raise ValueError(f"unknown travel spec {spec!r}; expected one of {', '.join(KNOWN_SPECS)}")


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
