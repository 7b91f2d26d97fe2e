"""Planning the table requests that fill the gaps of a partly cached travel matrix."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solver.travel.osrm_cache import BoolMatrix

IndexArray = npt.NDArray[np.int64]


def missing_blocks(missing: BoolMatrix, block_size: int) -> list[tuple[IndexArray, IndexArray]]:
    """Cover the missing pairs of a square matrix with small rectangular requests.

    Two plans are compared: one rectangle of every row and column missing something,
    and a greedy vertex cover of the missing pairs (the points with the most missing
    pairs, typically those new to the cache), whose rows are asked against every
    column that needs them and whose columns from the remaining rows. Rectangles are
    cut into tiles of at most ``block_size x block_size``, each shrunk to the rows and
    columns that miss something in it. The plan asking for fewer pairs that are not
    missing wins, then the one with fewer requests. When points ``N`` are new to a
    cache holding the others, exactly the ``N x all`` and ``all x N`` pairs are asked;
    when nothing is cached, one rectangle is.

    Parameters
    ----------
    missing
        ``(n, n)`` boolean mask of the pairs to compute.
    block_size
        Most sources and most destinations per request.

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        ``(rows, cols)`` index arrays; every missing pair lies in at least one
        ``rows x cols`` tile, and the tiles are disjoint.
    """
    if block_size < 1:
        raise ValueError("block_size must be >= 1")
    n = missing.shape[0]
    if missing.shape != (n, n):
        raise ValueError("missing must be a square matrix")
    if not missing.any():
        return []
    rows_any = np.flatnonzero(missing.any(axis=1))
    cols_any = np.flatnonzero(missing.any(axis=0))
    single = [(rows_any, cols_any)]
    cover = _greedy_cover(missing)
    in_cover = np.zeros(n, dtype=np.bool_)
    in_cover[cover] = True
    first_cols = np.flatnonzero(missing[cover].any(axis=0))
    rest = np.flatnonzero(~in_cover)
    rest_missing = missing[np.ix_(rest, cover)]
    second_rows = rest[rest_missing.any(axis=1)]
    second_cols = cover[rest_missing.any(axis=0)]
    split = [(cover, first_cols), (second_rows, second_cols)]

    by_cover = _tiles(missing, split, block_size)
    whole = _tiles(missing, single, block_size)
    return min(by_cover, whole, key=lambda tiles: (_known_asked(missing, tiles), len(tiles)))


def _known_asked(missing: BoolMatrix, tiles: list[tuple[IndexArray, IndexArray]]) -> int:
    """Pairs of distinct points in ``tiles`` that are not missing (asked for nothing)."""
    waste = 0
    for rows, cols in tiles:
        diagonal = np.intersect1d(rows, cols, assume_unique=True).size
        waste += rows.size * cols.size - int(missing[np.ix_(rows, cols)].sum()) - diagonal
    return waste


def _tiles(
    missing: BoolMatrix, rects: list[tuple[IndexArray, IndexArray]], block_size: int
) -> list[tuple[IndexArray, IndexArray]]:
    tiles: list[tuple[IndexArray, IndexArray]] = []
    for rows, cols in rects:
        for r0 in range(0, rows.size, block_size):
            for c0 in range(0, cols.size, block_size):
                r, c = rows[r0 : r0 + block_size], cols[c0 : c0 + block_size]
                sub = missing[np.ix_(r, c)]
                if sub.any():
                    tiles.append((r[sub.any(axis=1)], c[sub.any(axis=0)]))
    return tiles


def _greedy_cover(missing: BoolMatrix) -> IndexArray:
    """Points such that every missing pair has one of them as origin or destination."""
    m = missing.copy()
    degree = m.sum(axis=0, dtype=np.int64) + m.sum(axis=1, dtype=np.int64)
    chosen: list[int] = []
    while True:
        v = int(np.argmax(degree))
        if degree[v] == 0:
            break
        chosen.append(v)
        out_edges, in_edges = m[v].copy(), m[:, v].copy()
        m[v, :] = False
        m[:, v] = False
        degree -= out_edges.astype(np.int64) + in_edges.astype(np.int64)
        degree[v] = 0
    return np.asarray(sorted(chosen), dtype=np.int64)
