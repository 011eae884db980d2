import pytest

from pictolab.backoff import backoff_seconds


def test_the_first_failure_waits_the_first_delay():
    assert backoff_seconds(1, 0.5, 30.0) == 0.5
    # The reconciler counts a run that never failed as attempt 0: same delay as the first.
    assert backoff_seconds(0, 0.5, 30.0) == 0.5


def test_each_further_failure_multiplies_the_delay_up_to_the_cap():
    assert [backoff_seconds(n, 0.5, 30.0) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert [backoff_seconds(n, 5.0, 120.0) for n in range(1, 7)] == [5, 10, 20, 40, 80, 120]
    assert backoff_seconds(3, 1.0, 100.0, factor=3) == 9.0


def test_a_long_failing_loop_gets_the_cap_not_an_overflow():
    assert backoff_seconds(100_000, 0.5, 30.0) == 30.0


@pytest.mark.parametrize("first,cap", [(0.5, 30.0), (2.0, 16.0), (0.05, 30.0)])
def test_the_delay_never_shrinks_as_failures_go_on(first, cap):
    delays = [backoff_seconds(n, first, cap) for n in range(1, 40)]
    assert delays == sorted(delays) and delays[-1] == cap
