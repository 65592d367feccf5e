"""The pure parts of bench/ratios.py: the interleaving, the medians and the verdicts."""

from bench.ratios import Result, Target, Timing, interleave, table, verdict


def test_interleave_runs_a_warm_up_of_each_then_alternates_ours_and_floor():
    calls: list[str] = []
    ours, floor = interleave(lambda: calls.append("ours"), lambda: calls.append("floor"), 3, warmup=1)
    assert calls == ["ours", "floor"] + ["ours", "floor"] * 3
    assert floor is not None
    assert len(ours.samples) == len(floor.samples) == 3


def test_interleave_times_each_side_in_milliseconds():
    ticks = iter([0.0, 0.010, 0.010, 0.012, 0.012, 0.030, 0.030, 0.032])
    ours, floor = interleave(lambda: None, lambda: None, 2, warmup=0, clock=lambda: next(ticks))
    assert floor is not None
    assert [round(s, 3) for s in ours.samples] == [10.0, 18.0]
    assert [round(s, 3) for s in floor.samples] == [2.0, 2.0]


def test_interleave_runs_the_untimed_step_before_each_timed_run():
    calls = []
    ticks = iter(range(100))
    ours, floor = interleave(
        lambda: calls.append("ours"),
        lambda: calls.append("floor"),
        2,
        warmup=0,
        clock=lambda: next(ticks),
        before=lambda: calls.append("before"),
    )
    assert calls == ["before", "ours", "before", "floor"] * 2
    assert ours.samples == [1000, 1000] and floor is not None and floor.samples == [1000, 1000]


def test_interleave_without_a_floor_times_ours_only():
    calls: list[str] = []
    ours, floor = interleave(lambda: calls.append("ours"), None, 5)
    assert floor is None
    assert calls == ["ours"] * 6
    assert len(ours.samples) == 5


def test_timing_gives_median_min_and_max():
    timing = Timing([5.0, 1.0, 9.0, 3.0])
    assert (timing.median, timing.min, timing.max) == (4.0, 1.0, 9.0)


def test_a_ratio_row_passes_at_its_limit_and_misses_above_it():
    at_limit = Result("x", Target("ratio", 3), Timing([30.0]), Timing([10.0]))
    above = Result("x", Target("ratio", 3), Timing([31.0]), Timing([10.0]))
    assert at_limit.ratio == 3 and verdict(at_limit)
    assert not verdict(above)


def test_a_ratio_row_with_an_absolute_bound_misses_when_the_median_is_over_it():
    row = Result("x", Target("ratio", 3, median_ms=150), Timing([160.0]), Timing([100.0]))
    assert row.ratio == 1.6
    assert not verdict(row)


def test_a_worst_bound_is_checked_on_the_slowest_round():
    row = Result("x", Target("ratio", 2, worst_ms=15_000), Timing([9_000.0, 9_000.0, 16_000.0]), Timing([5_000.0]))
    assert row.ratio == 1.8
    assert not verdict(row)


def test_a_throughput_row_is_floor_time_over_our_time():
    half = Result("x", Target("throughput", 0.5), Timing([20.0]), Timing([10.0]))
    less = Result("x", Target("throughput", 0.5), Timing([25.0]), Timing([10.0]))
    assert half.ratio == 0.5 and verdict(half)
    assert less.ratio == 0.4 and not verdict(less)


def test_a_reference_row_shows_its_throughput_and_never_decides_the_exit_status():
    frame = Result("frame", Target("reference", 0), Timing([30.0]), Timing([10.0]), floor_label="3 SQL bare")
    assert verdict(frame)
    assert "| frame | 30.0 ms | 3 SQL bare 10.0 ms | 33% | none (reference) | — |" in table([frame])


def test_absolute_and_bytes_rows_and_a_failed_check():
    assert verdict(Result("x", Target("absolute", 100), Timing([99.0, 100.0, 250.0])))
    assert not verdict(Result("x", Target("absolute", 100), Timing([101.0])))
    assert verdict(Result("x", Target("bytes", 250_000), size=250_000))
    assert not verdict(Result("x", Target("bytes", 250_000), size=1_120_000))
    assert not verdict(Result("x", Target("ratio", 3), Timing([1.0]), Timing([1.0]), failed="floor ≠ figures"))


def test_the_table_has_one_line_per_row_and_their_spans():
    rows = [
        Result("dashboard", Target("ratio", 3), Timing([300.0, 320.0]), Timing([100.0, 110.0]), floor_label="SQL"),
        Result("js", Target("bytes", 250_000), size=1_120_000),
    ]
    text = table(rows)
    assert "| dashboard | 310 ms | SQL 105 ms | 2.95× | ≤ 3× | PASS |" in text
    assert "| js | 1120.0 KB | — | — | ≤ 250 KB | MISS |" in text
    assert "- dashboard: ours 300 ms–320 ms (2 rounds); floor 100 ms–110 ms (2 rounds)" in text
