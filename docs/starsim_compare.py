"""Starsim's cost per person-day on this machine, for the comparison in BENCHMARKS.md
(wangge::sim, issue 19 §4).

100,000 agents, 61 daily steps (2020-01-01 to 2020-03-01), Starsim's SIR on its random network
with their defaults: the same population and days as `docs/covasim_compare.py`. Only
`sim.run()` is timed (after `sim.init()`), best of three. Run it in a virtual environment:

    python3 -m venv /tmp/simvenv && /tmp/simvenv/bin/pip install starsim
    /tmp/simvenv/bin/python docs/starsim_compare.py
"""
import sys
import time

import starsim as ss

POP = 100_000


def once(seed):
    sim = ss.Sim(
        n_agents=POP,
        diseases="sir",
        networks="random",
        start=ss.date("2020-01-01"),
        stop=ss.date("2020-03-01"),
        dt=ss.days(1),
        rand_seed=seed,
        verbose=0,
    )
    sim.init()
    t = time.perf_counter()
    sim.run()
    return time.perf_counter() - t, len(sim.timevec)


def main():
    print(f"starsim {ss.__version__}, python {sys.version.split()[0]}")
    best = None
    for seed in (1, 2, 3):
        took, steps = once(seed)
        ns = took * 1e9 / (POP * steps)
        print(f"seed {seed}: {took:.2f} s, {ns:.0f} ns per person-day ({steps} steps)")
        best = ns if best is None else min(best, ns)
    print(f"best: {best:.0f} ns per person-day ({POP} agents)")


if __name__ == "__main__":
    main()
