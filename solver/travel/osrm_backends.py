"""Two ways to reach OSRM's table service: in-process bindings or an ``osrm-routed`` URL.

Both backends answer one rectangular block of a travel matrix per call
(:meth:`OsrmBackend.table`) and name the version of the road data they route on
(:meth:`OsrmBackend.version`), which keys the cache. Every failure is raised as
:class:`OsrmError`; :class:`solver.travel.osrm.OsrmProvider` turns it into a fallback.
"""

from __future__ import annotations

import hashlib
import threading
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import numpy as np
import numpy.typing as npt

from solver.travel.base import Location
from solver.travel.osrm_prepare import dataset_base, dataset_files, detect_algorithm

FloatArray = npt.NDArray[np.float64]


class OsrmError(RuntimeError):
    """OSRM could not be reached, could not load its data, or refused a request."""


@dataclass(frozen=True)
class TableResult:
    """One block answered by the table service.

    Attributes
    ----------
    durations, distances
        Float arrays ``(len(sources), len(destinations))`` in seconds and metres;
        ``nan`` where the network has no route.
    source_snaps, destination_snaps
        Metres from each source / destination to the point it snapped to.
    """

    durations: FloatArray
    distances: FloatArray
    source_snaps: FloatArray
    destination_snaps: FloatArray


@runtime_checkable
class OsrmBackend(Protocol):
    """A place that answers OSRM table queries."""

    @property
    def description(self) -> str:
        """Where the data comes from, for notes and errors."""
        ...

    def version(self, probe: Location) -> str:
        """A short string that changes whenever the road data changes.

        ``probe`` is a point the backend may use for a cheap request.
        """
        ...

    def table(
        self, points: Sequence[Location], sources: Sequence[int], destinations: Sequence[int]
    ) -> TableResult:
        """Durations and distances from ``points[sources]`` to ``points[destinations]``.

        Parameters
        ----------
        points
            Coordinates of the request.
        sources, destinations
            Indices into ``points``.

        Returns
        -------
        TableResult
            The block's figures and snapping distances.
        """
        ...


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _matrix(rows: Any, shape: tuple[int, int], what: str) -> FloatArray:
    try:
        values = [[np.nan if v is None else float(v) for v in row] for row in rows]
        out = np.asarray(values, dtype=np.float64).reshape(shape)
    except (TypeError, ValueError) as exc:
        raise OsrmError(f"OSRM returned malformed {what}: {exc}") from exc
    return out


def _snaps(waypoints: Any, count: int, what: str) -> FloatArray:
    try:
        out = np.asarray([float(w["distance"]) for w in waypoints], dtype=np.float64)
    except (TypeError, ValueError, KeyError) as exc:
        raise OsrmError(f"OSRM returned malformed {what}: {exc}") from exc
    if out.shape != (count,):
        raise OsrmError(f"OSRM returned {out.size} {what}, expected {count}")
    return out


def _result(response: Any, n_sources: int, n_destinations: int) -> TableResult:
    shape = (n_sources, n_destinations)
    try:
        durations, distances = response["durations"], response["distances"]
        sources, destinations = response["sources"], response["destinations"]
    except (KeyError, TypeError) as exc:
        raise OsrmError(f"OSRM table answer lacks {exc}") from exc
    return TableResult(
        durations=_matrix(durations, shape, "durations"),
        distances=_matrix(distances, shape, "distances"),
        source_snaps=_snaps(sources, n_sources, "source waypoints"),
        destination_snaps=_snaps(destinations, n_destinations, "destination waypoints"),
    )


class LocalOsrm:
    """OSRM in this process, through the ``osrm-bindings`` package, on a prepared data set.

    The engine is loaded on first use and again whenever the data set's files change.

    Parameters
    ----------
    data
        A data directory holding one prepared data set, or the data set's base path
        (``DIR/monaco.osrm``).
    algorithm
        ``"mld"`` or ``"ch"``; detected from the files when ``None``.
    """

    def __init__(self, data: str | Path, *, algorithm: str | None = None) -> None:
        self.data = Path(data)
        self.algorithm = algorithm.lower() if algorithm else None
        self._engine: Any = None
        self._loaded_version: str | None = None
        self.requests = 0
        """Table calls made so far."""

    @property
    def description(self) -> str:
        """The data set path."""
        return f"osrm:{self.data}"

    def version(self, probe: Location) -> str:
        """Hash of the data set files' names, sizes and modification times.

        Parameters
        ----------
        probe
            Unused (the files answer without a request).

        Returns
        -------
        str
            ``"local-"`` and 16 hex digits.
        """
        base, algorithm = self._resolve()
        parts = [algorithm]
        for f in dataset_files(base):
            st = f.stat()
            parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
        return "local-" + _short_hash(*parts)

    def table(
        self, points: Sequence[Location], sources: Sequence[int], destinations: Sequence[int]
    ) -> TableResult:
        """Answer one block (see :meth:`OsrmBackend.table`) with the in-process engine."""
        engine = self._load()
        import osrm

        try:
            params = osrm.TableParameters(
                coordinates=[(p.lon, p.lat) for p in points],
                sources=list(sources),
                destinations=list(destinations),
                annotations=["duration", "distance"],
            )
            self.requests += 1
            response = engine.Table(params)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise OsrmError(f"OSRM table request failed: {exc}") from exc
        return _result(response, len(sources), len(destinations))

    def _resolve(self) -> tuple[Path, str]:
        try:
            base = dataset_base(self.data)
            return base, self.algorithm or detect_algorithm(base)
        except (FileNotFoundError, ValueError) as exc:
            raise OsrmError(str(exc)) from exc

    def _load(self) -> Any:
        base, algorithm = self._resolve()
        version = self.version(Location(0.0, 0.0))
        if self._engine is not None and version == self._loaded_version:
            return self._engine
        try:
            import osrm
        except ImportError as exc:
            raise OsrmError(f"the osrm-bindings package is not installed: {exc}") from exc
        try:
            self._engine = osrm.OSRM(
                storage_config=str(base), algorithm=algorithm.upper(), use_shared_memory=False
            )
        except (RuntimeError, ValueError, TypeError) as exc:
            raise OsrmError(f"OSRM could not load {base}: {exc}") from exc
        self._loaded_version = version
        return self._engine


class HttpOsrm:
    """An ``osrm-routed`` server (or anything speaking its HTTP API) at ``url``.

    Requests go through one pooled :class:`httpx.Client` (kept-alive connections, made on
    first use), with a timeout per request and :data:`CONNECT_RETRIES` retries of a
    connection that could not be made. An answer, even an error status, is never
    retried: the provider falls back and keeps what was answered.

    Parameters
    ----------
    url
        Base URL, e.g. ``"http://127.0.0.1:5000"``.
    profile
        Profile segment of the request path (``osrm-routed`` ignores it).
    timeout
        Seconds to wait for each request (connecting: at most :data:`CONNECT_SECONDS`).
    version
        Data version to key the cache with. When ``None`` the server is asked with a
        ``nearest`` request for its ``data_version`` (set by ``osrm-extract
        --data_version``; ``dispatch osrm prepare`` sets it from the map and profile),
        so servers on the same prepared data share cached figures; a server reporting
        none is keyed by its URL.
    """

    CONNECT_RETRIES = 2
    """Further attempts at a connection that failed (refused, reset, timed out)."""
    CONNECT_SECONDS = 5.0
    """Longest wait for a connection."""
    POOL_SIZE = 8
    """Connections kept alive to the server."""

    def __init__(
        self,
        url: str,
        *,
        profile: str = "driving",
        timeout: float = 30.0,
        version: str | None = None,
    ) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"not an http(s) URL: {url!r}")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.url = url.rstrip("/")
        self.profile = profile
        self.timeout = timeout
        self.fixed_version = version
        self.requests = 0
        """HTTP requests sent so far (table and version probes), retries not counted."""
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the client and its connections (a copy makes its own)."""
        state = dict(self.__dict__)
        state["_client"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled backend."""
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The pooled HTTP client, made on first use."""
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    base_url=self.url,
                    timeout=httpx.Timeout(
                        self.timeout, connect=min(self.timeout, self.CONNECT_SECONDS)
                    ),
                    limits=httpx.Limits(
                        max_connections=self.POOL_SIZE, max_keepalive_connections=self.POOL_SIZE
                    ),
                    transport=httpx.HTTPTransport(retries=self.CONNECT_RETRIES),
                    headers={"Accept": "application/json"},
                )
            return self._client

    def close(self) -> None:
        """Close the pooled connections (a later request opens new ones)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    @property
    def description(self) -> str:
        """The server URL."""
        return self.url

    def version(self, probe: Location) -> str:
        """The data version: the given one, the server's ``data_version``, or the URL.

        Parameters
        ----------
        probe
            A point for the ``nearest`` request.

        Returns
        -------
        str
            ``"http-"`` and 16 hex digits.
        """
        if self.fixed_version is not None:
            return "http-" + _short_hash(self.url, self.fixed_version)
        answer = self._get(f"nearest/v1/{self.profile}/{_coords([probe])}", {"number": "1"})
        data_version = str(answer.get("data_version") or "")
        if data_version:
            return "http-" + _short_hash("data_version", data_version)
        return "http-" + _short_hash(self.url, "")

    def table(
        self, points: Sequence[Location], sources: Sequence[int], destinations: Sequence[int]
    ) -> TableResult:
        """Answer one block (see :meth:`OsrmBackend.table`) with a ``table`` request."""
        query = {
            "sources": ";".join(map(str, sources)),
            "destinations": ";".join(map(str, destinations)),
            "annotations": "duration,distance",
        }
        answer = self._get(f"table/v1/{self.profile}/{_coords(points)}", query)
        return _result(answer, len(sources), len(destinations))

    def _get(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        target = f"/{path}?{urllib.parse.urlencode(query, safe=';,')}"
        self.requests += 1
        try:
            response = self.client.get(target)
        except httpx.HTTPError as exc:
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "is unreachable"
            raise OsrmError(f"OSRM at {self.url} {kind}: {exc!r}") from exc
        if response.is_error and not _is_json(response):
            detail = response.text[:300]
            raise OsrmError(f"OSRM at {self.url} answered HTTP {response.status_code}: {detail}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise OsrmError(f"OSRM at {self.url} sent invalid JSON: {exc}") from exc
        if not isinstance(answer, dict) or answer.get("code") != "Ok":
            code = answer.get("code") if isinstance(answer, dict) else None
            message = answer.get("message") if isinstance(answer, dict) else None
            status = f"HTTP {response.status_code}: " if response.is_error else ""
            raise OsrmError(f"OSRM at {self.url} refused the request: {status}{code} {message}")
        return answer


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")


def _coords(points: Sequence[Location]) -> str:
    return ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
