//! The snapshot encoding: every snapshot and each of its parts survives it unchanged, the
//! header refuses what is not a whole snapshot of a known encoding, and a snapshot of the
//! older format 5 (the golden file) is read and upgraded.

mod support;

use std::fmt::Debug;

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wangge::people::{Name, PersonRecord, Phone};
use wangge::registry::FORMAT_VERSION;
use wangge::{Registry, Snapshot};
use wangge_store::CodecError;
use wangge_store::codec::{self, HEADER_LEN, Header};

/// `value` through MessagePack with named fields, as the codec writes every part.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let bytes = rmp_serde::to_vec_named(value).expect("every part encodes");
    let back: T = rmp_serde::from_slice(&bytes).unwrap_or_else(|e| panic!("{value:?} does not decode: {e}"));
    assert_eq!(&back, value);
}

/// A registry driven by `ops`.
fn registry(ops: &[support::Op]) -> Registry {
    let mut reg = support::founded();
    support::drive(&mut reg, ops);
    reg
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        // Failures kept beside the crate and replayed first on the next run.
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct("proptest-regressions/codec.txt"))),
        ..ProptestConfig::default()
    })]

    /// Every snapshot survives the codec: the header names its format and head, the body
    /// decodes to an equal snapshot that loads to an equal registry, the registry written
    /// directly gives the same bytes as its snapshot, and each part alone survives too.
    #[test]
    fn every_snapshot_and_each_part_round_trips(ops in prop::collection::vec(support::op(), 0..120)) {
        let reg = registry(&ops);
        let snapshot = reg.snapshot();
        let bytes = codec::snapshot_to_bytes(&snapshot).expect("encodes");
        let (header, back) = codec::read_snapshot(&bytes).expect("decodes");
        prop_assert_eq!(header.format, FORMAT_VERSION);
        prop_assert_eq!(header.head, reg.head());
        prop_assert_eq!(header.body_len as usize, bytes.len() - HEADER_LEN);
        prop_assert_eq!(&back, &snapshot);
        prop_assert!(Registry::from_snapshot(back).expect("loads") == reg);

        let mut direct = std::io::Cursor::new(Vec::new());
        codec::write_registry(&reg, &mut direct).expect("encodes");
        prop_assert_eq!(direct.into_inner(), bytes);

        round_trip(&snapshot.root);
        round_trip(&snapshot.tree);
        round_trip(&snapshot.overlays);
        round_trip(&snapshot.population);
        round_trip(&snapshot.colour_rule);
        round_trip(&snapshot.states);
        round_trip(&snapshot.policies);
        round_trip(&snapshot.cases);
        round_trip(&snapshot.staff);
        round_trip(&snapshot.schemes);
        round_trip(&snapshot.rosters);
        round_trip(&snapshot.head);
        round_trip(&snapshot.requests);
        for (_, person) in reg.population().persons() {
            round_trip(&person.record());
        }
    }

    /// Any single byte changed anywhere in a snapshot is refused with a typed error (the
    /// magic, the encoding, the format or head against the body's, the length, or the body's
    /// checksum), never loaded.
    #[test]
    fn a_changed_byte_is_refused(ops in prop::collection::vec(support::op(), 0..40), at in any::<prop::sample::Index>(), xor in 1u8..) {
        let reg = registry(&ops);
        let mut bytes = codec::snapshot_to_bytes(&reg.snapshot()).expect("encodes");
        let at = at.index(bytes.len());
        bytes[at] ^= xor;
        prop_assert!(codec::read_snapshot(&bytes).is_err(), "byte {} changed and the snapshot still read", at);
    }
}

/// Why not a positional format: a person with a phone and no name shifts the fields of
/// `PersonRecord` in positional MessagePack, and it does not read back; named fields do.
#[test]
fn positional_messagepack_breaks_on_skipped_fields_and_named_does_not() {
    let record = PersonRecord::new().with_phone(Phone::new("13800000000").expect("valid"));
    let positional = rmp_serde::to_vec(&record).expect("encodes");
    let read: Result<PersonRecord, _> = rmp_serde::from_slice(&positional);
    assert!(read.map_or(true, |r| r != record), "positional MessagePack kept a record with a skipped field");
    round_trip(&record);
    round_trip(&PersonRecord::new().with_name(Name::new("王").expect("valid")));
}

#[test]
fn the_header_refuses_what_is_not_a_whole_snapshot_of_a_known_encoding() {
    let reg = registry(&support::ops_from_seed(7, 60));
    let bytes = codec::snapshot_to_bytes(&reg.snapshot()).expect("encodes");

    let mut foreign = bytes.clone();
    foreign[1] = b'X';
    assert!(matches!(codec::read_snapshot(&foreign), Err(CodecError::Magic)));
    assert!(matches!(codec::read_snapshot(b"{\"format\":6}"), Err(CodecError::Magic)));

    assert!(matches!(codec::read_snapshot(&bytes[..40]), Err(CodecError::Truncated { .. })));
    assert!(matches!(codec::read_snapshot(&bytes[..bytes.len() - 1]), Err(CodecError::Truncated { .. })));

    let mut newer = bytes.clone();
    newer[8..10].copy_from_slice(&(codec::ENCODING + 1).to_le_bytes());
    assert!(matches!(
        codec::read_snapshot(&newer),
        Err(CodecError::UnsupportedEncoding { found, supported }) if found == codec::ENCODING + 1 && supported == codec::ENCODING
    ));

    let mut torn = bytes.clone();
    let last = torn.len() - 1;
    torn[last] ^= 0x40;
    assert!(matches!(codec::read_snapshot(&torn), Err(CodecError::Checksum)));

    let mut elsewhere = bytes.clone();
    elsewhere[14] ^= 1;
    assert!(matches!(codec::read_snapshot(&elsewhere), Err(CodecError::HeadMismatch { .. })));

    let header = Header::from_bytes(&bytes).expect("a header");
    assert_eq!(Header::from_bytes(&header.to_bytes()).expect("a header"), header);
}

/// A newer store reads older files: the golden format-5 snapshot, written in this encoding
/// with format 5 in its header, is read and upgraded by the core exactly as its JSON is.
#[test]
fn a_format_5_snapshot_in_this_encoding_is_upgraded() {
    let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/snapshot_v5.json"))
        .expect("the golden file");
    let from_json = Registry::from_snapshot(serde_json::from_str::<Snapshot>(&json).expect("reads")).expect("loads");
    // The body as a format-5 writer wrote it: the JSON's fields, format first.
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let mut body = rmp_serde::to_vec_named(&FormatFirst(&value)).expect("encodes");
    let header = Header {
        encoding: 1,
        format: 5,
        head: wangge::registry::Head { position: 0, digest: wangge::registry::Digest::GENESIS },
        body_len: body.len() as u64,
        body_sha256: {
            use sha2::Digest as _;
            sha2::Sha256::digest(&body).into()
        },
    };
    let mut bytes = header.to_bytes().to_vec();
    bytes.append(&mut body);
    let (read_header, snapshot) = codec::read_snapshot(&bytes).expect("format 5 decodes");
    assert_eq!(read_header.format, 5);
    assert_eq!(snapshot.format, 5);
    let upgraded = Registry::from_snapshot(snapshot).expect("format 5 is upgraded");
    assert!(upgraded == from_json);
}

/// A JSON object written with its `format` first, as the crate's writers order it.
struct FormatFirst<'a>(&'a serde_json::Value);

impl Serialize for FormatFirst<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let serde_json::Value::Object(map) = self.0 else {
            return self.0.serialize(s);
        };
        let mut out = s.serialize_map(Some(map.len()))?;
        if let Some(format) = map.get("format") {
            out.serialize_entry("format", format)?;
        }
        for (k, v) in map.iter().filter(|(k, _)| *k != "format") {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }
}

/// The operations reach every part of a snapshot, so the round trip above covers them all.
#[test]
fn the_generator_reaches_every_part_of_a_snapshot() {
    let reg = registry(&support::ops_from_seed(11, 1_500));
    let s = reg.snapshot();
    let records: Vec<PersonRecord> = reg.population().persons().map(|(_, p)| p.record()).collect();
    let counts = [
        ("units", reg.tree().len()),
        ("overlays", reg.overlays().ids().count()),
        ("persons", records.len()),
        ("with identity numbers", records.iter().filter(|r| r.resident_id().is_some()).count()),
        ("with passports", records.iter().filter(|r| r.passport().is_some()).count()),
        ("with names", records.iter().filter(|r| r.name().is_some()).count()),
        ("with phones", records.iter().filter(|r| r.phone().is_some()).count()),
        ("with markers", records.iter().filter(|r| !r.markers().is_empty()).count()),
        (
            "without a name but with a phone",
            records.iter().filter(|r| r.name().is_none() && r.phone().is_some()).count(),
        ),
        ("policies", s.policies.len()),
        ("cases", s.cases.len()),
        ("staff", s.staff.len()),
        ("schemes", s.schemes.len()),
        ("assignments", s.rosters.iter().map(Vec::len).sum()),
        ("requests", s.requests.len()),
    ];
    for (what, n) in counts {
        assert!(n > 0, "no {what} in {counts:?}");
    }
    assert_eq!(reg.business_date(), s.business_date);
    assert!(s.business_date > Some(support::start()), "days opened after the first");
    assert!(reg.cases().any(|(_, c)| c.linked().is_some()), "a secondary contact linked to a case");
    // The commands that leave no trace of their own in a snapshot are reached too: errata
    // (the corrected records), back-dated records, availability changed later.
    let kinds = support::event_kinds(&mut support::founded(), &support::ops_from_seed(11, 1_500));
    for kind in ["DayOpened", "CheckCorrected", "TestCorrected", "AvailabilitySet", "CaseConverted", "CaseFlagged"] {
        assert!(kinds.get(kind).copied().unwrap_or(0) > 0, "no {kind} in {kinds:?}");
    }
    let bytes = codec::snapshot_to_bytes(&s).expect("encodes");
    assert_eq!(codec::read_snapshot(&bytes).expect("decodes").1, s);
}

/// Encoding 1 is read forever: the golden snapshot below was written by the encoding-1 codec
/// (MessagePack with named fields, commit 965a53d) from `support::ops_from_seed(11, 1_200)`,
/// beside its JSON. It reads to the JSON's snapshot, which loads.
#[test]
fn the_golden_encoding_1_snapshot_reads_as_its_json() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
    let bytes = std::fs::read(format!("{dir}/snapshot_encoding_1.wgsnap")).expect("the golden file");
    let json = std::fs::read_to_string(format!("{dir}/snapshot_encoding_1.json")).expect("the golden file");
    let (header, snapshot) = codec::read_snapshot(&bytes).expect("encoding 1 decodes");
    assert_eq!(header.encoding, 1);
    assert_eq!(header.format, snapshot.format);
    let from_json: Snapshot = serde_json::from_str(&json).expect("reads");
    assert_eq!(snapshot, from_json);
    assert!(!snapshot.population.persons.is_empty() && !snapshot.staff.is_empty() && !snapshot.schemes.is_empty());
    assert!(Registry::from_snapshot(snapshot).expect("loads") == Registry::from_snapshot(from_json).expect("loads"));
}
