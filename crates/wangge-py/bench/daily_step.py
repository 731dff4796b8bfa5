#!/usr/bin/env python3
"""Bench: wangge's daily management step per resident-day, called from Python against the
same step called from Rust, in one run (issue 19 §1; target: Python within 2x of Rust).

Run by hand, after `pip install ./crates/wangge-py` (a release build):

    python crates/wangge-py/bench/daily_step.py                 # 1 million residents, 30 + 30 days
    python crates/wangge-py/bench/daily_step.py --residents 100000 --days 10 --warm-up 10

Two registries are built from the same seed (twins). Each simulated day the model draws its
inputs once (who is confirmed, who becomes a close contact, who is discharged or goes home,
who misses a check: untimed), then plays the same management step on both twins, timed:

- from Python (`python_day`): `open_day`, `agenda_arrays`, `record_tests`, `record_checks`
  (twice), `set_states`, `start_cases`, `release`, `set_states` (twice), `tallies`: the
  package's bulk API, NumPy arrays in and out, as a Python simulation would call it;
- from Rust (`wangge._bench.rust_day`): the same commands built and applied in Rust over
  `wangge::Registry`, and every unit's tally read, behind one Python call;
- with `--dicts`, on a third twin (`dict_day`): the same commands as dicts through `apply`
  and `apply_many`, the generic path, for comparison.

The load follows `benches/daily.rs` scaled to the city: 100 persons confirmed per million
residents a day, 10 close contacts each (edition 9: 7 days centralised + 3 at home, tests on
days 1, 2, 3, 5, 7, 10, two checks a day), confirmed persons discharged into centralised
isolation after 14 days and home after 28. The twins must stay equal (checked every day on
the tallies and at the end on the whole registry), so both sides did the same work. Printed:
the median ns per resident-day of each side over the measured days and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

import numpy as np

import wangge
from wangge import _bench

START = dt.date(2020, 2, 1)
TEST_DUE = wangge.AGENDA_KINDS.index("test due")
RELEASE_DUE = wangge.AGENDA_KINDS.index("release due")
WELL = wangge.STATES.index("Well")
CONFIRMED_PER_MILLION = 100
CONTACTS_PER_CASE = 10
MISS_CHECK = 0.01
HOSPITAL_DAYS, DISCHARGE_DAYS = 14, 14


def python_day(reg: wangge.Registry, today: dt.date, policy: int, inputs: dict) -> None:
    """The management step of `today` through the package's Python API."""
    reg.open_day(today)
    agenda = reg.agenda_arrays(today)
    kind = agenda["kind"]
    reg.record_tests(agenda["person"][kind == TEST_DUE], today, skip_refused=True)
    morning = dt.datetime.combine(today, dt.time(8))
    evening = dt.datetime.combine(today, dt.time(20))
    reg.record_checks(inputs["open"], morning, skip_refused=True)
    reg.record_checks(inputs["open"][~inputs["miss"]], evening, skip_refused=True)
    reg.set_states(inputs["confirm"], "Confirmed", today, skip_refused=True)
    reg.start_cases(inputs["contacts"], policy, today, days_before=inputs["days_before"], skip_refused=True)
    reg.release(agenda["case"][kind == RELEASE_DUE], today, skip_refused=True)
    reg.set_measures(inputs["discharged"], "CentralisedIsolation", today, skip_refused=True)
    reg.set_states(inputs["home"], "Well", today, skip_refused=True)
    reg.tallies()


def dict_day(reg: wangge.Registry, today: dt.date, policy: int, inputs: dict) -> None:
    """The same step with every command a dict (`apply`, `apply_many`): the generic path."""
    day = today.isoformat()
    reg.apply({"OpenDay": {"today": day}})
    agenda = reg.agenda_arrays(today)
    kind = agenda["kind"]
    at8, at20 = f"{day}T08:00:00", f"{day}T20:00:00"
    check = lambda p, at: {"RecordCheck": {"person": p, "at": at, "temperature": "36.5", "symptoms": False}}
    state = lambda p, s: {"SetState": {"person": p, "state": s, "on": day}}
    cmds = [{"RecordTest": {"person": p, "on": day, "result": "Negative"}} for p in agenda["person"][kind == TEST_DUE].tolist()]
    cmds += [check(p, at8) for p in inputs["open"].tolist()]
    cmds += [check(p, at20) for p in inputs["open"][~inputs["miss"]].tolist()]
    cmds += [state(p, "Confirmed") for p in inputs["confirm"].tolist()]
    cmds += [
        {"StartCase": {"person": p, "policy": policy, "category": "CloseContact",
                       "anchor": (today - dt.timedelta(days=d)).isoformat(), "on": day, "linked": None}}
        for p, d in zip(inputs["contacts"].tolist(), inputs["days_before"].tolist())
    ]
    cmds += [{"Release": {"case": c, "on": day}} for c in agenda["case"][kind == RELEASE_DUE].tolist()]
    cmds += [{"SetMeasure": {"person": p, "measure": "CentralisedIsolation", "on": day}} for p in inputs["discharged"].tolist()]
    cmds += [state(p, "Well") for p in inputs["home"].tolist()]
    reg.apply_many(cmds, skip_refused=True)
    reg.tallies()


def rust_day(reg: wangge.Registry, today: dt.date, policy: int, inputs: dict) -> None:
    """The same step, from Rust."""
    _bench.rust_day(
        reg,
        today,
        policy,
        inputs["open"],
        inputs["miss"],
        inputs["confirm"],
        inputs["contacts"],
        inputs["days_before"],
        inputs["discharged"],
        inputs["home"],
    )


class Model:
    """What the host keeps between days, and the day's draws (seeded)."""

    def __init__(self, reg: wangge.Registry, seed: int):
        self.rng = np.random.default_rng(seed)
        self.persons = reg.person_count
        self.confirmed_on: list[np.ndarray] = []
        self.open = np.zeros(0, dtype=np.uint32)
        self.per_day = max(1, round(self.persons * CONFIRMED_PER_MILLION / 1_000_000))

    def draw(self, reg: wangge.Registry, day: int) -> dict:
        """The inputs of day `day`, read from `reg` (untimed)."""
        states = reg.person_states()
        free = states == WELL
        if len(self.open):
            free[self.open] = False
        candidates = np.flatnonzero(free).astype(np.uint32)
        picked = self.rng.choice(candidates, size=min(len(candidates), self.per_day * (1 + CONTACTS_PER_CASE)), replace=False)
        confirm, contacts = picked[: self.per_day], picked[self.per_day :]
        back = lambda days: self.confirmed_on[day - days] if day >= days else np.zeros(0, dtype=np.uint32)
        inputs = {
            "open": self.open,
            "miss": self.rng.random(len(self.open)) < MISS_CHECK,
            "confirm": confirm,
            "contacts": contacts,
            "days_before": self.rng.integers(0, 3, size=len(contacts)).astype(np.uint32),
            "discharged": back(HOSPITAL_DAYS),
            "home": back(HOSPITAL_DAYS + DISCHARGE_DAYS),
        }
        self.confirmed_on.append(confirm)
        return inputs

    def after(self, reg: wangge.Registry, inputs: dict) -> None:
        """Keep the persons still under a case (untimed)."""
        under = np.concatenate([self.open, inputs["contacts"]])
        self.open = under[reg.cases_of(under) >= 0]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--residents", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30, help="days measured")
    ap.add_argument("--warm-up", type=int, default=30, help="days played before measuring")
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--dicts", action="store_true", help="also time the step with every command a dict (a third twin)")
    o = ap.parse_args(argv)

    t = time.perf_counter()
    py_reg = wangge.Registry.synth(o.residents, seed=o.seed)
    rs_reg = wangge.Registry.synth(o.residents, seed=o.seed)
    dict_reg = wangge.Registry.synth(o.residents, seed=o.seed) if o.dicts else None
    policy = py_reg.adopt_policy("cn_ed9_close_contact")
    assert rs_reg.adopt_policy("cn_ed9_close_contact") == policy
    if dict_reg is not None:
        dict_reg.adopt_policy("cn_ed9_close_contact")
    n = py_reg.person_count
    print(f"city: {n:,} residents, {py_reg.household_count:,} households, {py_reg.unit_count:,} units "
          f"(two twins built in {time.perf_counter() - t:.1f} s)")
    model = Model(py_reg, o.seed)
    py_ns, rs_ns, dict_ns = [], [], []
    for day in range(o.warm_up + o.days):
        today = START + dt.timedelta(days=day)
        inputs = model.draw(py_reg, day)
        # Alternate which side goes first, so neither always finds the caches warm.
        sides = [(python_day, py_reg, py_ns), (rust_day, rs_reg, rs_ns)]
        if dict_reg is not None:
            sides.append((dict_day, dict_reg, dict_ns))
        for step, reg, out in sides if day % 2 == 0 else sides[::-1]:
            t = time.perf_counter_ns()
            step(reg, today, policy, inputs)
            took = time.perf_counter_ns() - t
            if day >= o.warm_up:
                out.append(took / n)
        a = py_reg.tallies()
        for other in [rs_reg] + ([dict_reg] if dict_reg is not None else []):
            b = other.tallies()
            if not (np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])):
                print(f"day {day}: the twins' tallies differ", file=sys.stderr)
                return 1
        model.after(py_reg, inputs)
    if py_reg != rs_reg or (dict_reg is not None and dict_reg != py_reg):
        print("the twins differ at the end", file=sys.stderr)
        return 1
    red = py_reg.tally(py_reg.root)["households"]["Red"]
    print(f"after {o.warm_up + o.days} days: {len(model.open):,} open cases, {red:,} red households; twins equal")
    py, rs = statistics.median(py_ns), statistics.median(rs_ns)
    print(f"daily step, median of {o.days} days: Python {py:.2f} ns per resident-day, Rust {rs:.2f} ns; "
          f"ratio {py / rs:.2f}x (target <= 2x)")
    if dict_ns:
        d = statistics.median(dict_ns)
        print(f"the same step with every command a dict: {d:.2f} ns per resident-day, {d / rs:.2f}x Rust")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
