"""The scenario editor: forms generated from the schema, the YAML text, inline problems.

``ScenarioEditor(document)`` is the widget of the Editor tab; see :mod:`gui.editor.editor`.
"""

from __future__ import annotations

from .editor import SECTIONS, ScenarioEditor

__all__ = ["SECTIONS", "ScenarioEditor"]
