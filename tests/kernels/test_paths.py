"""Layout graphs: all-pairs shortest paths and travel times.

Pins down: shortest distances and routes equal networkx's (Dijkstra) on random graphs, directed
or not, with unreachable pairs at infinity; a route's travel time is one trapezoidal profile
between stops plus dwell, as a slow reference walking the route computes it; the travel-time
matrix agrees with single-route times; bad graphs fail with the argument named.
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
