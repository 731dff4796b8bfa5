"""The package's registry: commands as dicts, events back, replay, snapshots, reads."""

import json

import numpy as np
import pytest

import wangge

DAY1 = "2020-02-01"


def empty_city():
    """An empty registry under the Zhengzhou scheme (街道 > 社区 > 楼院 > 楼组) and its log."""
    reg = wangge.Registry("zhengzhou", "花园路街道")
    return reg, [reg.founding_event()]


def run(reg, log, command):
    events = reg.apply(command)
    log.extend(events)
    return events


def build_courtyard(reg, log):
    """A community, a courtyard, two households of two persons each, all by dict commands."""
    root = reg.root
    community = run(reg, log, {"AddUnit": {"parent": root, "unit": {"name": "农科路社区", "level": 1, "kind": "Area", "code": None}}})
    community = community[0]["UnitAdded"]["unit"]
    yard = run(reg, log, {"AddUnit": {"parent": community, "unit": {"name": "3号院", "level": 2, "kind": "Area", "code": None}}})
    yard = yard[0]["UnitAdded"]["unit"]
    persons = []
    for door in ["1-101", "1-102"]:
        household = run(reg, log, {"AddHousehold": {"unit": yard, "door": door}})[0]["HouseholdAdded"]["household"]
        for _ in range(2):
            state = {"state": "Well", "since": "2020-01-20"}
            ev = run(reg, log, {"RegisterPerson": {"household": household, "record": {}, "state": state}})
            persons.append(ev[0]["PersonRegistered"]["person"])
    return community, yard, persons


def test_commands_round_trip_as_dicts_and_the_log_replays_to_an_equal_registry():
    reg, log = empty_city()
    community, yard, persons = build_courtyard(reg, log)
    assert reg.children(reg.root) == [community]
    assert reg.children(community) == [yard]
    assert reg.parent(yard) == community
    assert reg.unit_name(yard) == "3号院"
    assert (reg.household_count, reg.person_count) == (2, 4)
    run(reg, log, {"OpenDay": {"today": DAY1}})
    events = run(reg, log, {"SetState": {"person": persons[0], "state": "Confirmed", "on": DAY1}})
    assert events[0]["StateChanged"]["person"] == persons[0]
    assert reg.state(persons[0]) == "Confirmed"
    assert reg.colour(0) == "Red" and reg.colour(1) == "Green"
    # The events are the log: replaying them gives the same registry, and so does JSON.
    again = wangge.Registry.replay(log)
    assert again == reg
    assert wangge.Registry.replay(json.loads(json.dumps(log))) == reg
    # A dict command and its JSON text do the same.
    a = wangge.Registry.replay(log)
    b = wangge.Registry.replay(log)
    cmd = {"SetState": {"person": persons[2], "state": "Suspected", "on": DAY1}}
    assert json.loads(b.apply_json(json.dumps(cmd))) == a.apply(cmd)
    assert a == b


def test_a_dict_that_is_no_command_is_a_value_error_and_changes_nothing():
    reg, _ = empty_city()
    before = reg.to_json()
    with pytest.raises(ValueError):
        reg.apply({"NoSuchCommand": {}})
    with pytest.raises(ValueError):
        reg.apply({"OpenDay": {"today": "2020-02-31"}})
    with pytest.raises(ValueError):
        reg.apply({"OpenDay": {"today": DAY1, "extra": 1}})
    assert reg.to_json() == before


def test_the_snapshot_round_trips_and_both_registries_go_on_alike(city):
    city.open_day(DAY1)
    city.set_states([3, 30, 300], "Confirmed", DAY1)
    text = city.to_json()
    assert json.loads(text)["format"] == wangge.FORMAT_VERSION
    copy = wangge.Registry.from_json(text)
    assert copy == city
    assert copy.to_json() == text
    for reg in (city, copy):
        reg.open_day("2020-02-02")
        reg.start_cases([4, 5], 0, "2020-02-02")
    assert copy == city
    assert copy.business_date.isoformat() == "2020-02-02"


def test_the_numpy_tallies_equal_every_units_tally(city):
    city.open_day(DAY1)
    city.set_states(np.arange(0, 10_000, 97, dtype=np.uint32), "Confirmed", DAY1)
    city.set_states(np.arange(1, 10_000, 211), "Suspected", DAY1)
    households, persons = city.tallies()
    assert households.shape == persons.shape == (city.unit_count, 5)
    assert households.dtype == np.uint64
    for unit in range(city.unit_count):
        t = city.tally(unit)
        assert [t["households"][c] for c in wangge.COLOURS] == households[unit].tolist()
        assert [t["persons"][c] for c in wangge.COLOURS] == persons[unit].tolist()
    # Per person, counted naively in NumPy: colours by household colour, states by state.
    colours = city.person_colours()
    states = city.person_states()
    assert colours.shape == states.shape == (city.person_count,)
    root = city.tally(city.root)
    assert np.bincount(colours, minlength=5).tolist() == [root["persons"][c] for c in wangge.COLOURS]
    by_state = np.bincount(states, minlength=len(wangge.STATES))
    assert {s: n for s, n in zip(wangge.STATES, by_state.tolist()) if n} == root["states"]
    # A household's colour is its members' colour, and red where someone is confirmed.
    of = city.person_households()
    red = wangge.COLOURS.index("Red")
    assert (colours[states == wangge.STATES.index("Confirmed")] == red).all()
    assert len(np.unique(of[colours == red])) == households[city.root][red]


def test_errors_carry_the_cores_code_and_kind(city):
    city.open_day(DAY1)
    with pytest.raises(wangge.NotFound) as e:
        city.tally(10**6)
    assert (e.value.code, e.value.kind) == ("grid.unknown_unit", "not_found")
    with pytest.raises(wangge.NotFound) as e:
        city.worklist(12345, DAY1)
    assert e.value.kind == "not_found" and e.value.code.startswith("duty.")
    city.set_states([7], "Confirmed", DAY1)
    with pytest.raises(wangge.Conflict) as e:
        city.apply({"SetState": {"person": 7, "state": "Confirmed", "on": DAY1}})
    assert (e.value.code, e.value.kind) == ("colour.unchanged", "conflict")
    with pytest.raises(wangge.Conflict) as e:
        city.open_day("2020-01-31")  # the business date only moves forward
    assert e.value.kind == "conflict"
    # A unit at the root's own level does not nest under it.
    with pytest.raises(wangge.Invalid) as e:
        city.apply({"AddUnit": {"parent": city.root, "unit": {"name": "x", "level": 0, "kind": "Area", "code": None}}})
    assert (e.value.code, e.value.kind) == ("grid.level_does_not_nest", "invalid")
    # A snapshot whose parts disagree is corrupt data, not the caller's mistake.
    snap = json.loads(city.to_json())
    snap["states"] = snap["states"][:-1]
    with pytest.raises(wangge.Corrupt) as e:
        wangge.Registry.from_json(json.dumps(snap))
    assert e.value.kind == "corrupt"
    # As a user whose scope is a community's first courtyard: its tally is there, a sibling
    # courtyard's reads as unknown (reads never tell what lies outside), and a command on a
    # person of the sibling courtyard is forbidden.
    district = city.children(city.root)[0]
    community = city.children(city.children(district)[0])[0]
    first, second = city.children(community)[:2]
    assert city.tally(first, within=[first]) == city.tally(first)
    with pytest.raises(wangge.NotFound):
        city.tally(second, within=[first])
    # synth registers persons courtyard by courtyard: the first courtyard's are 0 .. n - 1.
    in_first = sum(city.tally(first)["persons"].values())
    of = city.person_households()
    assert of[in_first] != of[in_first - 1]
    set_state = lambda p: {"SetState": {"person": p, "state": "Suspected", "on": DAY1}}
    with pytest.raises(wangge.Forbidden) as e:
        city.apply(set_state(in_first), within=[first])
    assert (e.value.code, e.value.kind) == ("registry.outside_scope", "forbidden")
    assert city.apply(set_state(0), within=[first])[0]["StateChanged"]["person"] == 0
    for cls in (wangge.NotFound, wangge.Conflict, wangge.Invalid, wangge.Forbidden, wangge.Corrupt):
        assert issubclass(cls, wangge.WanggeError)
    assert wangge.WangeError is wangge.WanggeError


def test_a_bulk_call_applies_each_command_atomically_and_stops_at_the_first_refusal(city):
    city.open_day(DAY1)
    city.set_states([2], "Confirmed", DAY1)
    before = city.person_states().copy()
    with pytest.raises(wangge.Conflict) as e:
        city.set_states([1, 2, 3], "Confirmed", DAY1)
    assert (e.value.index, e.value.applied) == (1, 1)
    states = city.person_states()
    confirmed = wangge.STATES.index("Confirmed")
    assert states[1] == confirmed and states[3] == before[3]
    # Skipping: the refused indexes come back, the others are applied.
    refused = city.set_states([1, 4, 2, 5], "Confirmed", DAY1, skip_refused=True)
    assert refused.tolist() == [0, 2]
    assert (city.person_states()[[4, 5]] == confirmed).all()
    # The same through dicts.
    cmds = [{"SetState": {"person": p, "state": "Suspected", "on": DAY1}} for p in (8, 9)]
    cmds.insert(1, {"SetState": {"person": 10**7, "state": "Suspected", "on": DAY1}})
    with pytest.raises(wangge.NotFound) as e:
        city.apply_many(cmds)
    assert (e.value.index, e.value.applied) == (1, 1)
    assert city.state(8) == "Suspected" and city.state(9) == "Well"
    # A malformed command anywhere: nothing applied.
    with pytest.raises(ValueError):
        city.apply_many([{"SetState": {"person": 9, "state": "Suspected", "on": DAY1}}, {"Nope": 1}])
    assert city.state(9) == "Well"
    events = city.apply_many([{"SetState": {"person": 9, "state": "Suspected", "on": DAY1}}], events=True)
    assert len(events) == 1 and events[0]


def test_cases_agenda_schedules_and_presets(city):
    city.open_day(DAY1)
    policy = city.policy_id("cn_ed9_close_contact")
    assert policy == 0 and city.policies()[0]["name"] == "cn_ed9_close_contact"
    assert city.start_cases([20, 21, 22], policy, DAY1, days_before=[0, 1, 2]).tolist() == []
    cases = city.cases_of([20, 21, 22, 23])
    assert cases.tolist()[:3] == [0, 1, 2] and cases[3] == -1
    schedule = city.schedule(0)
    assert schedule == wangge.policy_schedule("cn_ed9_close_contact", DAY1)
    # Edition 9: 7 days centralised + 3 at home, counted from the last exposure.
    assert schedule["total_days"] == 10
    city.open_day("2020-02-02")
    agenda = city.agenda("2020-02-02")
    arrays = city.agenda_arrays("2020-02-02")
    assert len(agenda["items"]) == len(arrays["kind"])
    variant = ["Released", "Escalated", "Review", "ReleaseDue", "TestDue", "MissedChecks", "Monitoring"]
    for item, k, c, p in zip(agenda["items"], arrays["kind"], arrays["case"], arrays["person"]):
        assert (item["case"], item["person"]) == (c, p)
        label = item["item"] if isinstance(item["item"], str) else next(iter(item["item"]))
        assert variant[k] == label
    # Edition 9 tests on days 1, 2, 3 ...: the three cases' first tests are due.
    assert sorted(arrays["person"][arrays["kind"] == wangge.AGENDA_KINDS.index("test due")].tolist()) == [20, 21, 22]
    names = [p["name"] for p in wangge.policy_presets()]
    assert names[0] == "seed_shanghai_2020" and "cn_20_measures_close_contact" in names
    assert [s["key"] for s in wangge.level_schemes()] == ["zhengzhou", "shanghai", "foshan", "foshan_sanshui"]
    # The courtyard map of the first courtyard, on the business date: a cell per household.
    district = city.children(city.root)[0]
    yard = city.children(city.children(city.children(district)[0])[0])[0]
    svg = city.map_svg(yard)
    assert svg.startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert svg.count("1-01") >= 1
    assert "1-01" in city.map_text(yard, "2020-02-02")


def test_the_typed_helpers_are_the_dict_commands():
    typed, _ = empty_city()
    community = typed.add_unit(typed.root, "农科路社区", "社区")
    yard = typed.add_unit(community, "3号院", 2, kind={"Compound": "WorkUnit"})
    building = typed.add_unit(yard, "1号楼", "building group", kind="Building")
    household = typed.add_household(building, "1-101")
    person = typed.register_person(household, "2020-01-20", state="HomeIsolationElsewhere")
    assert (community, yard, building, household, person) == (1, 2, 3, 0, 0)
    by_dict, _ = empty_city()
    unit = lambda parent, name, level, kind: {"AddUnit": {"parent": parent, "unit": {"name": name, "level": level, "kind": kind, "code": None}}}
    by_dict.apply(unit(0, "农科路社区", 1, "Area"))
    by_dict.apply(unit(1, "3号院", 2, {"Compound": "WorkUnit"}))
    by_dict.apply(unit(2, "1号楼", 3, "Building"))
    by_dict.apply({"AddHousehold": {"unit": 3, "door": "1-101"}})
    state = {"state": "HomeIsolationElsewhere", "since": "2020-01-20"}
    by_dict.apply({"RegisterPerson": {"household": 0, "record": {}, "state": state}})
    assert typed == by_dict
    assert typed.colour(household) == "Yellow"
    with pytest.raises(ValueError):
        typed.add_unit(typed.root, "x", "no such level")
    with pytest.raises(wangge.NotFound) as e:
        typed.add_household(99, "1-102")
    assert e.value.kind == "not_found"
