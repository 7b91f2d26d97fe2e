"""Travel specs (``--travel``, ``DISPATCH_TRAVEL``): ``haversine`` (default), ``geodesic``, OSRM.

:func:`parse_spec` is the one parser of a spec; :func:`check_spec` checks one without
building anything and :func:`provider_from_spec` turns one into a
:class:`~solver.travel.base.TravelTimeProvider`:

* ``haversine``, ``geodesic`` - straight lines at ``speed_kmh`` with ``circuity``;
* ``osrm:DATA_DIR`` - OSRM in this process on a data set made by
  ``dispatch osrm prepare`` (``DATA_DIR`` may also be the base path ``DIR/NAME.osrm``);
* ``http://HOST:PORT`` or ``https://...`` - an ``osrm-routed`` server.

One case rule: the form's name (``haversine``, ``geodesic``, ``osrm:``, ``http(s)://``)
is read in any case, surrounding blanks ignored; the data directory and the URL are kept
as written. The OSRM forms fall back to haversine at ``speed_kmh``/``circuity`` when
OSRM fails.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Literal

from solver.travel.base import GeodesicProvider, HaversineProvider, TravelTimeProvider
from solver.travel.osrm import OsrmProvider
from solver.travel.osrm_cache import MatrixCache
from solver.travel.osrm_prepare import dataset_base

KNOWN_SPECS = ("haversine", "geodesic", "osrm:DATA_DIR", "http(s)://OSRM_HOST:PORT")
"""Spec forms understood."""

SpecKind = Literal["haversine", "geodesic", "osrm", "http"]


@dataclass(frozen=True)
class TravelSpec:
    """A travel spec read by :func:`parse_spec`.

    Attributes
    ----------
    kind
        ``"haversine"``, ``"geodesic"``, ``"osrm"`` (in-process data set) or ``"http"``
        (an ``osrm-routed`` server).
    text
        The spec without surrounding blanks (``haversine`` and ``geodesic`` lower-cased).
    target
        The data directory (``osrm``) or the URL (``http``); empty for straight lines.
    """

    kind: SpecKind
    text: str
    target: str = ""

    @property
    def road(self) -> bool:
        """True for the OSRM forms (road times, worth caching)."""
        return self.kind in ("osrm", "http")


def parse_spec(spec: str) -> TravelSpec:
    """Read a spec's form (nothing is loaded, looked up or asked).

    Parameters
    ----------
    spec
        ``"haversine"``, ``"geodesic"``, ``"osrm:DATA_DIR"`` or an ``http(s)://`` URL of
        ``osrm-routed``; the form's name in any case, surrounding blanks ignored.

    Returns
    -------
    TravelSpec
        The form and its target.

    Raises
    ------
    ValueError
        For an unknown form (naming the known ones), or ``osrm:`` without a directory.
    """
    text = spec.strip()
    name = text.lower()
    if name in ("haversine", "geodesic"):
        return TravelSpec("haversine" if name == "haversine" else "geodesic", name)
    if name.startswith("osrm:"):
        data = text[len("osrm:") :]
        if not data:
            raise ValueError("osrm: needs a data directory, e.g. osrm:/var/lib/osrm/monaco")
        return TravelSpec("osrm", text, data)
    if name.startswith(("http://", "https://")):
        return TravelSpec("http", text, text)
    raise ValueError(f"unknown travel spec {spec!r}; expected one of {', '.join(KNOWN_SPECS)}")


def check_spec(spec: str) -> str:
    """Check a spec without building the provider (nothing is loaded or asked).

    Parameters
    ----------
    spec
        As for :func:`parse_spec`.

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
    parsed = parse_spec(spec)
    if parsed.kind == "osrm":
        try:
            dataset_base(parsed.target)
        except (FileNotFoundError, ValueError) as exc:
            raise ValueError(f"{exc} (prepare one with 'dispatch osrm prepare')") from exc
    elif parsed.kind == "http":
        parts = urllib.parse.urlsplit(parsed.text)
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number in range
        except ValueError as exc:
            raise ValueError(f"bad port in OSRM URL {parsed.text!r}: {exc}") from exc
        if not parts.hostname:
            raise ValueError(f"OSRM URL {parsed.text!r} has no host")
    return parsed.text


def provider_from_spec(
    spec: str, *, speed_kmh: float, circuity: float, cache: MatrixCache | None = None
) -> TravelTimeProvider:
    """The travel provider a spec names.

    Parameters
    ----------
    spec
        As for :func:`parse_spec`.
    speed_kmh, circuity
        Straight-line speed and detour factor of the straight-line providers (and of
        the OSRM providers' fallback).
    cache
        Where the OSRM forms keep the pairs they asked for (default: none).

    Returns
    -------
    TravelTimeProvider
        The provider.

    Raises
    ------
    ValueError
        For an unknown spec, naming the known forms.
    """
    parsed = parse_spec(spec)
    if parsed.kind == "haversine":
        return HaversineProvider(speed_kmh=speed_kmh, circuity=circuity)
    if parsed.kind == "geodesic":
        return GeodesicProvider(speed_kmh=speed_kmh, circuity=circuity)
    fallback = HaversineProvider(speed_kmh, circuity)
    if parsed.kind == "osrm":
        return OsrmProvider.local(parsed.target, cache=cache, fallback=fallback)
    return OsrmProvider.http(parsed.target, cache=cache, fallback=fallback)
