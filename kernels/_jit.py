"""The one place where numba compilation flags for ``kernels`` are set.

Every private kernel in the package is decorated with :data:`jit` (or :data:`pjit` for the few
that loop over replications with ``prange``), so changing a flag here changes it everywhere
(numba-stats keeps the same habit in ``_util.py``).

- ``cache=True``: compiled machine code is written next to the module (``__pycache__``), so a
  second process starts without recompiling.
- ``nogil=True``: a kernel releases the GIL while it runs, so a GUI or a thread pool stays
  responsive.
- ``fastmath=False``: results are reproducible bit-for-bit across machines (docs/architecture.md:
  results depend only on scenario + seed) and NaN/inf follow IEEE rules.
- ``error_model="numpy"``: division by zero gives inf/NaN instead of raising inside a kernel; the
  public wrappers validate inputs so that never happens for valid input.

With ``NUMBA_DISABLE_JIT=1`` numba returns the plain Python functions, so the same tests run
the kernels through the interpreter and check their Python semantics too, not only what numba
compiled (``.ci/run`` does this once); ``numba.prange`` is then ``range``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["jit", "pjit", "prange"]

F = TypeVar("F", bound=Callable[..., Any])

FLAGS: dict[str, Any] = {
    "cache": True,
    "nogil": True,
    "fastmath": False,
    "error_model": "numpy",
}
"""The numba flags every kernel is compiled with."""

_serial = functools.partial(numba.njit, **FLAGS)
_parallel = functools.partial(numba.njit, parallel=True, **FLAGS)


def jit(func: F) -> F:
    """Decorator for serial kernels (typed as the identity, so mypy checks the callers)."""
    return cast(F, _serial(func))


def pjit(func: F) -> F:
    """Decorator for kernels that split independent work (replications) over threads with
    ``prange``. numba's thread pool must not be entered from two Python threads at once unless
    the OpenMP or TBB threading layer is available, so the public wrappers use the parallel
    build only when asked (``parallel=True``)."""
    return cast(F, _parallel(func))


prange = numba.prange
