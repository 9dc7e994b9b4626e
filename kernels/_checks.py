"""Input checks shared by the public wrappers.

Kernels never validate: the wrappers convert to float64 arrays, broadcast, and raise
``ValueError`` naming the argument, the rule and the unit, e.g.
``"v_max must be > 0 m/s, got -1.0"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _first_bad(arr: FloatArray, bad: npt.NDArray[np.bool_]) -> float:
    return float(arr[bad].flat[0])


def _none(name: str, value: Any, unit: str) -> None:
    # np.asarray(None, dtype=float) is nan: say what was passed instead of "got nan"
    if value is None:
        raise ValueError(f"{name} must be a number in {unit}, got None")


def _to_array(name: str, value: Any, unit: str) -> FloatArray:
    """``value`` as a float64 array, or a ValueError naming the argument and its unit."""
    _none(name, value, unit)
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number in {unit}, got {value!r}") from exc


def as_float(name: str, value: Any, unit: str) -> FloatArray:
    """``value`` as a float64 array; every entry must be finite."""
    arr = _to_array(name, value, unit)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} must be finite ({unit}), got {_first_bad(arr, bad)}")
    return arr


def positive(name: str, value: Any, unit: str) -> FloatArray:
    """``value`` as a float64 array of strictly positive, finite numbers."""
    arr = as_float(name, value, unit)
    bad = ~(arr > 0.0)
    if bad.any():
        raise ValueError(f"{name} must be > 0 {unit}, got {_first_bad(arr, bad)}")
    return arr


def positive_or_inf(name: str, value: Any, unit: str) -> FloatArray:
    """Strictly positive numbers; ``inf`` allowed (meaning "no limit")."""
    arr = _to_array(name, value, unit)
    bad = np.isnan(arr) | ~(arr > 0.0)
    if bad.any():
        raise ValueError(f"{name} must be > 0 {unit}, got {_first_bad(arr, bad)}")
    return arr


def nonnegative(name: str, value: Any, unit: str) -> FloatArray:
    """``value`` as a float64 array of finite numbers >= 0."""
    arr = as_float(name, value, unit)
    bad = arr < 0.0
    if bad.any():
        raise ValueError(f"{name} must be >= 0 {unit}, got {_first_bad(arr, bad)}")
    return arr


def integer(name: str, value: Any, minimum: int, what: str) -> int:
    """``value`` as a Python int >= ``minimum``; ``what`` names the quantity (e.g. "iterations").

    Booleans and non-integral numbers are refused (``int()`` would silently truncate 1.9 to 1).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number of {what}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum} {what}, got {int(value)}")
    return int(value)


def broadcast(**arrays: FloatArray) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Broadcast named arrays together; returns the shape and flat contiguous copies."""
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k}{v.shape}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast together: {shapes}") from exc
    flat = [np.ascontiguousarray(np.broadcast_to(a, shape)).ravel() for a in arrays.values()]
    return shape, flat


def shaped(out: FloatArray, shape: tuple[int, ...]) -> float | FloatArray:
    """Reshape a flat kernel result; a 0-d result comes back as a Python float."""
    if shape == ():
        return float(out[0])
    return out.reshape(shape)
