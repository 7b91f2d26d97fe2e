"""Travel times: the matrix, the straight-line providers, OSRM, and the ``--travel`` spec.

* :mod:`solver.travel.base` - :class:`TravelMatrix`, :class:`Location`, the
  :class:`TravelTimeProvider` protocol and the straight-line providers;
* :mod:`solver.travel.spec` - the one parser of travel specs (``haversine``, ``geodesic``,
  ``osrm:DATA_DIR``, ``http(s)://...``);
* :mod:`solver.travel.osrm` (with ``osrm_backends``, ``osrm_blocks``, ``osrm_cache``,
  ``osrm_prepare``) - road times from OSRM, cached by pair.
"""

from solver.travel.base import (
    GeodesicProvider,
    HaversineProvider,
    IntMatrix,
    Location,
    TravelMatrix,
    TravelTimeProvider,
)

__all__ = [
    "GeodesicProvider",
    "HaversineProvider",
    "IntMatrix",
    "Location",
    "TravelMatrix",
    "TravelTimeProvider",
]
