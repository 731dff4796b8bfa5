//! No silent defaults (issue 14 §6): where a user would expect a refusal, a command that leaves
//! something out is refused, never completed with a default it may not have meant.
//!
//! - `SetAvailability` names what it sets ([`Availability`]): a command without it does not
//!   decode, so a leave is never cleared by a missing field; clearing it is `"Always"`, said.
//! - A secondary contact under a policy whose release waits on their close contact is refused
//!   ([`CaseError::LinkUnstated`]) unless the command names the close contact's case or says
//!   there is none ([`Link::Unlinked`]).
//! - A policy or scheme in a command gives every field (`source`, `counting`,
//!   `checks_per_day`, `fever`, `release`, `ending`; a scheme's `source`); the same value read
//!   from a format-5 event log or snapshot still takes the documented defaults, so that what
//!   hosts have stored keeps reading.

use chrono::NaiveDate;
use serde_json::{Value, json};
use wangge::duty::{Availability, Qualification, Qualifications, Scheme, Staff};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord};
use wangge::quarantine::{CaseError, Category, Link, Policy};
use wangge::{CaseId, Command, Error, Event, PersonId, PolicyId, Registry, Snapshot, StaffId};

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date")
}

/// A sub-district with one household of three persons, the close and secondary contacts'
/// policies (0 and 1), and one staff member available until 11 February.
fn registry() -> Registry {
    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area)).expect("a root");
    let root = reg.root();
    let h = reg
        .apply(Command::AddHousehold { unit: root, door: DoorLabel::new("1-101").expect("a door") })
        .expect("added")[0]
        .new_household()
        .expect("a household");
    for _ in 0..3 {
        let record = PersonRecord::new();
        let state = wangge::colour::PersonState::well(feb(1));
        reg.apply(Command::RegisterPerson { household: h, record, state }).expect("registered");
    }
    reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed9_close_contact() }).expect("adopted");
    reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed9_secondary_contact() }).expect("adopted");
    let staff = Staff::new(Name::new("民警").expect("a name"), Qualifications::only(Qualification::Police), root, 2)
        .expect("a member");
    reg.apply(Command::AddStaff { staff }).expect("added");
    reg.apply(Command::SetAvailability { staff: StaffId::new(0), availability: Availability::Until(feb(11)) })
        .expect("set");
    reg
}

fn command(json: Value) -> Result<Command, serde_json::Error> {
    serde_json::from_value(json)
}

#[test]
fn set_availability_without_dates_does_not_decode_and_clearing_a_leave_is_said() {
    let mut reg = registry();
    let member = |reg: &Registry| reg.staff_member(StaffId::new(0)).expect("a member").clone();
    assert_eq!(member(&reg).available_until(), Some(feb(11)));
    // The shape of format 5's command, dates left out: once "always available", now refused.
    for body in
        [json!({"staff": 0}), json!({"staff": 0, "from": null, "until": null}), json!({"staff": 0, "until": null})]
    {
        let err = command(json!({ "SetAvailability": body })).expect_err("refused");
        assert!(err.to_string().contains("availability") || err.to_string().contains("unknown field"), "{err}");
    }
    // An availability that is not one of the four is refused too.
    assert!(command(json!({"SetAvailability": {"staff": 0, "availability": null}})).is_err());
    assert!(
        command(json!({"SetAvailability": {"staff": 0, "availability": {"Between": {"from": "2020-02-01"}}}})).is_err()
    );
    // Each variant reads, and does what it says.
    let cases = [
        (json!("Always"), (None, None)),
        (json!({"From": "2020-02-03"}), (Some(feb(3)), None)),
        (json!({"Until": "2020-02-20"}), (None, Some(feb(20)))),
        (json!({"Between": {"from": "2020-02-03", "until": "2020-02-20"}}), (Some(feb(3)), Some(feb(20)))),
    ];
    for (availability, (from, until)) in cases {
        let c = command(json!({"SetAvailability": {"staff": 0, "availability": availability}})).expect("decodes");
        let events = reg.apply(c.clone()).expect("applied");
        assert_eq!(events, [Event::AvailabilitySet { staff: StaffId::new(0), from, until }]);
        assert_eq!((member(&reg).available_from(), member(&reg).available_until()), (from, until));
        // A command round-trips through its JSON.
        assert_eq!(command(serde_json::to_value(&c).expect("serialised")).expect("decodes"), c);
    }
    // A reversed period is refused when applied, with the registry unchanged.
    let before = reg.clone();
    let reversed = Availability::Between { from: feb(20), until: feb(3) };
    assert!(reg.apply(Command::SetAvailability { staff: StaffId::new(0), availability: reversed }).is_err());
    assert!(reg == before);
    // Format 5's event, which holds both bounds (null for none), reads as before.
    let event: Event =
        serde_json::from_value(json!({"AvailabilitySet": {"staff": 0, "from": null, "until": "2020-02-20"}}))
            .expect("read");
    assert_eq!(event, Event::AvailabilitySet { staff: StaffId::new(0), from: None, until: Some(feb(20)) });
}

#[test]
fn a_secondary_contact_under_a_linked_release_says_whom_they_follow() {
    let mut reg = registry();
    // Cases start on the business date.
    reg.apply(Command::OpenDay { today: feb(2) }).expect("a day opened");
    let (close_policy, secondary_policy) = (PolicyId::new(0), PolicyId::new(1));
    let start = |person: u32, policy, category, linked| Command::StartCase {
        person: PersonId::new(person),
        policy,
        category,
        anchor: feb(1),
        on: feb(2),
        linked,
    };
    let close = reg.apply(start(0, close_policy, Category::CloseContact, None)).expect("a close contact")[0]
        .new_case()
        .expect("a case");
    // Nothing said: refused, typed, naming the person and the policy; nothing changed.
    let before = reg.clone();
    let err = reg.apply(start(1, secondary_policy, Category::SecondaryContact, None)).expect_err("refused");
    assert_eq!(err, Error::Case(CaseError::LinkUnstated { person: PersonId::new(1), policy: secondary_policy }));
    assert!(err.to_string().contains("say explicitly that there is none"), "{err}");
    assert!(reg == before);
    // The same from JSON with `linked` left out.
    let json = json!({"StartCase": {"person": 1, "policy": 1, "category": "SecondaryContact", "anchor": "2020-02-01", "on": "2020-02-02"}});
    assert_eq!(reg.apply(command(json).expect("decodes")), Err(err));
    // Linked, or explicitly not: both accepted, and the event records which.
    let linked =
        reg.apply(start(1, secondary_policy, Category::SecondaryContact, Some(Link::Case(close)))).expect("linked");
    assert!(matches!(linked[0], Event::CaseStarted { linked: Some(c), .. } if c == close));
    let json = json!({"StartCase": {"person": 2, "policy": 1, "category": "SecondaryContact", "anchor": "2020-02-01", "on": "2020-02-02", "linked": "Unlinked"}});
    let unlinked = reg.apply(command(json).expect("decodes")).expect("explicitly unlinked");
    assert!(matches!(unlinked[0], Event::CaseStarted { linked: None, .. }));
    assert_eq!(reg.case(CaseId::new(2)).expect("a case").linked(), None);
    // A close contact needs to say nothing.
    let json = json!({"StartCase": {"person": 0, "policy": 0, "category": "CloseContact", "anchor": "2020-02-01", "on": "2020-02-02"}});
    assert!(matches!(command(json).expect("decodes"), Command::StartCase { linked: None, .. }));
}

/// Remove `field` from the object at `path` of `value`.
fn without(mut value: Value, path: &[&str], field: &str) -> Value {
    let mut at = &mut value;
    for p in path {
        at = &mut at[*p];
    }
    at.as_object_mut().expect("an object").remove(field).expect("the field was there");
    value
}

#[test]
fn a_policy_or_scheme_in_a_command_gives_every_field_while_format_5_records_still_read() {
    let policy = Policy::cn_ed9_secondary_contact();
    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).expect("a level");
    let scheme = Scheme::six_cover_one(lv("社区"), lv("街道"), None).expect("a scheme");
    let adopt_policy = json!({"AdoptPolicy": {"policy": serde_json::to_value(&policy).expect("serialised")}});
    let adopt_scheme = json!({"AdoptScheme": {"scheme": serde_json::to_value(&scheme).expect("serialised")}});
    let policy_event =
        json!({"PolicyAdopted": {"policy": 0, "spec": serde_json::to_value(&policy).expect("serialised")}});
    let scheme_event =
        json!({"SchemeAdopted": {"scheme": 0, "spec": serde_json::to_value(&scheme).expect("serialised")}});
    // Whole, each reads.
    assert_eq!(command(adopt_policy.clone()).expect("decodes"), Command::AdoptPolicy { policy: policy.clone() });
    assert_eq!(command(adopt_scheme.clone()).expect("decodes"), Command::AdoptScheme { scheme: scheme.clone() });
    for field in ["source", "counting", "checks_per_day", "fever", "release", "ending"] {
        // A command without it is refused, naming it ...
        let err = command(without(adopt_policy.clone(), &["AdoptPolicy", "policy"], field)).expect_err("refused");
        assert!(err.to_string().contains(&format!("missing field `{field}`")), "{field}: {err}");
        // ... while a format-5 event without it reads, with the documented default.
        let event: Event =
            serde_json::from_value(without(policy_event.clone(), &["PolicyAdopted", "spec"], field)).expect("read");
        let Event::PolicyAdopted { spec, .. } = event else { panic!("a policy adopted") };
        assert_eq!(spec.name(), policy.name());
        let alone: Policy =
            serde_json::from_value(without(serde_json::to_value(&policy).expect("serialised"), &[], field))
                .expect("read");
        assert_eq!(alone, spec);
    }
    // `linked` may be left out of a command: absent is the written form of "no linked release".
    let close = serde_json::to_value(Policy::cn_ed9_close_contact()).expect("serialised");
    assert!(close.get("linked").is_none());
    assert!(command(json!({"AdoptPolicy": {"policy": close}})).is_ok());
    // A scheme's source likewise; its load limit may be left out.
    let err = command(without(adopt_scheme.clone(), &["AdoptScheme", "scheme"], "source")).expect_err("refused");
    assert!(err.to_string().contains("missing field `source`"), "{err}");
    let event: Event =
        serde_json::from_value(without(scheme_event, &["SchemeAdopted", "spec"], "source")).expect("read");
    assert!(matches!(event, Event::SchemeAdopted { spec, .. } if spec.source().is_empty()));
    // An unknown field is refused in both.
    let mut extra = adopt_policy.clone();
    extra["AdoptPolicy"]["policy"]["colour"] = json!("Red");
    assert!(command(extra).is_err());
    // The checks still run: a command with every field but a bad one is refused by them.
    let mut bad = adopt_policy;
    bad["AdoptPolicy"]["policy"]["checks_per_day"] = json!(0);
    assert!(command(bad).is_err());
    // A snapshot of format 5 whose policies and schemes lack the defaulted fields still loads.
    let mut reg = registry();
    reg.apply(Command::AdoptScheme { scheme }).expect("adopted");
    let mut snapshot = serde_json::to_value(reg.snapshot()).expect("serialised");
    for p in snapshot["policies"].as_array_mut().expect("policies") {
        for field in ["source", "counting", "checks_per_day", "fever", "release", "ending"] {
            p.as_object_mut().expect("an object").remove(field);
        }
    }
    snapshot["schemes"][0].as_object_mut().expect("an object").remove("source");
    let loaded = Registry::from_snapshot(serde_json::from_value::<Snapshot>(snapshot).expect("read")).expect("loaded");
    assert_eq!(loaded.policies().count(), 2);
}
