"""Covasim's cost per person-day on this machine, for the comparison in BENCHMARKS.md
(wangge::sim, issue 19 §4).

The same population size and days as `benches/sim.rs` (100,000 agents, 60 days; the bench
times days 40 to 60 of a run), Covasim's hybrid population (households, schools, workplaces,
community) with its default parameters and no interventions. Only `sim.run()` is timed (the
population is made before), best of three. Run it in a virtual environment:

    python3 -m venv /tmp/simvenv && /tmp/simvenv/bin/pip install covasim
    /tmp/simvenv/bin/python docs/covasim_compare.py
"""
import sys
import time

import covasim as cv

POP = 100_000
DAYS = 60


def once(seed):
    sim = cv.Sim(pop_size=POP, n_days=DAYS, pop_type="hybrid", rand_seed=seed, verbose=0)
    sim.initialize()
    t = time.perf_counter()
    sim.run()
    return time.perf_counter() - t, sim


def main():
    print(f"covasim {cv.__version__}, python {sys.version.split()[0]}")
    best = None
    for seed in (1, 2, 3):
        took, sim = once(seed)
        infections = int(sim.results["cum_infections"][-1])
        ns = took * 1e9 / (POP * (DAYS + 1))
        print(f"seed {seed}: {took:.2f} s, {ns:.0f} ns per person-day, {infections} infections")
        best = ns if best is None else min(best, ns)
    print(f"best: {best:.0f} ns per person-day ({POP} agents, {DAYS + 1} steps)")


if __name__ == "__main__":
    main()
