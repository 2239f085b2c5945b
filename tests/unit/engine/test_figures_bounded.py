"""A bank's live figures keep a bounded memory over a long day: the averages cover every
call of the session, the hangtimes kept for percentiles only the latest calls."""

from __future__ import annotations

from controller.engine.figures import RECENT, Figures
from controller.store.engine_log import quantile


def test_given_a_long_day_when_many_calls_connect_then_list_bounded_and_averages_whole() -> None:
    figures = Figures(1)
    for i in range(10 * RECENT):
        figures.add_hangtime(float(i % 10))  # 0..9, averaging 4.5
        figures.add_wait(1.0 if i < 5 * RECENT else 3.0)

    assert RECENT <= len(figures.hangtimes) <= 2 * RECENT
    assert figures.hangtimes[-1] == 9.0  # the latest is kept
    assert figures.avg_hangtime == 4.5
    assert figures.avg_wait == 2.0  # the whole session, not only the latest
    assert Figures(2).avg_wait is None


def test_given_a_connection_without_an_answer_time_when_added_then_not_averaged_as_zero() -> None:
    figures = Figures(1)
    figures.add_hangtime(2.0, 0.1)
    figures.add_hangtime(None, 0.3)  # the PBX never said when the callee answered

    assert figures.avg_hangtime == 2.0 and list(figures.hangtimes) == [2.0]
    assert list(figures.verdict_hangtimes) == [0.1, 0.3]


def test_given_ten_or_twenty_values_when_quantiles_read_then_nearest_rank() -> None:
    ten = [float(v) for v in range(1, 11)]
    twenty = [float(v) for v in range(1, 21)]
    assert (quantile(ten, 0.5), quantile(ten, 0.95)) == (5.0, 10.0)
    assert (quantile(twenty, 0.5), quantile(twenty, 0.95)) == (10.0, 19.0)
    assert quantile([], 0.5) is None and quantile([7.0], 0.95) == 7.0
