"""A fixed set of 64-bit hashes → their positions, by open addressing in NumPy arrays.

Character n-gram lookup is the hottest step of featurising: np.searchsorted over the sorted
vocabulary costs ~17 dependent memory reads per n-gram; a table at most a quarter full costs one
or two. Built once per vocabulary; lookups are whole-array operations.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # spreads the polynomial hashes' bits over the slots


class HashIndex:
    def __init__(self, keys: np.ndarray) -> None:
        self.keys = np.asarray(keys, dtype=np.uint64)
        if len(np.unique(self.keys)) != len(self.keys):
            raise ValueError("hash index keys must be distinct")
        self.bits = max(4, int(np.ceil(np.log2(max(len(self.keys), 1) * 4))))
        self.mask = np.int64((1 << self.bits) - 1)
        self.table = np.full(1 << self.bits, -1, dtype=np.int32)
        pending = np.arange(len(self.keys), dtype=np.int64)
        slots = self._slots(self.keys)
        while len(pending):
            wanted = slots[pending]
            free = self.table[wanted] == -1
            # Of several keys wanting the same free slot, the first takes it.
            candidates, first = np.unique(wanted[free], return_index=True)
            winners = pending[free][first]
            self.table[candidates] = winners
            placed = np.zeros(len(self.keys), dtype=bool)
            placed[winners] = True
            pending = pending[~placed[pending]]
            slots[pending] = (slots[pending] + 1) & self.mask  # linear probing

    def _slots(self, h: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((h * _GOLDEN) >> np.uint64(64 - self.bits)).astype(np.int64)

    def lookup(self, h: np.ndarray) -> np.ndarray:
        """Position of each hash in ``keys``, -1 where absent."""
        out = np.full(len(h), -1, dtype=np.int64)
        if not len(self.keys) or not len(h):
            return out
        pending = np.arange(len(h), dtype=np.int64)
        slots = self._slots(h)
        while len(pending):
            found = self.table[slots].astype(np.int64)
            empty = found == -1
            match = ~empty & (self.keys[np.maximum(found, 0)] == h)
            out[pending[match]] = found[match]
            more = ~empty & ~match  # occupied by another key: probe the next slot
            pending, h, slots = pending[more], h[more], (slots[more] + 1) & self.mask
        return out
