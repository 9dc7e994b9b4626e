"""Shortest paths over a layout graph and travel times with acceleration and stops.

Why: an AGV's, a forklift's or a walking operator's time between two stations follows from the
aisle network and the vehicle's speed and acceleration, not from a typed-in number. After every
layout edit the whole table of travel times is recomputed in milliseconds.

A layout graph has nodes with coordinates (m) and edges (aisle segments) whose length is the
Euclidean distance between their end nodes unless given. Vehicles start and end every trip at
rest, accelerate and decelerate at constant rates (trapezoidal speed profile), and come to rest
at intermediate "stop" nodes (crossings, doors, charging points) where they may also dwell.
Formulas in ``docs/kernels.md`` ("Paths and travel times").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kernels._checks import FloatArray, as_float, nonnegative, positive
from kernels._jit import jit
from kernels.motion import _trap_time

__all__ = ["ShortestPaths", "route", "shortest_paths", "travel_time", "travel_time_matrix"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@jit
def _floyd_warshall(w: FloatArray) -> tuple[FloatArray, IntArray]:
    """All-pairs shortest distances and next hops (-1: unreachable) from edge weights ``w``
    (inf where there is no edge). O(n^3)."""
    n = w.shape[0]
    dist = w.copy()
    nxt = np.full((n, n), -1, dtype=np.int64)
    for i in range(n):
        for j in range(n):
            if i == j:
                dist[i, j] = 0.0
                nxt[i, j] = j
            elif dist[i, j] < np.inf:
                nxt[i, j] = j
    for k in range(n):
        for i in range(n):
            dik = dist[i, k]
            if dik == np.inf:
                continue
            for j in range(n):
                alt = dik + dist[k, j]
                if alt < dist[i, j]:
                    dist[i, j] = alt
                    nxt[i, j] = nxt[i, k]
    return dist, nxt


@jit
def _route_time(
    w: FloatArray,
    nxt: IntArray,
    i: int,
    j: int,
    stop: BoolArray,
    v: float,
    a: float,
    dwell: float,
) -> float:
    """Time from i to j along next hops: one trapezoidal leg between consecutive stops."""
    if i == j:
        return 0.0
    if nxt[i, j] < 0:
        return np.inf
    t = 0.0
    leg = 0.0
    u = i
    while u != j:
        x = nxt[u, j]
        leg += w[u, x]
        u = x
        if u != j and stop[u]:
            t += _trap_time(leg, v, a) + dwell
            leg = 0.0
    return t + _trap_time(leg, v, a)


@jit
def _time_matrix(
    w: FloatArray, nxt: IntArray, stop: BoolArray, v: float, a: float, dwell: float
) -> FloatArray:
    n = w.shape[0]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = _route_time(w, nxt, i, j, stop, v, a, dwell)
    return out


@dataclass(frozen=True, eq=False)
class ShortestPaths:
    """All-pairs shortest paths of a layout graph.

    ``dist[i, j]``: shortest distance (m), inf if j cannot be reached from i. ``next_hop[i, j]``:
    the node after i on a shortest route to j (-1 if none). ``weights[i, j]``: length of the
    edge i -> j (m), inf where there is none. ``coords``: node coordinates (m).
    """

    dist: FloatArray
    next_hop: IntArray
    weights: FloatArray
    coords: FloatArray


def shortest_paths(
    coords: Any,
    edges: Any,
    lengths: Any = None,
    *,
    directed: bool = False,
) -> ShortestPaths:
    """All-pairs shortest paths (Floyd–Warshall) of a layout graph.

    ``coords``: (n, 2) or (n, 3) node coordinates (m). ``edges``: (E, 2) node index pairs.
    ``lengths``: (E,) edge lengths (m), default the Euclidean distance between the end nodes
    (a curved aisle is longer: give its length). ``directed``: one-way aisles (default: every
    edge may be travelled both ways). Parallel edges keep the shortest.
    """
    xy = as_float("coords", coords, "m")
    if xy.ndim != 2 or xy.shape[1] not in (2, 3) or xy.shape[0] == 0:
        raise ValueError(f"coords must have shape (n_nodes, 2) or (n_nodes, 3), got {xy.shape}")
    n = xy.shape[0]
    e = np.asarray(edges)
    if e.size == 0:
        e = np.zeros((0, 2), dtype=np.int64)
    if e.ndim != 2 or e.shape[1] != 2:
        raise ValueError(f"edges must have shape (n_edges, 2) (node index pairs), got {e.shape}")
    if not np.issubdtype(e.dtype, np.integer):
        raise ValueError(f"edges must hold integer node indices, got dtype {e.dtype}")
    e = e.astype(np.int64)
    if e.size and (e.min() < 0 or e.max() >= n):
        bad = int(e[(e < 0) | (e >= n)][0])
        raise ValueError(f"edges refer to node {bad}, but nodes are numbered 0..{n - 1}")
    if lengths is None:
        ln = np.linalg.norm(xy[e[:, 0]] - xy[e[:, 1]], axis=1)
    else:
        ln = nonnegative("lengths", lengths, "m")
        if ln.shape != (e.shape[0],):
            raise ValueError(f"lengths must have one entry per edge ({e.shape[0]}), got {ln.shape}")
    w = np.full((n, n), np.inf)
    for (u, v), length in zip(e, ln, strict=True):
        if u == v:
            continue
        w[u, v] = min(w[u, v], length)
        if not directed:
            w[v, u] = min(w[v, u], length)
    dist, nxt = _floyd_warshall(w)
    return ShortestPaths(dist=dist, next_hop=nxt, weights=w, coords=xy)


def _node(sp: ShortestPaths, name: str, value: Any) -> int:
    n = sp.dist.shape[0]
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    # int() would truncate 1.9 to node 1; a bool is not a node either
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer node index, got {value!r}")
    idx = int(value)
    if not 0 <= idx < n:
        raise ValueError(f"{name} must be a node index in 0..{n - 1}, got {idx}")
    return idx


def _indices(name: str, value: Any) -> IntArray:
    """A 1-D array of integer node indices (bools and non-integral numbers are refused)."""
    items = value if isinstance(value, (list, tuple)) else None
    arr = np.asarray(value)
    bad_item = items is not None and any(isinstance(x, (bool, np.bool_)) for x in items)
    if arr.ndim > 1 or bad_item or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"{name} must be a sequence of integer node indices, got {value!r}")
    return np.atleast_1d(arr).astype(np.int64)


def route(sp: ShortestPaths, source: int, target: int) -> IntArray:
    """Node indices of a shortest route from ``source`` to ``target`` (both included); raises
    ValueError if ``target`` cannot be reached."""
    i = _node(sp, "source", source)
    j = _node(sp, "target", target)
    if sp.next_hop[i, j] < 0:
        raise ValueError(f"node {j} cannot be reached from node {i}")
    out = [i]
    while i != j:
        i = int(sp.next_hop[i, j])
        out.append(i)
    return np.array(out, dtype=np.int64)


def _stops(sp: ShortestPaths, stop_nodes: Any) -> BoolArray:
    n = sp.dist.shape[0]
    if stop_nodes is None or stop_nodes is False:
        return np.zeros(n, dtype=np.bool_)
    if stop_nodes is True:
        return np.ones(n, dtype=np.bool_)
    arr = np.asarray(stop_nodes)
    if arr.ndim == 0 and arr.dtype == np.bool_:
        raise ValueError(
            f"stop_nodes must be None, True, False, a list of node indices or a mask of {n} "
            f"booleans, got {stop_nodes!r}"
        )
    if arr.dtype == np.bool_:
        if arr.shape != (n,):
            raise ValueError(f"stop_nodes as a mask must have {n} entries, got {arr.shape}")
        return np.ascontiguousarray(arr)
    mask = np.zeros(n, dtype=np.bool_)
    for k in _indices("stop_nodes", stop_nodes):
        mask[_node(sp, "stop_nodes entry", k)] = True
    return mask


def travel_time(
    sp: ShortestPaths,
    path: Any,
    v_max: float,
    a_max: float,
    *,
    stop_nodes: Any = None,
    dwell: float = 0.0,
) -> float:
    """Time (s) to travel along ``path`` (a node sequence, e.g. from :func:`route`, each
    consecutive pair joined by an edge), starting and ending at rest.

    Between consecutive stops the vehicle follows one trapezoidal profile (``v_max`` m/s,
    ``a_max`` m/s^2) over the summed edge lengths. ``stop_nodes``: nodes where it comes to rest
    (an index list, a boolean mask, ``True`` for every node, ``None``/``False`` for none); at
    each intermediate stop it also waits ``dwell`` seconds. Where the path turns back along the
    edge it came (``[..., u, x, u, ...]``) the vehicle also comes to rest at ``x`` -- it must
    stop to reverse -- without dwell unless ``x`` is a stop node. Node indices must be integers.
    """
    v = float(positive("v_max", v_max, "m/s"))
    a = float(positive("a_max", a_max, "m/s^2"))
    dw = float(nonnegative("dwell", dwell, "s"))
    nodes: list[int] = []
    for p in _indices("path", path):
        x = _node(sp, "path entry", p)
        if not nodes or nodes[-1] != x:  # a repeated node is no move
            nodes.append(x)
    stop = _stops(sp, stop_nodes)
    t = 0.0
    leg = 0.0
    for k in range(1, len(nodes)):
        u, x = nodes[k - 1], nodes[k]
        if not np.isfinite(sp.weights[u, x]):
            raise ValueError(f"path has no edge from node {u} to node {x}")
        leg += float(sp.weights[u, x])
        if k < len(nodes) - 1:
            reverses = nodes[k + 1] == u  # back along the same aisle: stop to turn round
            if stop[x] or reverses:
                t += _trap_time(leg, v, a) + (dw if stop[x] else 0.0)
                leg = 0.0
    return t + _trap_time(leg, v, a)


def travel_time_matrix(
    sp: ShortestPaths,
    v_max: float,
    a_max: float,
    *,
    stop_nodes: Any = None,
    dwell: float = 0.0,
) -> FloatArray:
    """Travel time (s) between every pair of nodes along shortest routes, with acceleration,
    deceleration and stops (see :func:`travel_time`); inf where unreachable.

    Routes are shortest in distance; with stops a slightly longer route could be faster — the
    usual dispatching rule (shortest path) is what AGV controllers apply.
    """
    v = float(positive("v_max", v_max, "m/s"))
    a = float(positive("a_max", a_max, "m/s^2"))
    dw = float(nonnegative("dwell", dwell, "s"))
    return _time_matrix(sp.weights, sp.next_hop, _stops(sp, stop_nodes), v, a, dw)
