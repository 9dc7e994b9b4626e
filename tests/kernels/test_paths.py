"""Layout graphs: all-pairs shortest paths and travel times.

Pins down: shortest distances and routes equal networkx's (Dijkstra) on random graphs, directed
or not, with unreachable pairs at infinity; a route's travel time is one trapezoidal profile
between stops plus dwell, as a slow reference walking the route computes it, and a walk that
turns back stops to reverse; the travel-time matrix agrees with single-route times; bad graphs
and non-integer node indices fail with the argument named.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.motion import trapezoidal_time
from kernels.paths import route, shortest_paths, travel_time, travel_time_matrix
from tests.kernels import naive
from tests.kernels.budget import examples


@st.composite
def graphs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
    n = draw(st.integers(1, 12))
    coords = np.array(
        draw(st.lists(st.tuples(st.floats(0, 50), st.floats(0, 50)), min_size=n, max_size=n))
    )
    m = draw(st.integers(0, 3 * n))
    edges = np.array(
        draw(
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=m, max_size=m
            )
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    lengths = None
    if draw(st.booleans()):
        lengths = np.array(draw(st.lists(st.floats(0.1, 100), min_size=m, max_size=m)))
    return coords, edges, lengths, draw(st.booleans())


def _nx_graph(coords, edges, lengths, directed):  # type: ignore[no-untyped-def]
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(range(len(coords)))
    for k, (u, v) in enumerate(edges):
        if u == v:
            continue
        w = float(np.linalg.norm(coords[u] - coords[v])) if lengths is None else lengths[k]
        if g.has_edge(u, v) and g[u][v]["weight"] <= w:
            continue
        g.add_edge(int(u), int(v), weight=w)
    return g


@examples(150, 25)
@given(graph=graphs())
def test_shortest_paths_match_networkx(graph) -> None:  # type: ignore[no-untyped-def]
    coords, edges, lengths, directed = graph
    sp = shortest_paths(coords, edges, lengths, directed=directed)
    g = _nx_graph(coords, edges, lengths, directed)
    ref = dict(nx.all_pairs_dijkstra_path_length(g, weight="weight"))
    n = len(coords)
    for i in range(n):
        for j in range(n):
            if j in ref[i]:
                assert sp.dist[i, j] == pytest.approx(ref[i][j], rel=1e-12, abs=1e-12)
                r = route(sp, i, j)
                assert r[0] == i and r[-1] == j
                length = sum(sp.weights[a, b] for a, b in itertools.pairwise(r))
                assert length == pytest.approx(sp.dist[i, j], rel=1e-12, abs=1e-12)
            else:
                assert sp.dist[i, j] == math.inf and sp.next_hop[i, j] == -1


@examples(150, 25)
@given(
    graph=graphs(),
    v=st.floats(0.2, 3.0),
    a=st.floats(0.1, 2.0),
    dwell=st.floats(0.0, 5.0),
    stop_bits=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_travel_times_match_reference(graph, v, a, dwell, stop_bits) -> None:  # type: ignore[no-untyped-def]
    coords, edges, lengths, directed = graph
    n = len(coords)
    stop = np.array(stop_bits[:n])
    sp = shortest_paths(coords, edges, lengths, directed=directed)
    mat = travel_time_matrix(sp, v, a, stop_nodes=stop, dwell=dwell)
    for i in range(n):
        for j in range(n):
            if not np.isfinite(sp.dist[i, j]):
                assert mat[i, j] == math.inf
                continue
            r = route(sp, i, j)
            ln = [sp.weights[x, y] for x, y in itertools.pairwise(r)]
            stops_after = [bool(stop[y]) for y in r[1:]]
            ref = naive.route_time(ln, stops_after, v, a, dwell) if ln else 0.0
            assert mat[i, j] == pytest.approx(ref, rel=1e-8, abs=1e-12)
            assert travel_time(sp, r, v, a, stop_nodes=stop, dwell=dwell) == pytest.approx(
                mat[i, j], rel=1e-12, abs=1e-12
            )


def test_corridor_with_stops() -> None:
    # 4 nodes on a 30 m straight aisle; an AGV at 1 m/s, 0.5 m/s^2
    coords = [(0, 0), (10, 0), (20, 0), (30, 0)]
    sp = shortest_paths(coords, [(0, 1), (1, 2), (2, 3)])
    assert sp.dist[0, 3] == 30.0
    through = travel_time(sp, [0, 1, 2, 3], 1.0, 0.5)
    assert through == pytest.approx(30 / 1.0 + 1.0 / 0.5)
    every = travel_time(sp, [0, 1, 2, 3], 1.0, 0.5, stop_nodes=True, dwell=3.0)
    assert every == pytest.approx(3 * trapezoidal_time(10.0, 1.0, 0.5) + 2 * 3.0)
    one = travel_time_matrix(sp, 1.0, 0.5, stop_nodes=[2])
    assert one[0, 3] == pytest.approx(
        trapezoidal_time(20.0, 1.0, 0.5) + trapezoidal_time(10.0, 1.0, 0.5)
    )
    assert one[3, 0] == pytest.approx(one[0, 3])
    assert np.all(np.diag(one) == 0.0)


def test_u_turn_stops_to_reverse() -> None:
    """Going back along the aisle it came (a U-turn at node 1) means stopping there: two
    trapezoids, not one profile over 20 m; dwell only if node 1 is a stop node."""
    sp = shortest_paths([(0, 0), (10, 0), (20, 0)], [(0, 1), (1, 2)])
    leg = trapezoidal_time(10.0, 1.0, 0.5)
    assert travel_time(sp, [0, 1, 0], 1.0, 0.5, dwell=4.0) == pytest.approx(2 * leg)
    assert travel_time(sp, [0, 1, 1, 0], 1.0, 0.5) == pytest.approx(2 * leg)
    assert travel_time(sp, [0, 1, 0], 1.0, 0.5, stop_nodes=[1], dwell=4.0) == pytest.approx(
        2 * leg + 4.0
    )
    back_and_on = travel_time(sp, [0, 1, 2, 1, 0], 1.0, 0.5)
    assert back_and_on == pytest.approx(2 * trapezoidal_time(20.0, 1.0, 0.5))
    assert travel_time(sp, [0, 1, 2], 1.0, 0.5, stop_nodes=False) == pytest.approx(
        trapezoidal_time(20.0, 1.0, 0.5)
    )


@examples(100, 20)
@given(
    graph=graphs(),
    steps=st.lists(st.integers(0, 11), min_size=1, max_size=10),
    stop_bits=st.lists(st.booleans(), min_size=12, max_size=12),
    dwell=st.floats(0.0, 5.0),
)
def test_walks_with_reversals_match_reference(graph, steps, stop_bits, dwell) -> None:  # type: ignore[no-untyped-def]
    """Any walk along edges: rest at stop nodes (with dwell) and where the walk turns back
    (without dwell unless it is a stop node)."""
    coords, edges, lengths, directed = graph
    n = len(coords)
    sp = shortest_paths(coords, edges, lengths, directed=directed)
    walk = [0]
    for s in steps:  # step to the s-th neighbour, if any
        nbrs = np.flatnonzero(np.isfinite(sp.weights[walk[-1]]))
        if nbrs.size:
            walk.append(int(nbrs[s % nbrs.size]))
    stop = np.array(stop_bits[:n])
    got = travel_time(sp, walk, 1.3, 0.7, stop_nodes=stop, dwell=dwell)
    ln = [sp.weights[x, y] for x, y in itertools.pairwise(walk)]
    turns = [i + 2 < len(walk) and walk[i + 2] == walk[i] for i in range(len(ln))]
    stops_after = [bool(stop[walk[i + 1]]) or turns[i] for i in range(len(ln))]
    dwell_after = [bool(stop[walk[i + 1]]) for i in range(len(ln))]
    ref = naive.route_time(ln, stops_after, 1.3, 0.7, dwell, dwell_after) if ln else 0.0
    assert got == pytest.approx(ref, rel=1e-8, abs=1e-12)


def test_one_way_aisle() -> None:
    sp = shortest_paths([(0, 0), (5, 0), (5, 5)], [(0, 1), (1, 2), (2, 0)], directed=True)
    assert sp.dist[0, 2] == pytest.approx(10.0)
    assert sp.dist[2, 1] == pytest.approx(5.0 * math.sqrt(2.0) + 5.0)  # 2 -> 0 -> 1
    assert list(route(sp, 2, 1)) == [2, 0, 1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: shortest_paths([1.0, 2.0], []), "coords must have shape"),
        (lambda: shortest_paths([(0, 0), (1, 1)], [(0, 2)]), "refer to node 2"),
        (lambda: shortest_paths([(0, 0), (1, 1)], [(0, 1)], [-1.0]), "lengths must be >= 0 m"),
        (lambda: shortest_paths([(0, 0), (1, 1)], [(0, 1)], [1.0, 2.0]), "one entry per edge"),
        (lambda: shortest_paths([(0, 0), (1, 1)], [(0.5, 1)]), "integer node indices"),
    ],
)
def test_bad_graphs(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_travel_inputs() -> None:
    sp = shortest_paths([(0, 0), (1, 0), (2, 0)], [(0, 1)])
    with pytest.raises(ValueError, match="v_max must be > 0 m/s"):
        travel_time(sp, [0, 1], 0.0, 1.0)
    with pytest.raises(ValueError, match="no edge from node 1 to node 2"):
        travel_time(sp, [0, 1, 2], 1.0, 1.0)
    with pytest.raises(ValueError, match="cannot be reached"):
        route(sp, 0, 2)
    with pytest.raises(ValueError, match=r"node index in 0\.\.2"):
        route(sp, 0, 7)
    # node indices are integers: no silent truncation of 1.9 to node 1, no bools
    sp2 = shortest_paths([(0, 0), (1, 0), (2, 0)], [(0, 1), (1, 2)])
    for path in ([0, 1.9], [0.0, 1.0], [0, True], [[0, 1]]):
        with pytest.raises(ValueError, match="path must be a sequence of integer node indices"):
            travel_time(sp2, path, 1.0, 1.0)
    for stops in ([0.5], 1.5, [1, False]):
        with pytest.raises(ValueError, match="stop_nodes must be a sequence of integer node"):
            travel_time(sp2, [0, 1, 2], 1.0, 1.0, stop_nodes=stops)
    with pytest.raises(ValueError, match="target must be an integer node index"):
        route(sp2, 0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="source must be an integer node index"):
        route(sp2, True, 1)
    assert travel_time(sp2, np.array([0, 1, 2]), 1.0, 1.0, stop_nodes=np.int64(1)) == (
        pytest.approx(2 * trapezoidal_time(1.0, 1.0, 1.0))
    )
