"""A served process tunes the cyclic collector once its app is built (`servicekit.serve.tune_gc`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from servicekit.serve import tune_gc


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_objects_built_before_serving_are_frozen_and_young_passes_are_rarer() -> None:
    built_at_start_up = [object() for _ in range(10)]
    older = gc.get_threshold()[1:]
    tune_gc(50_000)
    assert gc.get_freeze_count() >= len(built_at_start_up)
    assert gc.get_threshold() == (50_000, *older)


@pytest.mark.usefixtures("restored_gc")
def test_zero_leaves_the_interpreter_as_it_was() -> None:
    before = gc.get_threshold()
    tune_gc(0)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
