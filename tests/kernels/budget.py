"""How hard the kernel tests work: fewer hypothesis examples and smaller samples when the
kernels run as plain Python (``NUMBA_DISABLE_JIT=1``, the coverage pass)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

JIT_DISABLED = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")


def examples(jit: int, nojit: int) -> settings:
    """Hypothesis settings: ``jit`` examples normally, ``nojit`` without JIT; no deadline (the
    first call of a kernel compiles it)."""
    return settings(
        max_examples=nojit if JIT_DISABLED else jit,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def scale(jit: int, nojit: int) -> int:
    """A sample size: ``jit`` normally, ``nojit`` without JIT."""
    return nojit if JIT_DISABLED else jit
