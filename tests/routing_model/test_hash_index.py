import numpy as np
import pytest

from routing_model.hash_index import HashIndex


def test_it_finds_every_key_and_nothing_else():
    rng = np.random.default_rng(1)
    keys = np.unique(rng.integers(0, 2**63, size=5000, dtype=np.uint64))
    absent = np.setdiff1d(rng.integers(0, 2**63, size=5000, dtype=np.uint64), keys)
    index = HashIndex(keys)
    queries = np.concatenate([keys[::-1], absent])
    expected = {int(k): i for i, k in enumerate(keys)}
    assert index.lookup(queries).tolist() == [expected.get(int(q), -1) for q in queries]


def test_keys_that_share_a_slot_are_all_found():
    # Keys differing only in their high bits after mixing collide often in a tiny table;
    # multiples of 2**60 give 16 keys whose golden-ratio slots repeat.
    keys = np.arange(16, dtype=np.uint64) << np.uint64(60)
    index = HashIndex(keys)
    assert index.lookup(keys).tolist() == list(range(16))
    assert index.lookup(np.array([7], dtype=np.uint64)).tolist() == [-1]


def test_an_empty_index_finds_nothing():
    empty = HashIndex(np.empty(0, np.uint64))
    assert empty.lookup(np.array([1, 2], np.uint64)).tolist() == [-1, -1]


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError):
        HashIndex(np.array([3, 3], dtype=np.uint64))
