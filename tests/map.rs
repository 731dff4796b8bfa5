//! The courtyard map 院区疫情防控平面图 of No. 3 Courtyard on 15 February 2020: two buildings,
//! every colour and every symbol, rendered as SVG and as text.
//!
//! The renders are compared byte for byte with `tests/golden/courtyard.svg` and
//! `tests/golden/courtyard.txt`. After an intended change to the rendering, bless the new
//! output with
//!
//! ```text
//! WANGGE_BLESS=1 cargo test --test map
//! ```
//!
//! which writes the golden files instead of comparing, then review their diff before
//! committing.

use std::path::PathBuf;

use chrono::NaiveDate;
use wangge::colour::{Colour, ColourMap, MapBlock, MapHousehold, Symbol};
use wangge::people::{DoorLabel, Marker, Markers};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 15).expect("a real date")
}

fn household(door: &str, colour: Colour, markers: &[Marker]) -> MapHousehold {
    let door = DoorLabel::new(door).expect("a valid door label");
    MapHousehold::new(door, colour, markers.iter().copied().collect::<Markers>())
}

/// No. 3 Courtyard: building 1 with six households, building 2 with four.
fn courtyard() -> ColourMap {
    use Colour::*;
    use Marker::*;
    let mut map = ColourMap::new("3号院 No. 3 Courtyard", date());

    let mut one = MapBlock::new("1号楼 Building 1");
    // A close contact lives with an elderly relative who would otherwise be alone.
    one.push(household("1-101", Red, &[ElderlyLivingAlone]));
    // The building head, a party member.
    one.push(household("1-102", Green, &[PartyMember, BuildingHead]));
    // Back from Wuhan, isolating at home.
    one.push(household("1-201", Orange, &[]));
    one.push(household("1-202", Green, &[PartyMember]));
    // Away for the Spring Festival: nobody at home.
    one.push(household("1-301", White, &[]));
    one.push(household("1-302", Yellow, &[LowIncome, PartyMember]));
    map.push(one);

    let mut two = MapBlock::new("2号楼 Building 2");
    two.push(household("2-101", Yellow, &[]));
    // The party group leader; an empty-nest elderly earns no symbol.
    two.push(household("2-102", Green, &[PartyGroupLeader, EmptyNestElderly]));
    two.push(household("2-201", Green, &[]));
    two.push(household("2-202", White, &[]));
    map.push(two);
    map
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden").join(name)
}

/// Compare `actual` with the golden file `name`, or write it when `WANGGE_BLESS=1`.
fn check_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var_os("WANGGE_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a golden file has a folder")).expect("create tests/golden");
        std::fs::write(&path, actual).expect("write the golden file");
        return;
    }
    let bless = "if the change is intended, run `WANGGE_BLESS=1 cargo test --test map` and review the diff";
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}; {bless}", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(e, a)| e != a);
        let at = line.map_or_else(
            || {
                format!(
                    "the line counts differ ({} golden, {} rendered)",
                    expected.lines().count(),
                    actual.lines().count()
                )
            },
            |i| {
                format!(
                    "first difference at line {}:\n  golden:   {}\n  rendered: {}",
                    i + 1,
                    expected.lines().nth(i).unwrap_or_default(),
                    actual.lines().nth(i).unwrap_or_default()
                )
            },
        );
        panic!("the render differs from {}; {at}\n{bless}", path.display());
    }
}

#[test]
fn the_courtyard_map_matches_its_golden_files() {
    let map = courtyard();
    // The scenario covers every colour and every symbol.
    for colour in Colour::BY_SEVERITY {
        assert!(map.households(colour) > 0, "no {colour} household");
    }
    let cells: Vec<&MapHousehold> = map.blocks().iter().flat_map(|b| b.households()).collect();
    for symbol in Symbol::ALL {
        assert!(cells.iter().any(|h| h.symbols().any(|s| s == symbol)), "no {symbol}");
    }
    assert_eq!((map.households(Colour::Green), map.total_households()), (4, 10));

    check_golden("courtyard.svg", &map.to_svg());
    check_golden("courtyard.txt", &map.to_text());
}

#[test]
fn the_svg_is_xml_with_one_cell_per_household_in_its_colour() {
    let map = courtyard();
    let svg = map.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG parses as XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some(SVG_NS));
    let width: u32 = root.attribute("width").and_then(|w| w.parse().ok()).expect("an integer width");
    let height: u32 = root.attribute("height").and_then(|h| h.parse().ok()).expect("an integer height");
    assert_eq!(root.attribute("viewBox"), Some(format!("0 0 {width} {height}").as_str()));
    assert!(root.attribute("font-family").is_some_and(|f| f.contains("Noto Sans CJK SC")));

    let cells: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "rect")))
        .filter(|n| n.has_attribute("data-door"))
        .collect();
    let households: Vec<&MapHousehold> = map.blocks().iter().flat_map(|b| b.households()).collect();
    assert_eq!(cells.len(), households.len());
    for h in households {
        let door = h.door().as_str();
        let mine: Vec<_> = cells.iter().filter(|c| c.attribute("data-door") == Some(door)).collect();
        assert_eq!(mine.len(), 1, "one cell for {door}");
        let cell = mine[0];
        assert_eq!(cell.attribute("fill"), Some(h.colour().hex()), "{door}");
        assert_eq!(cell.attribute("data-colour"), Some(h.colour().label_en()), "{door}");
        // The cell's group has a hover title naming the door, and shows the door label.
        let group = cell.parent_element().expect("a cell sits in its household's group");
        let title = group.children().find(|n| n.has_tag_name((SVG_NS, "title"))).and_then(|t| t.text());
        assert!(title.is_some_and(|t| t.starts_with(&format!("{door}: {}", h.colour().label_zh()))), "{door}");
        let label = group.children().find(|n| n.has_tag_name((SVG_NS, "text"))).and_then(|t| t.text());
        assert_eq!(label, Some(door));
        // One badge per symbol the household earns.
        let badges =
            group.children().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("symbol "))).count();
        assert_eq!(badges, h.symbols().count(), "{door}");
    }
    // The legend lists all five colours and three symbols, in both languages.
    let texts: Vec<&str> =
        doc.descendants().filter_map(|n| if n.has_tag_name((SVG_NS, "text")) { n.text() } else { None }).collect();
    for colour in Colour::BY_SEVERITY {
        assert!(texts.iter().any(|t| t.contains(colour.class_zh()) && t.contains(colour.class_en())));
    }
    for symbol in Symbol::ALL {
        assert!(texts.iter().any(|t| t.starts_with(&format!("{} {}", symbol.label_zh(), symbol.label_en()))));
    }
    assert!(texts.contains(&"3号院 No. 3 Courtyard"));
    assert!(texts.iter().any(|t| t.contains("2020-02-15")));
}

#[test]
fn markup_characters_in_outside_text_round_trip_through_the_parser() {
    let title = r#"<&>"' 院 & <script>"#;
    let door = r#"1<&>"'"#;
    let block = r#"楼 "A" & 'B' </g>"#;
    let mut map = ColourMap::new(title, date());
    let mut b = MapBlock::new(block);
    b.push(household(door, Colour::Orange, &[Marker::LowIncome]));
    map.push(b);
    let svg = map.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG parses as XML");
    let root = doc.root_element();
    let first_title = root.children().find(|n| n.has_tag_name((SVG_NS, "title"))).and_then(|t| t.text());
    assert_eq!(first_title, Some(format!("{title} 2020-02-15").as_str()));
    let texts: Vec<&str> =
        doc.descendants().filter_map(|n| if n.has_tag_name((SVG_NS, "text")) { n.text() } else { None }).collect();
    assert_eq!(texts[0], title);
    assert!(texts.contains(&block) && texts.contains(&door));
    let cell = doc.descendants().find(|n| n.has_attribute("data-door")).expect("a cell");
    assert_eq!(cell.attribute("data-door"), Some(door));
    assert!(doc.descendants().all(|n| !n.has_tag_name("script")));
}

#[test]
fn empty_maps_and_blocks_are_valid_svg() {
    let empty = ColourMap::new("空院 Empty courtyard", date());
    let mut with_empty_block = empty.clone();
    with_empty_block.push(MapBlock::new("3号楼 Building 3"));
    for map in [empty, with_empty_block] {
        let svg = map.to_svg();
        let doc = roxmltree::Document::parse(&svg).expect("the SVG parses as XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert_eq!(doc.descendants().filter(|n| n.has_attribute("data-door")).count(), 0);
        assert!(map.to_text().contains("共 total 0"));
    }
}

#[test]
fn two_renders_of_the_same_map_are_byte_equal() {
    let a = courtyard();
    let b = courtyard();
    assert_eq!(a.to_svg().as_bytes(), b.to_svg().as_bytes());
    assert_eq!(a.to_svg().as_bytes(), a.to_svg().as_bytes());
    assert_eq!(a.to_text().as_bytes(), b.to_text().as_bytes());
    assert_eq!(a.to_ansi().as_bytes(), b.to_ansi().as_bytes());
    // A map that went through serde renders the same bytes too.
    let json = serde_json::to_string(&a).expect("serialise");
    let back: ColourMap = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back.to_svg(), a.to_svg());
}

/// Issue 16 §5: the registry's map says why each household is held and marks centralised
/// isolation apart from the colour. A close contact moved to a site is red and marked; an
/// arrival from elsewhere at home is yellow, unmarked.
#[test]
fn the_registrys_map_carries_reasons_and_marks_centralised_isolation() {
    use wangge::colour::{Measure, PersonState, Standing, State};
    use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    use wangge::people::PersonRecord;
    use wangge::{Command, Registry};

    let levels = LevelScheme::zhengzhou();
    let street = levels.level("街道").expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", street, UnitKind::Area)).expect("a registry");
    let person = |reg: &mut Registry, door: &str, state: State| {
        let door = DoorLabel::new(door).expect("a door");
        let household = reg.apply(Command::AddHousehold { unit: reg.root(), door }).expect("added")[0]
            .new_household()
            .expect("one");
        let state = PersonState::new(state, date());
        reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state }).expect("registered")[0]
            .new_person()
            .expect("one")
    };
    let contact = person(&mut reg, "1-101", State::CloseContact);
    person(&mut reg, "1-102", State::HomeIsolationElsewhere);
    reg.apply(Command::SetMeasure { person: contact, measure: Measure::CentralisedIsolation, on: date() })
        .expect("moved");

    let map = reg.map(reg.root(), date()).expect("a map");
    let cells: Vec<&MapHousehold> = map.blocks().iter().flat_map(|b| b.households()).collect();
    // Put at a site by `SetMeasure`, the close contact stays a close contact: the map says why
    // (red) and where (the centralised mark).
    let at_site = Standing::new(State::CloseContact, Measure::CentralisedIsolation).expect("a standing");
    assert_eq!(cells[0].standings(), [at_site]);
    assert_eq!(cells[0].colour(), Colour::Red);
    let home = Standing::new(State::HomeIsolationElsewhere, Measure::HomeIsolation).expect("a standing");
    assert_eq!((cells[1].standings(), cells[1].colour()), (&[home][..], Colour::Yellow));
    let text = map.to_text();
    assert!(text.contains("[R 1-101    C] [Y 1-102     ]"), "{text}");
}
