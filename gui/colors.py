"""Colours and translated names of unit states, shared by the layout view, the charts and the
compare view, so that one state has one colour everywhere in the app — and in the HTML report:
the colours themselves live in :mod:`simulator.palette` (no Qt), which the report uses too;
this module adds the ``QColor`` form and the translated state names.
"""

from __future__ import annotations

from PyQt6.QtGui import QColor

from gui.i18n import tr
from simulator.palette import STATE_COLORS, STATE_ORDER, VARIANT_COLORS, state_color

__all__ = [
    "STATE_COLORS",
    "STATE_ORDER",
    "VARIANT_COLORS",
    "state_color",
    "state_label",
    "state_qcolor",
]


def state_qcolor(state: str) -> QColor:
    """:func:`state_color` as a :class:`QColor`."""
    return QColor(state_color(state))


def _labels() -> dict[str, str]:
    """The translated name of each known state (built per call: the language may change)."""
    return {
        "busy": tr("busy"),
        "tending": tr("tending (loading/unloading)"),
        "starved": tr("starved"),
        "blocked": tr("blocked"),
        "down": tr("down"),
        "setup": tr("setup"),
        "waiting_operator": tr("waiting for operator"),
        "waiting_robot": tr("waiting for robot"),
        "waiting_vehicle": tr("waiting for vehicle"),
        "waiting_transport": tr("waiting for transport"),
        "waiting_tending_unit": tr("waiting for tending unit"),
        "waiting_operating_unit": tr("waiting for operating unit"),
        "off_shift": tr("off shift"),
        "idle": tr("idle"),
        "operating": tr("operating"),
        "repairing": tr("repairing"),
        "walking": tr("walking"),
        "travel_empty": tr("travelling empty"),
        "travel_loaded": tr("travelling loaded"),
        "handling": tr("handling"),
        "charging": tr("charging"),
    }


def state_label(state: str) -> str:
    """The name of ``state`` in the current language (an unknown state: its own name with
    underscores as spaces)."""
    label = _labels().get(state)
    if label is not None:
        return label
    return state.replace("_", " ")
