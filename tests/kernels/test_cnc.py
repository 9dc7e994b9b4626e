"""CNC program time against hand-computed programs.

Pins down: cutting time is Σ length / feed; a rapid move without acceleration takes d / v and
with acceleration the trapezoid (d/v + v/a when the rapid rate is reached, 2·sqrt(d/a) when
not), every move from rest to rest; tool changes are counted cyclically (the previous part's
last tool is in the spindle) and spindle runs per stretch of one tool; door and clamp once per
part; the breakdown sums to the total; bad input is refused with the argument's name.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.cnc import cnc_program_time, rapid_times, tool_changes
from tests.kernels.budget import examples


def test_hand_computed_program() -> None:
    """Two tools, a face mill then a drill, then the face mill again.

    cutting: 1.2 m at 800 mm/min = 90 s; 0.3 m at 200 mm/min = 90 s; 0.05 m at 0.5 m/min = 6 s
    rapid (48 m/min = 0.8 m/s, 5 m/s²; v²/a = 0.128 m): 0.4 m -> 0.4/0.8 + 0.8/5 = 0.66 s;
    0.1 m -> 2·sqrt(0.1/5) = 0.282843 s; 0.128 m (exactly v²/a) -> 0.16 + 0.16 = 0.32 s
    tools T1, T2, T1: changes T1<-T1 (previous part) none, T2<-T1, T1<-T2 = 2 -> 2.4 s;
    spindle runs 3 -> 2.4 s; door 2 s + clamp 1.5 s.
    """
    r = cnc_program_time(
        [1.2, 0.3, 0.05],
        [0.8 / 60, 0.2 / 60, 0.5 / 60],
        ["T1", "T2", "T1"],
        rapid_lengths=[0.4, 0.1, 0.128],
        rapid_rate=48 / 60,
        rapid_acceleration=5.0,
        tool_change=1.2,
        spindle=0.8,
        door=2.0,
        clamp=1.5,
    )
    assert r.cutting_s == pytest.approx(186.0, rel=1e-12)
    assert r.rapid_s == pytest.approx(0.66 + 2 * math.sqrt(0.02) + 0.32, rel=1e-12)
    assert (r.tool_changes, r.spindle_runs) == (2, 3)
    assert r.tool_change_s == pytest.approx(2.4)
    assert r.spindle_s == pytest.approx(2.4)
    assert r.door_clamp_s == pytest.approx(3.5)
    expected = 186.0 + 0.66 + 2 * math.sqrt(0.02) + 0.32 + 2.4 + 2.4 + 3.5
    assert r.total_s == pytest.approx(expected, rel=1e-12)
    assert math.fsum(r.breakdown.values()) == pytest.approx(r.total_s, rel=1e-12)


def test_rapid_without_acceleration_is_distance_over_rate() -> None:
    assert rapid_times([0.4, 0.0, 1.0], 0.8) == pytest.approx([0.5, 0.0, 1.25])
    r = cnc_program_time([0.0], [np.nan], ["T1"], rapid_lengths=[0.4, 0.4], rapid_rate=0.8)
    assert r.total_s == pytest.approx(1.0)
    assert r.cutting_s == 0.0 and r.tool_changes == 0 and r.spindle_runs == 1


@examples(200, 40)
@given(
    d=st.floats(0.0, 2.0),
    v=st.floats(0.05, 2.0),
    a=st.floats(0.5, 20.0),
)
def test_rapid_move_is_a_trapezoid(d: float, v: float, a: float) -> None:
    expected = d / v + v / a if d * a >= v * v else 2.0 * math.sqrt(d / a)
    assert float(rapid_times(d, v, a)) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    # acceleration only ever adds time, and at most v/a per move
    assert d / v - 1e-12 <= float(rapid_times(d, v, a)) <= d / v + v / a + 1e-12


def test_splitting_a_rapid_move_costs_acceleration() -> None:
    one = cnc_program_time([0.0], [np.nan], ["T"], rapid_lengths=[1.0], rapid_rate=1.0,
                           rapid_acceleration=2.0)  # fmt: skip
    two = cnc_program_time([0.0], [np.nan], ["T"], rapid_lengths=[0.5, 0.5], rapid_rate=1.0,
                           rapid_acceleration=2.0)  # fmt: skip
    # 1.0/1 + 1/2 = 1.5 s against 2 x (0.5 + 0.5) = 2.0 s
    assert one.rapid_s == pytest.approx(1.5)
    assert two.rapid_s == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("tools", "changes", "runs"),
    [
        (["T1"], 0, 1),
        (["T1", "T1", "T1"], 0, 1),
        (["T1", "T2"], 2, 2),
        (["T1", "T2", "T1"], 2, 3),
        (["T1", "T2", "T3"], 3, 3),
        (["T1", "T1", "T2", "T2", "T3"], 3, 3),
    ],
)
def test_tool_change_counting(tools: list[str], changes: int, runs: int) -> None:
    assert tool_changes(tools) == (changes, runs)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="cut_lengths must be >= 0 m"):
        cnc_program_time([-1.0], [0.1], ["T1"])
    with pytest.raises(ValueError, match=r"feeds\[1\] must be > 0 m/s where there is a cut"):
        cnc_program_time([1.0, 1.0], [0.1, 0.0], ["T1", "T2"])
    with pytest.raises(ValueError, match="tools must name one tool per operation"):
        cnc_program_time([1.0], [0.1], ["T1", "T2"])
    with pytest.raises(ValueError, match="rapid moves need a rapid_rate"):
        cnc_program_time([1.0], [0.1], ["T1"], rapid_lengths=[0.1])
    with pytest.raises(ValueError, match="rapid_rate must be > 0 m/s"):
        rapid_times([0.1], 0.0)
    with pytest.raises(ValueError, match="tool_change must be >= 0 s"):
        cnc_program_time([1.0], [0.1], ["T1"], tool_change=-1.0)
    with pytest.raises(ValueError, match="at least one operation"):
        tool_changes([])
