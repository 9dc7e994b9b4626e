"""The colours of unit states and of variants, shared by the HTML report
(:mod:`simulator.report`) and the desktop app (``gui.colors``), so that a state has one
colour on every page and screen LineLab draws.

Plain ``#rrggbb`` strings, no plotting or GUI library: the headless command imports this.

The palette follows the meaning a planner reads at a glance and stays distinguishable with the
common colour-vision deficiencies (built on the Okabe-Ito colours; hues that could be confused
differ in lightness): working states are green, waiting for parts (``starved``) is yellow,
``blocked`` is vermillion, ``down`` is dark red, ``setup`` is purple, waiting for a resource is
blue (operator light, robot mid, transport dark), outside working time is grey and an idle
resource is light grey. Every state has its own colour (the layout view's legend lists the
states of stations, resources and vehicles together): the working states are told apart by
lightness and hue within the green family (dark green ``operating``, bluish green ``busy``, light
bluish green ``tending``, yellowish green ``travel_loaded``, pale yellowish green ``handling``).
The state names are the engine's (``cells.equipment``,
``cells.vehicles``, ``cells.battery``, ``cells.walking``); a station waiting for a resource of
kind ``k`` is in ``waiting_k``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["STATE_COLORS", "STATE_ORDER", "VARIANT_COLORS", "ordered_states", "state_color"]

STATE_COLORS: dict[str, str] = {
    # station servers (cells.equipment.server_states)
    "busy": "#009e73",  # bluish green: producing
    "tending": "#66c2a5",  # light green: a robot/operator loads or unloads the machine
    "starved": "#f0e442",  # yellow: waiting for parts
    "blocked": "#d55e00",  # vermillion: finished part cannot leave
    "down": "#7f0000",  # dark red: failed, waiting for or under repair
    "setup": "#8e44ad",  # purple: changeover between products
    "waiting_operator": "#56b4e9",  # sky blue: waiting for an operator
    "waiting_robot": "#0072b2",  # blue: waiting for a robot
    "waiting_vehicle": "#4b5fc4",  # indigo: waiting for a vehicle resource
    "waiting_transport": "#1f3a93",  # navy: holding a part until a vehicle loads it
    "waiting_tending_unit": "#2171b5",  # placeholder name, never entered
    "waiting_operating_unit": "#6baed6",  # placeholder name, never entered
    "off_shift": "#7f7f7f",  # grey: outside working time
    # resource units (cells.equipment.RESOURCE_STATES, cells.walking)
    "idle": "#d9d9d9",  # light grey: free
    "operating": "#1b7837",  # dark green: running a machine (working)
    "repairing": "#a6761d",  # brown: repairing a failed machine (working)
    "walking": "#80cdc1",  # teal: walking to a station
    # vehicles (cells.vehicles.VEHICLE_STATES, cells.battery)
    "travel_empty": "#9ecae1",  # pale blue: driving without a part
    "travel_loaded": "#7fbc41",  # yellowish green: carrying a part (working)
    "handling": "#c2e699",  # pale yellowish green: loading or unloading (working)
    "charging": "#cc79a7",  # reddish purple: at a charger
}
"""State name -> colour as ``#rrggbb``."""

STATE_ORDER: tuple[str, ...] = tuple(STATE_COLORS)
"""The order in which states are stacked and listed in legends (working states first)."""

VARIANT_COLORS: tuple[str, ...] = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#999999",
)
"""Colours of the variants of a comparison, in order (baseline first)."""

_FALLBACK_WAITING = "#0072b2"
_FALLBACK = "#b15928"


def state_color(state: str) -> str:
    """The ``#rrggbb`` colour of ``state``; an unknown ``waiting_*`` state is blue, any other
    unknown state brown, so that a new engine state is still drawn (and listed in a legend)."""
    colour = STATE_COLORS.get(state)
    if colour is not None:
        return colour
    return _FALLBACK_WAITING if state.startswith("waiting_") else _FALLBACK


def ordered_states(states: Iterable[str]) -> list[str]:
    """``states`` in stacking and legend order: known states as in :data:`STATE_ORDER`,
    then unknown ones alphabetically (each once)."""
    given = set(states)
    known = [s for s in STATE_ORDER if s in given]
    return known + sorted(given.difference(STATE_ORDER))
