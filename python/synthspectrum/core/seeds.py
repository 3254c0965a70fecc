"""One seed policy for Python and R.

A seed is a whole number in [0, SEED_MAX]. R's ``set.seed`` takes a 32-bit signed integer, so
the same seed must fit there for a Python call and its R twin to draw the same data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthspectrum.errors import SynthSpectrumError

SEED_MAX = 2**31 - 1


def check_seed(seed: Any, what: str = "seed") -> int:
    """``seed`` as an int in [0, SEED_MAX], else a one-line error."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= SEED_MAX:
        raise SynthSpectrumError(f"{what} must be a whole number from 0 to {SEED_MAX} (2^31 - 1), got {seed!r}")
    return int(seed)


def fresh_seed() -> int:
    """A seed from the operating system's entropy, for a call without one (reported back)."""
    return int(np.random.SeedSequence().entropy % (SEED_MAX + 1))
