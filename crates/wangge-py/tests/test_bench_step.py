"""The bench's two sides do the same work: the step from Python and from Rust keep twins equal."""

import datetime as dt
import importlib.util
import pathlib

import wangge

spec = importlib.util.spec_from_file_location(
    "daily_step", pathlib.Path(__file__).parent.parent / "bench" / "daily_step.py"
)
daily_step = importlib.util.module_from_spec(spec)
spec.loader.exec_module(daily_step)


def test_the_python_step_and_the_rust_step_keep_twin_registries_equal():
    a = wangge.Registry.synth(20_000, seed=3)
    b = wangge.Registry.synth(20_000, seed=3)
    policy = a.adopt_policy("cn_ed9_close_contact")
    b.adopt_policy("cn_ed9_close_contact")
    model = daily_step.Model(a, seed=3)
    released = 0
    for day in range(16):
        today = daily_step.START + dt.timedelta(days=day)
        inputs = model.draw(a, day)
        daily_step.python_day(a, today, policy, inputs)
        daily_step.rust_day(b, today, policy, inputs)
        assert a == b, f"day {day}"
        model.after(a, inputs)
        released += int((a.agenda_arrays(today)["kind"] == wangge.AGENDA_KINDS.index("released")).sum())
    # The days did something: cases were started, tests and releases came due and were done.
    assert len(model.open) > 0
    assert released > 0
    assert a.tally(a.root)["households"]["Red"] > 0


def test_the_bench_runs_end_to_end_on_a_small_city(capsys):
    assert daily_step.main(["--residents", "5000", "--days", "3", "--warm-up", "14", "--dicts"]) == 0
    assert "twins equal" in capsys.readouterr().out
