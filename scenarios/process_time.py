"""``ProcessTime``: what may be written wherever a process time is asked.

A distribution (a mapping with ``dist``, or a bare duration meaning a constant) as in format
v1, or (format v2) a process-time model, a mapping with ``model`` (see
:mod:`scenarios.time_models`). Validation errors carry the branch tag (``distribution`` or
``time_model``) in their location; the loader drops it.
"""

from __future__ import annotations

from .time_models import MODEL_KINDS, MODEL_NAMES, ProcessTime, is_time_model

__all__ = ["MODEL_KINDS", "MODEL_NAMES", "PROCESS_TAGS", "ProcessTime", "is_time_model"]

PROCESS_TAGS: tuple[str, ...] = ("distribution", "time_model")
"""Tags of the two branches of :data:`ProcessTime` in validation error locations."""
