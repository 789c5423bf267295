"""Full garbage collections wait for memory to double while pages are laid out."""

import gc
import sys

from pipeline.layout.engine import NEVER, fewer_full_collections


def full_collections_during(work) -> int:
    seen = []

    def count(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(info)

    gc.callbacks.append(count)
    try:
        work()
    finally:
        gc.callbacks.remove(count)
    return len(seen)


def grow(blocks: int) -> list:
    """Allocate about ``blocks`` small containers and keep them alive."""
    kept = []
    for _ in range(blocks // 2):
        pair: list = [None]
        pair[0] = pair
        kept.append(pair)
    return kept


def test_thresholds_come_back_afterwards():
    before = gc.get_threshold()
    with fewer_full_collections():
        assert gc.get_threshold()[2] == NEVER
        with fewer_full_collections():
            assert gc.get_threshold()[2] == NEVER
        assert gc.get_threshold()[2] == NEVER
    assert gc.get_threshold() == before


def test_little_growth_runs_no_full_collection():
    gc.collect()
    start = sys.getallocatedblocks()
    kept = []
    with fewer_full_collections():
        collections = full_collections_during(lambda: kept.append(grow(start // 2)))
    assert collections == 0


def test_doubled_memory_runs_full_collections():
    gc.collect()
    start = sys.getallocatedblocks()
    kept = []
    with fewer_full_collections():
        collections = full_collections_during(lambda: kept.append(grow(start * 6)))
    assert 1 <= collections <= 4
