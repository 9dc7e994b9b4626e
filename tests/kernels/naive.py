"""Slow, obviously-correct pure-Python references for the kernels (no numba, no numpy tricks).

Each follows a different route to the answer than the kernel it checks: motion times by
bisection on the peak velocity (and a step-by-step simulation for the trapezoid), forward
kinematics by explicit matrix products of Python lists (and, for the ABB arm, the URDF joint
chain instead of DH), travel times by walking the route, the flow line by the recursion written
with dictionaries, and the flow line's window statistics by an event-by-event simulation that
integrates the state of every station between events.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

# --------------------------------------------------------------------------- motion


def trapezoid_time_sim(d: float, v: float, a: float, dt: float = 1e-5) -> float:
    """Greedy bang-bang simulation: accelerate (up to v) while the braking distance is shorter
    than what remains, otherwise brake. Accurate to a few dt."""
    d = abs(d)
    x = 0.0
    vel = 0.0
    t = 0.0
    while True:
        remaining = d - x
        if remaining <= 1e-12 and vel <= a * dt:
            return t
        brake = vel * vel / (2.0 * a)
        new_v = max(vel - a * dt, 0.0) if brake >= remaining else min(vel + a * dt, v)
        x += 0.5 * (vel + new_v) * dt
        vel = new_v
        t += dt
        if vel == 0.0 and x >= d - 1e-9:
            return t


def _acc_phase(vp: float, a: float, j: float) -> tuple[float, float]:
    """(time, distance) to go from rest to speed vp with limits a, j (and back, by symmetry)."""
    if j == math.inf:
        t = vp / a
        return t, 0.5 * vp * t
    t = vp / a + a / j if vp >= a * a / j else 2.0 * math.sqrt(vp / j)
    return t, 0.5 * vp * t  # symmetric velocity curve: mean speed vp/2


def move_time_bisect(d: float, v: float, a: float, j: float = math.inf) -> float:
    """Rest-to-rest time: cruise at v if the accel+decel distance fits, else bisect on the
    peak velocity vp < v such that accel + decel exactly cover d."""
    d = abs(d)
    if d == 0.0:
        return 0.0
    t_acc, d_acc = _acc_phase(v, a, j)
    if 2.0 * d_acc <= d:
        return 2.0 * t_acc + (d - 2.0 * d_acc) / v
    lo, hi = 0.0, v
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 2.0 * _acc_phase(mid, a, j)[1] > d:
            hi = mid
        else:
            lo = mid
    return 2.0 * _acc_phase(0.5 * (lo + hi), a, j)[0]


# --------------------------------------------------------------------------- kinematics

Matrix = list[list[float]]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a[i][k] * b[k][j] for k in range(4)) for j in range(4)] for i in range(4)]


def dh_fk(dh: Sequence[Sequence[float]], q: Sequence[float], prismatic: Sequence[bool]) -> Matrix:
    """Standard DH: T = prod Rz(theta) Tz(d) Tx(a) Rx(alpha), each factor built separately."""
    t: Matrix = [[float(i == j) for j in range(4)] for i in range(4)]
    for (d, a, alpha, off), qi, pr in zip(dh, q, prismatic, strict=True):
        theta = off if pr else qi + off
        dd = d + qi if pr else d
        c, s = math.cos(theta), math.sin(theta)
        rz = [[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
        tz = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, dd], [0, 0, 0, 1]]
        tx = [[1, 0, 0, a], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
        ca, sa = math.cos(alpha), math.sin(alpha)
        rx = [[1, 0, 0, 0], [0, ca, -sa, 0], [0, sa, ca, 0], [0, 0, 0, 1]]
        for m in (rz, tz, tx, rx):
            t = matmul(t, [[float(x) for x in row] for row in m])
    return t


def _axis_rotation(axis: Sequence[float], angle: float) -> Matrix:
    x, y, z = axis
    c, s = math.cos(angle), math.sin(angle)
    k = 1.0 - c
    return [
        [c + x * x * k, x * y * k - z * s, x * z * k + y * s, 0.0],
        [y * x * k + z * s, c + y * y * k, y * z * k - x * s, 0.0],
        [z * x * k - y * s, z * y * k + x * s, c + z * z * k, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ]


def urdf_fk(
    joints: Sequence[tuple[Sequence[float], Sequence[float]]], q: Sequence[float]
) -> Matrix:
    """URDF-style chain: for each joint, translate by its origin xyz, rotate about its axis."""
    t: Matrix = [[float(i == j) for j in range(4)] for i in range(4)]
    for (xyz, axis), qi in zip(joints, q, strict=True):
        tr = [[1.0, 0, 0, xyz[0]], [0, 1.0, 0, xyz[1]], [0, 0, 1.0, xyz[2]], [0, 0, 0, 1.0]]
        t = matmul(t, tr)
        t = matmul(t, _axis_rotation(axis, qi))
    return t


# ROS-Industrial abb_irb1200_support/urdf/irb1200_7_70_macro.xacro: joint origins and axes.
IRB1200_7_70_URDF = [
    ((0.0, 0.0, 0.3991), (0.0, 0.0, 1.0)),
    ((0.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    ((0.0, 0.0, 0.350), (0.0, 1.0, 0.0)),
    ((0.0, 0.0, 0.042), (1.0, 0.0, 0.0)),
    ((0.351, 0.0, 0.0), (0.0, 1.0, 0.0)),
    ((0.082, 0.0, 0.0), (1.0, 0.0, 0.0)),
]


# --------------------------------------------------------------------------- paths


def route_time(
    lengths: Sequence[float],
    stops_after: Sequence[bool],
    v: float,
    a: float,
    dwell: float,
    dwell_after: Sequence[bool] | None = None,
) -> float:
    """Sum of trapezoid times of the legs between stops (stops_after[i]: rest after edge i;
    dwell_after[i]: wait ``dwell`` there, default at every stop)."""
    if dwell_after is None:
        dwell_after = stops_after
    t = 0.0
    leg = 0.0
    for i, ln in enumerate(lengths):
        leg += ln
        if stops_after[i] or i == len(lengths) - 1:
            t += move_time_bisect(leg, v, a)
            if i < len(lengths) - 1 and dwell_after[i]:
                t += dwell
            leg = 0.0
    return t


# --------------------------------------------------------------------------- flow line


def flowline(
    process: Sequence[Sequence[float]],
    buffers: Sequence[int],
    arrivals: Sequence[float] | None = None,
) -> list[list[float]]:
    """One replication: out[n] = [entry, D[n,0], ..., D[n,K-1]] by the recursion, with
    dictionaries keyed by (part, station) so a missing (negative) index is simply absent."""
    n_parts = len(process)
    k_count = len(buffers)
    dep: dict[tuple[int, int], float] = {}
    entry: dict[int, float] = {}
    for n in range(n_parts):
        for k in range(k_count):
            if k == 0:
                if arrivals is None:
                    reach = 0.0
                else:
                    reach = arrivals[n]
                    if buffers[0] >= 0 and (n - buffers[0] - 1, 0) in dep:
                        reach = max(reach, dep[(n - buffers[0] - 1, 0)])
            else:
                reach = dep[(n, k - 1)]
            start = max(reach, dep.get((n - 1, k), -math.inf))
            if k == 0:
                entry[n] = start if arrivals is None else arrivals[n]
            done = start + process[n][k]
            if k + 1 < k_count and buffers[k + 1] >= 0:
                done = max(done, dep.get((n - buffers[k + 1] - 1, k + 1), -math.inf))
            dep[(n, k)] = done
    return [[entry[n]] + [dep[(n, k)] for k in range(k_count)] for n in range(n_parts)]


@dataclass
class Window:
    """Window statistics of one replication (see kernels.flowline_window.FlowlineWindow)."""

    departed: int
    cycle_sum: float
    wip: float
    arrived: int
    wip_start: int
    wip_end: int
    front: float
    busy: list[float]
    blocked: list[float]
    queue: list[float]
    completed: list[int]


def flowline_window_des(
    process: Sequence[Sequence[float]],
    buffers: Sequence[int],
    arrivals: Sequence[float] | None,
    w0: float,
    w1: float,
) -> Window:
    """Event-by-event simulation of a serial line with blocking after service: an event queue
    of arrivals and service completions; after each batch of simultaneous events finished
    parts move on where there is room (downstream first), the front queue feeds station 0,
    idle servers start the next part. The state (busy, blocked, buffer contents, front queue,
    parts in the line) is logged after every batch and integrated over the window (w0, w1].
    Counts come from the event times (departure, completion, arrival)."""
    n_parts, k_count = len(process), len(buffers)
    server: list[int | None] = [None] * k_count
    done = [False] * k_count
    buf: list[deque[int]] = [deque() for _ in range(k_count)]
    front: deque[int] = deque()
    entry: list[float | None] = [None] * n_parts
    finished: dict[tuple[int, int], float] = {}  # (part, station) -> completion
    exit_time: dict[int, float] = {}
    events: list[tuple[float, int, str, int]] = []
    seq = 0
    next_new = 0
    if arrivals is not None:
        for n, t_a in enumerate(arrivals):
            heapq.heappush(events, (t_a, seq, "arr", n))
            seq += 1

    def room(k: int) -> bool:
        held = len(buf[k]) + (server[k] is not None)
        return buffers[k] < 0 or held < buffers[k] + 1

    def state() -> tuple[list[int], list[int], list[int], int, int]:
        busy = [int(server[k] is not None and not done[k]) for k in range(k_count)]
        blk = [int(server[k] is not None and done[k]) for k in range(k_count)]
        wip = sum(1 for n in range(n_parts) if entry[n] is not None and n not in exit_time)
        return busy, blk, [len(b) for b in buf], len(front), wip

    def settle(t: float) -> None:
        nonlocal seq, next_new
        changed = True
        while changed:
            changed = False
            for k in range(k_count - 1, -1, -1):
                part = server[k]
                if part is not None and done[k]:
                    if k == k_count - 1:
                        exit_time[part] = t
                    elif room(k + 1):
                        buf[k + 1].append(part)
                    else:
                        continue
                    server[k] = None
                    done[k] = False
                    changed = True
            while arrivals is not None and front and room(0):
                buf[0].append(front.popleft())
                changed = True
            for k in range(k_count):
                if server[k] is not None:
                    continue
                if buf[k]:
                    part = buf[k].popleft()
                elif k == 0 and arrivals is None and next_new < n_parts:
                    part = next_new
                    next_new += 1
                    entry[part] = t
                else:
                    continue
                server[k] = part
                finished[(part, k)] = t + process[part][k]
                heapq.heappush(events, (t + process[part][k], seq, "done", k))
                seq += 1
                changed = True

    settle(0.0)
    log = [(0.0, state())]
    while events:
        t = events[0][0]
        while events and events[0][0] == t:
            _, _, kind, x = heapq.heappop(events)
            if kind == "arr":
                entry[x] = t
                front.append(x)
            else:
                done[x] = True
        settle(t)
        log.append((t, state()))

    busy = [0.0] * k_count
    blk = [0.0] * k_count
    queue = [0.0] * k_count
    front_area = 0.0
    wip_area = 0.0
    ends = [t for t, _ in log[1:]] + [math.inf]
    for (t, (b_, bl, q, fr, wp)), t2 in zip(log, ends, strict=True):
        h = min(t2, w1) - max(t, w0)
        if h > 0.0:
            for k in range(k_count):
                busy[k] += b_[k] * h
                blk[k] += bl[k] * h
                queue[k] += q[k] * h
            front_area += fr * h
            wip_area += wp * h
    departed = [n for n, t in exit_time.items() if w0 < t <= w1]
    came = [arrivals[n] if arrivals is not None else entry[n] for n in range(n_parts)]
    return Window(
        departed=len(departed),
        cycle_sum=sum(exit_time[n] - (entry[n] or 0.0) for n in departed),
        wip=wip_area,
        arrived=sum(1 for c in came if c is not None and w0 < c <= w1),
        wip_start=sum(1 for n, c in enumerate(came) if c is not None and c <= w0 < exit_time[n]),
        wip_end=sum(1 for n, c in enumerate(came) if c is not None and c <= w1 < exit_time[n]),
        front=front_area,
        busy=busy,
        blocked=blk,
        queue=queue,
        completed=[
            sum(1 for n in range(n_parts) if w0 < finished[(n, k)] <= w1) for k in range(k_count)
        ],
    )
