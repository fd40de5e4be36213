"""The cyclic garbage collector paused over a batch, and put back as it was."""

import gc

import pytest

from billing_site.gc_pause import gc_paused


def test_the_collector_is_off_inside_the_block_and_on_again_after_it():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_block_that_raised():
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("a chunk failed")
    assert gc.isenabled()


def test_a_collector_someone_had_turned_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
