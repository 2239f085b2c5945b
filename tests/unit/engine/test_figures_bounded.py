"""A bank's live figures keep a bounded memory over a long day: the averages cover every
call of the session, the hangtimes kept for percentiles only the latest calls."""

from __future__ import annotations

from controller.engine.figures import RECENT, Figures


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
