"""The package reproduces a Rust scenario's figures (tests/figures.rs, tests/figures.json)."""

import numpy as np

import wangge

CONFIRMED = [0, 500, 1000, 5000]
DAY1, DAY2 = "2020-02-01", "2020-02-02"


def test_the_synth_city_and_the_scenario_give_the_rust_figures(figures):
    reg = wangge.Registry.synth(10_000, seed=7)
    assert (reg.person_count, reg.household_count, reg.unit_count) == (
        figures["residents"],
        figures["households"],
        figures["units"],
    )
    policy = reg.adopt_policy("cn_ed9_close_contact")
    reg.open_day(DAY1)
    reg.set_states(CONFIRMED, "Confirmed", DAY1)
    of = reg.person_households()
    members = np.flatnonzero(np.isin(of, of[CONFIRMED]))
    contacts = members[~np.isin(members, CONFIRMED)]
    reg.start_cases(contacts, policy, DAY1)
    reg.open_day(DAY2)
    root = reg.tally(reg.root)
    agenda = reg.agenda_arrays(DAY2)
    got = {
        "residents": reg.person_count,
        "households": reg.household_count,
        "units": reg.unit_count,
        "red_households": root["households"]["Red"],
        "red_persons": root["persons"]["Red"],
        "close_contacts": root["states"].get("CloseContact", 0),
        "centralised": root.get("measures", {}).get("CentralisedIsolation", 0),
        "confirmed": root["states"]["Confirmed"],
        "agenda_items": len(agenda["kind"]),
        "tests_due": int((agenda["kind"] == wangge.AGENDA_KINDS.index("test due")).sum()),
    }
    assert got == figures
    # And independently of the Rust run, counted here from the arrays: the red households are
    # those of the confirmed, and every person in them is red.
    assert root["households"]["Red"] == len(np.unique(of[CONFIRMED]))
    assert root["persons"]["Red"] == len(members)


def test_the_same_seed_gives_the_same_city_and_another_seed_another():
    a = wangge.Registry.synth(5_000, seed=1)
    assert a == wangge.Registry.synth(5_000, seed=1)
    assert a != wangge.Registry.synth(5_000, seed=2)
