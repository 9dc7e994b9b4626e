"""Random streams owned per element, keyed by a stable name (docs/architecture.md).

Every stochastic element draws from its own :class:`numpy.random.Generator`, made from
``SeedSequence(seed, spawn_key=(replication, key_hash))``. The key is the element's dotted name
plus what the stream is for (``stations.press.process``), hashed with BLAKE2b so it is stable
across processes and Python versions (unlike ``hash()``). Adding a station never shifts another
station's draws, and two variants of one scenario see the same numbers for the same element.
"""

from __future__ import annotations

import hashlib

import numpy as np


def key_hash(key: str) -> int:
    """A stable 64-bit integer for a stream key."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def stream(seed: int, replication: int, key: str) -> np.random.Generator:
    """The random generator of element stream ``key`` in replication ``replication``."""
    if seed < 0 or replication < 0:
        raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
    seq = np.random.SeedSequence(seed, spawn_key=(replication, key_hash(key)))
    return np.random.Generator(np.random.PCG64(seq))
