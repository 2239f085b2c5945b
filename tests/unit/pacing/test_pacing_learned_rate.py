"""The learned person rate of a running bank: calls are learned in the order their fates end
(a person answers after about 9 s, a no-answer rings out at 30 s), with some calls hung up
while they ring. Sampled over time like a dialer reads it, the rate must be the truth."""

from __future__ import annotations

import heapq
import math
import random
import statistics

import pytest

from controller.pacing.estimator import Estimator, Outcome
from controller.pacing.snapshot import Estimates

P_HUMAN, P_MACHINE, P_BUSY = 0.15, 0.30, 0.10
RING_MU, RING_SIGMA, TIMEOUT, HANG_UP_AT = math.log(9.0) - 0.125, 0.5, 30.0, 16.0


def true_person_rate() -> float:
    """A person whose phone would ring past the timeout counts as no answer."""
    z = (math.log(TIMEOUT) - RING_MU) / RING_SIGMA
    return P_HUMAN * 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


Stream = list[tuple[float, int, float, str]]


def dial_stream(dials: int, hang_up_share: float, seed: int) -> tuple[Stream, float]:
    """``(time, dial, ring, fate)`` of each call's end, in time order: dials at 0.5 a second,
    fates as the simulator draws them; ``hang_up_share`` of the calls still ringing at
    ``HANG_UP_AT`` are hung up then (fate ``censored``). And the share of persons drawn."""
    rng = random.Random(seed)
    ends: Stream = []
    now, persons = 0.0, 0
    for i in range(dials):
        now += rng.expovariate(0.5)
        u, ring = rng.random(), max(1.0, rng.lognormvariate(RING_MU, RING_SIGMA))
        fate = Outcome.NO_ANSWER
        if u < P_HUMAN + P_MACHINE and ring < TIMEOUT:
            fate = Outcome.HUMAN if u < P_HUMAN else Outcome.MACHINE
        elif P_HUMAN + P_MACHINE <= u < P_HUMAN + P_MACHINE + P_BUSY:
            fate, ring = Outcome.BUSY, 3.0
        persons += fate is Outcome.HUMAN
        ring = ring if fate is not Outcome.NO_ANSWER else TIMEOUT
        if fate is not Outcome.BUSY and ring > HANG_UP_AT and rng.random() < hang_up_share:
            ends.append((now + HANG_UP_AT, i, HANG_UP_AT, "censored"))
        else:
            ends.append((now + ring + (2.0 if ring < TIMEOUT else 0.0), i, ring, fate.value))
    heapq.heapify(ends)
    return [heapq.heappop(ends) for _ in range(len(ends))], persons / dials


def learned_over_time(stream: Stream) -> list[float]:
    """The dialer's estimator taught the stream; its person rate each minute after an hour."""
    est = Estimator(Estimates(ring_timeout=TIMEOUT))
    samples, due = [], 3600.0
    for when, _, ring, fate in stream:
        while when >= due:
            samples.append(est.estimates().p_human)
            due += 60.0
        if fate == "censored":
            est.observe_unanswered(ring)
        else:
            est.observe_call(Outcome(fate), ring, 2.0)
    return samples


def finished_share_of_recent_dials(stream: Stream) -> list[float]:
    """The other way to count: persons among the last 150 dials whose fate is known by now."""
    by_dial = sorted(stream, key=lambda e: e[1])
    shares = []
    for when, dial, _, _ in stream[2000::97]:
        recent = by_dial[max(0, dial - 150) : dial + 1]
        ended = [e for e in recent if e[0] <= when and e[3] != "censored"]
        shares.append(sum(e[3] == "human" for e in ended) / len(ended))
    return shares


@pytest.mark.parametrize("hang_up_share", [0.0, 0.3])
def test_given_calls_learned_as_their_fates_end_when_read_over_time_then_the_person_rate_is_the_truth(  # noqa: E501
    hang_up_share: float,
) -> None:
    stream, drawn = dial_stream(60000, hang_up_share, seed=11)

    learned = statistics.fmean(learned_over_time(stream))
    finished = statistics.fmean(finished_share_of_recent_dials(stream))

    assert drawn == pytest.approx(true_person_rate(), abs=0.003)
    assert learned == pytest.approx(drawn, abs=0.0015)
    # counting by dial instead, the calls still ringing are missing, most of them no-answers
    assert finished > drawn + 0.002
