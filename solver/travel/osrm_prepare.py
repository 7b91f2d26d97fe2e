"""Turning an OpenStreetMap extract into an OSRM data set, and finding data sets.

The ``osrm-bindings`` package ships the OSRM executables and profiles inside its
``osrm`` package directory (``osrm/bin``, ``osrm/share/profiles``); they are found
from the installed package, then on ``PATH``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
from pathlib import Path

ALGORITHMS = ("mld", "ch")

_MLD_MARKERS = (".mldgr", ".cell_metrics", ".partition")
_CH_MARKERS = (".hsgr",)


def _package_dir() -> Path | None:
    spec = importlib.util.find_spec("osrm")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def osrm_executable(name: str) -> Path:
    """Path of an OSRM executable (``"osrm-extract"``, ``"osrm-routed"``...).

    Parameters
    ----------
    name
        Executable name.

    Returns
    -------
    pathlib.Path
        The executable in the ``osrm`` package's ``bin`` directory, else on ``PATH``.

    Raises
    ------
    FileNotFoundError
        When neither has it.
    """
    package = _package_dir()
    if package is not None:
        candidate = package / "bin" / name
        if candidate.is_file():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FileNotFoundError(
        f"{name} not found: install osrm-bindings (Python >= 3.12) or put it on PATH"
    )


def osrm_profile(profile: str) -> Path:
    """Path of a routing profile: a name shipped with OSRM (``"car"``) or a ``.lua`` path.

    Parameters
    ----------
    profile
        ``"car"``, ``"bicycle"``, ``"foot"``... or a path to a Lua profile.

    Returns
    -------
    pathlib.Path
        The profile file.

    Raises
    ------
    FileNotFoundError
        When there is no such profile.
    """
    as_path = Path(profile)
    if as_path.suffix == ".lua":
        if as_path.is_file():
            return as_path
        raise FileNotFoundError(f"profile {profile} does not exist")
    package = _package_dir()
    if package is not None:
        candidate = package / "share" / "profiles" / f"{profile}.lua"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no OSRM profile named {profile!r} (install osrm-bindings)")


def dataset_files(base: Path) -> list[Path]:
    """The files of the data set at ``base`` (``DIR/name.osrm``), sorted.

    Parameters
    ----------
    base
        Base path of the data set, ``DIR/name.osrm``; it need not exist yet.

    Returns
    -------
    list of pathlib.Path
        ``base`` itself if it exists and every ``base.*`` file.
    """
    files = sorted(base.parent.glob(base.name + ".*"))
    if base.is_file():
        files.insert(0, base)
    return files


def dataset_base(data: str | Path) -> Path:
    """Resolve a data directory or a base path to the data set's base path.

    Parameters
    ----------
    data
        A directory holding exactly one prepared data set, or ``DIR/name.osrm``.

    Returns
    -------
    pathlib.Path
        ``DIR/name.osrm``.

    Raises
    ------
    FileNotFoundError
        When no data set is there.
    ValueError
        When a directory holds several data sets.
    """
    path = Path(data)
    if path.is_dir():
        bases = sorted({f.name.split(".osrm.")[0] for f in path.glob("*.osrm.*")})
        if not bases:
            raise FileNotFoundError(f"no OSRM data set (*.osrm.*) in {path}")
        if len(bases) > 1:
            raise ValueError(f"{path} holds several data sets ({', '.join(bases)}); name one")
        return path / f"{bases[0]}.osrm"
    if not dataset_files(path):
        raise FileNotFoundError(f"no OSRM data set at {path}")
    return path


def detect_algorithm(base: Path) -> str:
    """Which algorithm the data set at ``base`` was prepared for (MLD preferred).

    Parameters
    ----------
    base
        Base path of a prepared data set (see :func:`dataset_base`).

    Returns
    -------
    str
        ``"mld"`` or ``"ch"``.

    Raises
    ------
    FileNotFoundError
        When the data set was extracted but neither partitioned nor contracted.
    """
    if all(Path(f"{base}{m}").is_file() for m in _MLD_MARKERS):
        return "mld"
    if all(Path(f"{base}{m}").is_file() for m in _CH_MARKERS):
        return "ch"
    raise FileNotFoundError(f"{base} is neither partitioned (MLD) nor contracted (CH)")


def _dataset_name(pbf: Path) -> str:
    name = pbf.name
    for suffix in (".osm.pbf", ".pbf", ".osm.bz2", ".osm"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return pbf.stem


def _digest(*files: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:12]


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-15:])
        raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}):\n{tail}")


def prepare_dataset(
    pbf: str | Path,
    data_dir: str | Path,
    *,
    algorithm: str = "mld",
    profile: str = "car",
    threads: int | None = None,
) -> Path:
    """Extract an OSM file and partition/customise (MLD) or contract (CH) it.

    The data version reported by ``osrm-routed`` is set to the data set name, the
    algorithm and a hash of the OSM file and the profile, so caches keyed on it
    change when the map does.

    Parameters
    ----------
    pbf
        ``.osm.pbf`` (or ``.osm``/``.osm.bz2``) extract.
    data_dir
        Directory for the generated ``NAME.osrm.*`` files (created if needed).
    algorithm
        ``"mld"`` (multi-level Dijkstra) or ``"ch"`` (contraction hierarchies).
    profile
        Profile name shipped with OSRM or a ``.lua`` path.
    threads
        Threads for the OSRM tools (their default when ``None``).

    Returns
    -------
    pathlib.Path
        The data set's base path ``data_dir/NAME.osrm``.

    Raises
    ------
    FileNotFoundError
        When the input, an executable or the profile is missing.
    ValueError
        For an unknown algorithm.
    RuntimeError
        When an OSRM tool fails (its last output lines are in the message).
    """
    algorithm = algorithm.lower()
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
    source = Path(pbf)
    if not source.is_file():
        raise FileNotFoundError(f"no OSM file at {source}")
    profile_path = osrm_profile(profile)
    out_dir = Path(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = _dataset_name(source)
    base = out_dir / f"{name}.osrm"
    extra = ["--threads", str(threads)] if threads else []
    version = f"{name}-{algorithm}-{_digest(source, profile_path)}"
    _extract(source, profile_path, out_dir / name, version, extra)
    _build(algorithm, base, extra)
    return base


def _extract(source: Path, profile: Path, output: Path, version: str, extra: list[str]) -> None:
    """Run ``osrm-extract`` on ``source`` into ``output.osrm.*`` with the data ``version``."""
    _run(
        [
            str(osrm_executable("osrm-extract")),
            str(source),
            "--profile",
            str(profile),
            "--output",
            str(output),
            "--data_version",
            version,
            *extra,
        ]
    )


def _build(algorithm: str, base: Path, extra: list[str]) -> None:
    """Partition and customise (MLD) or contract (CH) the extracted data set ``base``."""
    if algorithm == "mld":
        _run([str(osrm_executable("osrm-partition")), str(base), *extra])
        _run([str(osrm_executable("osrm-customize")), str(base), *extra])
    else:
        _run([str(osrm_executable("osrm-contract")), str(base), *extra])
