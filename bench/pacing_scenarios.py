"""The pacing benchmark's scenarios: the base bank and its variations."""

from __future__ import annotations

from dataclasses import replace

from controller.pacing.scenario import Scenario

# 10 volunteers; 15% of dials reach a person, 30% a machine, 10% busy/invalid, the rest ring
# out at 30 s; human ring lognormal with a 9 s mean; AMD 1.8 s (human) / 3 s (machine);
# talk 90 s (exponential); wrap-up 15 s; abandon cap 3%.
BASE = Scenario(name="base")


def scenarios(hours: float) -> list[Scenario]:
    base = replace(BASE, hours=hours)
    out = [base]
    out += [replace(base, name=f"{n} volunteers", volunteers=n) for n in (3, 5, 20, 50)]
    out += [replace(base, name=f"answer {p:.0%}", p_human=p) for p in (0.05, 0.10, 0.25)]
    return out


RATIOS = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0)
