//! The courtyard map 院区疫情防控平面图 (seed 003): the plan posted at a courtyard's gate, each
//! household a cell in its colour, marked with symbols for its party members, its building
//! heads and the households that need care; rendered as SVG, plain text or ANSI text.
//!
//! Design notes:
//! - The map carries no personal data: a household is its door label, its colour, the union
//!   of its members' [`Markers`] and the set of their [`Standing`]s (why they are held and
//!   where, issue 16 §5: the map says why, not only how red). Names, phones and identity
//!   numbers cannot reach it.
//! - The measure is shown apart from the colour: a household with a member under
//!   centralised isolation 集中隔离 carries a mark (`C` in text, a "集" badge in SVG), whatever
//!   its colour; a map on which nobody is at a site is laid out as before.
//! - Rendering is deterministic: the same map gives the same bytes. Coordinates are integers,
//!   blocks and households keep the order they were pushed in, nothing iterates a hash map.
//! - Rendering cannot fail and does not panic. Text from outside (the title, block names, door
//!   labels) is XML-escaped in SVG, and control characters, which XML cannot hold and which
//!   would steer a terminal, are replaced: tab and line breaks by a space, the rest by U+FFFD.
//! - The size of an SVG is estimated from its texts (a CJK character as wide as the font is
//!   high, any other three fifths of that), so the picture grows with its content.

use std::fmt::{self, Write as _};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Colour, Measure, Standing, State};
use crate::people::{DoorLabel, Marker, Markers};

/// A symbol drawn on a household's cell of the courtyard map 院区疫情防控平面图.
///
/// | symbol | drawn for |
/// |---|---|
/// | party flag 党旗 | a party member 党员 |
/// | star 星星 | a building head 楼栋长 or a party group leader 党小组长 |
/// | red heart 红心 | a low-income household 低保户 or an elderly person living alone 孤寡老人 |
///
/// # Example
/// ```
/// use wangge::colour::Symbol;
/// use wangge::people::{Marker, Markers};
/// let markers = Markers::new().with(Marker::ElderlyLivingAlone).with(Marker::PartyMember);
/// assert_eq!(Symbol::of(markers).collect::<Vec<_>>(), [Symbol::Flag, Symbol::Heart]);
/// assert_eq!(Symbol::Heart.label_zh(), "红心");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Symbol {
    /// The party flag 党旗: a party member lives here.
    Flag,
    /// The star 星星: a building head or a party group leader lives here.
    Star,
    /// The red heart 红心: a low-income household, or an elderly person living alone.
    Heart,
}

impl Symbol {
    /// Every symbol, in the order a cell and the legend show them.
    pub const ALL: [Symbol; 3] = [Symbol::Flag, Symbol::Star, Symbol::Heart];

    /// The Chinese name: 党旗, 星星, 红心.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Symbol::Flag => "党旗",
            Symbol::Star => "星星",
            Symbol::Heart => "红心",
        }
    }

    /// The English name: party flag, star, red heart.
    pub const fn label_en(self) -> &'static str {
        match self {
            Symbol::Flag => "party flag",
            Symbol::Star => "star",
            Symbol::Heart => "red heart",
        }
    }

    /// One ASCII character for plain text: `F` (flag), `*` (star), `H` (heart).
    pub const fn letter(self) -> char {
        match self {
            Symbol::Flag => 'F',
            Symbol::Star => '*',
            Symbol::Heart => 'H',
        }
    }

    /// The markers the symbol stands for: any one of them earns it.
    pub const fn means(self) -> &'static [Marker] {
        match self {
            Symbol::Flag => &[Marker::PartyMember],
            Symbol::Star => &[Marker::BuildingHead, Marker::PartyGroupLeader],
            Symbol::Heart => &[Marker::LowIncome, Marker::ElderlyLivingAlone],
        }
    }

    /// Whether a set of markers earns the symbol: whether it holds any marker of
    /// [`Symbol::means`].
    pub fn earned_by(self, markers: Markers) -> bool {
        self.means().iter().any(|&m| markers.contains(m))
    }

    /// The symbols a set of markers earns, in [`Symbol::ALL`] order, each once. Markers that
    /// no symbol stands for (empty-nest elderly 空巢老人 ...) earn none.
    pub fn of(markers: Markers) -> impl Iterator<Item = Symbol> + Clone {
        Symbol::ALL.into_iter().filter(move |s| s.earned_by(markers))
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// One household 户 on the map: its door, its colour, the union of its members' markers and
/// the distinct standings of its members (reason and measure). No personal data.
///
/// Serialised with `standings` left out when empty.
///
/// # Example
/// ```
/// use wangge::colour::{Colour, MapHousehold, Measure, Standing, State};
/// use wangge::people::{DoorLabel, Markers};
///
/// let at_site = Standing::new(State::HomeIsolationElsewhere, Measure::CentralisedIsolation)?;
/// let h = MapHousehold::new(DoorLabel::new("1-101")?, Colour::Yellow, Markers::new())
///     .with_standings([Standing::WELL, at_site, Standing::WELL]);
/// assert_eq!(h.standings(), [Standing::WELL, at_site]);
/// assert!(h.under(Measure::CentralisedIsolation)); // yellow, and one of them at a site
/// assert_eq!(h.reasons().collect::<Vec<_>>(), [State::Well, State::HomeIsolationElsewhere]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapHousehold {
    door: DoorLabel,
    colour: Colour,
    markers: Markers,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    standings: Vec<Standing>,
}

impl MapHousehold {
    /// A household with its door label 门牌, its colour and its members' markers.
    pub fn new(door: DoorLabel, colour: Colour, markers: Markers) -> Self {
        MapHousehold { door, colour, markers, standings: Vec::new() }
    }

    /// This household with its members' standings: kept once each, in order (by reason,
    /// then measure).
    #[must_use]
    pub fn with_standings(mut self, standings: impl IntoIterator<Item = Standing>) -> Self {
        self.standings = standings.into_iter().collect();
        self.standings.sort_unstable();
        self.standings.dedup();
        self
    }

    /// The distinct standings of its members, by reason then measure (empty when not given).
    pub fn standings(&self) -> &[Standing] {
        &self.standings
    }

    /// The distinct reasons of its members, in [`State::ALL`] order.
    pub fn reasons(&self) -> impl Iterator<Item = State> + '_ {
        let mut last = None;
        self.standings.iter().map(|s| s.reason()).filter(move |&r| last.replace(r) != Some(r))
    }

    /// Whether a member is under `measure`.
    pub fn under(&self, measure: Measure) -> bool {
        self.standings.iter().any(|s| s.measure() == measure)
    }

    /// The door label.
    pub fn door(&self) -> &DoorLabel {
        &self.door
    }

    /// The household's colour.
    pub fn colour(&self) -> Colour {
        self.colour
    }

    /// The union of the members' markers.
    pub fn markers(&self) -> Markers {
        self.markers
    }

    /// The symbols drawn on the household's cell, in [`Symbol::ALL`] order.
    pub fn symbols(&self) -> impl Iterator<Item = Symbol> + Clone + use<> {
        Symbol::of(self.markers)
    }
}

/// One block of the map: a building 楼栋 (or any unit holding households) and its households
/// in door order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapBlock {
    name: String,
    households: Vec<MapHousehold>,
}

impl MapBlock {
    /// An empty block named `name` (the building's name, "1号楼").
    pub fn new(name: impl Into<String>) -> Self {
        MapBlock { name: name.into(), households: Vec::new() }
    }

    /// Add a household after those already in the block; the map draws them in this order.
    pub fn push(&mut self, household: MapHousehold) {
        self.households.push(household);
    }

    /// The block's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The households, in the order they were pushed.
    pub fn households(&self) -> &[MapHousehold] {
        &self.households
    }
}

/// The courtyard map 院区疫情防控平面图 of a courtyard (or any unit): a title (the unit's
/// name), a date, and its blocks, each a grid of household cells in their colours with the
/// symbols their members earn, above a legend in Chinese and English.
///
/// Renders as SVG ([`ColourMap::to_svg`]), plain text ([`ColourMap::to_text`]) and text
/// coloured for terminals ([`ColourMap::to_ansi`]). Every render is deterministic (same map,
/// same bytes) and cannot fail; an empty map, or a block with no households, renders too.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::colour::{Colour, ColourMap, MapBlock, MapHousehold};
/// use wangge::people::{DoorLabel, Marker, Markers};
///
/// let date = NaiveDate::from_ymd_opt(2020, 2, 15).ok_or("no such date")?;
/// let mut map = ColourMap::new("3号院", date);
/// let mut building = MapBlock::new("1号楼");
/// building.push(MapHousehold::new(DoorLabel::new("1-101")?, Colour::Red, Markers::new()));
/// building.push(MapHousehold::new(DoorLabel::new("1-102")?, Colour::Green, Marker::PartyMember.into()));
/// map.push(building);
/// assert_eq!(map.households(Colour::Red), 1);
///
/// let svg = map.to_svg();
/// assert!(svg.contains(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
/// assert!(svg.contains("3号院") && svg.contains("2020-02-15"));
/// assert!(svg.contains(r##"data-door="1-101" data-colour="red""##));
/// assert!(svg.contains(r##"fill="#d7191c""##));
/// assert!(map.to_text().contains("[R 1-101    ] [G 1-102 F  ]"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColourMap {
    title: String,
    date: NaiveDate,
    blocks: Vec<MapBlock>,
    /// The business date whose colours the map shows, when it is not `date` itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    as_of: Option<NaiveDate>,
}

impl ColourMap {
    /// How many household cells a row of a block holds; rows are added as needed.
    pub const COLUMNS: usize = 6;

    /// An empty map titled `title` (the unit's name), as of `date`.
    pub fn new(title: impl Into<String>, date: NaiveDate) -> Self {
        ColourMap { title: title.into(), date, blocks: Vec::new(), as_of: None }
    }

    /// The same map, naming `business_date` as the day whose colours it shows (业务日期) when
    /// that is not the map's date: a map printed on a later day says so at its top, in every
    /// render ([`Registry::map`](crate::Registry::map) sets it).
    pub fn with_as_of(mut self, business_date: NaiveDate) -> Self {
        self.as_of = (business_date != self.date).then_some(business_date);
        self
    }

    /// The business date whose colours the map shows, when it differs from [`ColourMap::date`]
    /// (a map printed on a later day); `None` when the colours are the date's own.
    pub fn as_of(&self) -> Option<NaiveDate> {
        self.as_of
    }

    /// The line naming the map's date, and the business date of its colours when that differs.
    fn date_line(&self) -> String {
        let date = self.date.format("%Y-%m-%d");
        match self.as_of {
            Some(b) => format!("{date} · 颜色截至业务日期 colours as of business date {}", b.format("%Y-%m-%d")),
            None => date.to_string(),
        }
    }

    /// Add a block below those already on the map.
    pub fn push(&mut self, block: MapBlock) {
        self.blocks.push(block);
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The date the map shows.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The blocks, in the order they were pushed.
    pub fn blocks(&self) -> &[MapBlock] {
        &self.blocks
    }

    /// How many households of `colour` are on the map.
    ///
    /// # Complexity
    /// O(households on the map).
    pub fn households(&self, colour: Colour) -> usize {
        self.all_households().filter(|h| h.colour == colour).count()
    }

    /// How many households are on the map, of any colour.
    pub fn total_households(&self) -> usize {
        self.blocks.iter().map(|b| b.households.len()).sum()
    }

    fn all_households(&self) -> impl Iterator<Item = &MapHousehold> {
        self.blocks.iter().flat_map(|b| b.households.iter())
    }

    /// The map as a standalone SVG document (UTF-8, with an XML declaration).
    ///
    /// At the top the title, the date (ISO `yyyy-mm-dd`) and the households per colour; then
    /// each block as a labelled box holding its households in rows of [`ColourMap::COLUMNS`]
    /// cells, each a `rect` filled with [`Colour::hex`] and carrying `data-door` and
    /// `data-colour` attributes, with its door label, its symbols drawn as shapes and a
    /// `<title>` shown on hover; at the bottom the legend. Width, height and `viewBox` follow
    /// the content.
    ///
    /// # Complexity
    /// O(households on the map + length of the texts).
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }

    /// The map as plain text: a line with the title and the date, a line with the households
    /// per colour, each block as its name and rows of fixed-width cells like `[R 1-101 F* ]`
    /// (colour initial, door label, then the symbol letters `F`, `*`, `H` each in its own
    /// place), then the legend of colours and symbols in Chinese and English.
    ///
    /// Cells are padded by terminal columns (a CJK character takes two), so the rows line up
    /// in a monospace font.
    pub fn to_text(&self) -> String {
        text::render(self, false)
    }

    /// The layout of [`ColourMap::to_text`], with each household cell and each legend swatch
    /// on a 24-bit ANSI background of its colour, for terminals.
    pub fn to_ansi(&self) -> String {
        text::render(self, true)
    }

    /// Whether a household on the map has a member under centralised isolation: then the
    /// renders give every cell a place for its mark, and the legend a line for it.
    fn marks_centralised(&self) -> bool {
        self.all_households().any(|h| h.under(Measure::CentralisedIsolation))
    }

    /// The households of each colour, most severe first, and their total.
    fn summary(&self) -> ([(Colour, usize); Colour::COUNT], usize) {
        let mut counts = [0usize; Colour::COUNT];
        for h in self.all_households() {
            counts[h.colour.index()] += 1;
        }
        (Colour::BY_SEVERITY.map(|c| (c, counts[c.index()])), counts.iter().sum())
    }
}

/// A character safe in XML 1.0 text and in a terminal: tab and line breaks become a space,
/// other control characters and the XML non-characters U+FFFE, U+FFFF become U+FFFD.
fn clean_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => ' ',
        c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Text from outside, cleaned of control characters, for plain text and terminals.
struct Clean<'a>(&'a str);

impl fmt::Display for Clean<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.chars().try_for_each(|c| f.write_char(clean_char(c)))
    }
}

/// Text from outside, cleaned and XML-escaped (`&`, `<`, `>`, `"`, `'`), for SVG text and
/// attribute values.
struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.chars().try_for_each(|c| match clean_char(c) {
            '&' => f.write_str("&amp;"),
            '<' => f.write_str("&lt;"),
            '>' => f.write_str("&gt;"),
            '"' => f.write_str("&quot;"),
            '\'' => f.write_str("&apos;"),
            c => f.write_char(c),
        })
    }
}

/// Whether a character takes two terminal columns (and a full em in a CJK font): the CJK,
/// Hangul, fullwidth and emoji blocks. An estimate, enough for a layout.
fn is_wide(c: char) -> bool {
    matches!(
        c as u32,
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD
    )
}

/// Terminal columns of a text once cleaned.
fn columns(s: &str) -> usize {
    s.chars().map(|c| if is_wide(clean_char(c)) { 2 } else { 1 }).fold(0, usize::saturating_add)
}

/// The legend's name and meaning of the mark of centralised isolation.
fn centralised_legend() -> (String, &'static str) {
    let m = Measure::CentralisedIsolation;
    (format!("{} {}", m.label_zh(), m.label_en()), "有成员在集中隔离点 a member held at a designated site")
}

/// The SVG rendering.
mod svg {
    use std::fmt::{Display, Write as _};

    use super::{ColourMap, Esc, MapHousehold, Symbol, is_wide};
    use crate::colour::{Colour, Measure};

    const SVG_NS: &str = "http://www.w3.org/2000/svg";
    const FONTS: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
    const INK: &str = "#333333";
    const MARGIN: u64 = 24;
    const TITLE_PX: u64 = 22;
    const TEXT_PX: u64 = 14;
    const HEAD_PX: u64 = 15;
    const SMALL_PX: u64 = 13;
    const CELL_MIN_W: u64 = 88;
    const CELL_H: u64 = 56;
    const CELL_PAD: u64 = 6;
    const GAP: u64 = 8;
    const BLOCK_PAD: u64 = 12;
    const BLOCK_HEAD: u64 = 32;
    const BLOCK_GAP: u64 = 16;
    const BADGE: u64 = 16;
    const BADGE_STEP: u64 = 20;
    const ROW: u64 = 22;
    const NO_HOUSEHOLDS: &str = "无住户 no households";
    const NO_BLOCKS: &str = "无楼栋 no blocks";
    const CENTRALISED: &str = "集";

    /// The estimated width in pixels of `s` set at `px`.
    fn text_px(s: &str, px: u64) -> u64 {
        let narrow = (px * 3).div_ceil(5);
        s.chars().map(|c| if is_wide(c) { px } else { narrow }).fold(0, u64::saturating_add)
    }

    /// The length of `n` items of `size` with `GAP` between them.
    fn span(n: usize, size: u64) -> u64 {
        let n = n as u64;
        n.saturating_mul(size).saturating_add(n.saturating_sub(1).saturating_mul(GAP))
    }

    /// The symbol's shape, drawn in a 16×16 badge whose top left corner is the origin.
    fn shape(symbol: Symbol) -> &'static str {
        match symbol {
            Symbol::Flag => {
                "<rect x=\"3\" y=\"2\" width=\"1\" height=\"12\" fill=\"#555555\"/>\
                 <rect x=\"4\" y=\"3\" width=\"9\" height=\"6\" fill=\"#de2910\"/>\
                 <circle cx=\"6\" cy=\"5\" r=\"1\" fill=\"#ffde00\"/>"
            }
            Symbol::Star => {
                "<polygon points=\"8,1 9.6,5.8 14.7,5.8 10.5,8.8 12.1,13.7 8,10.7 3.9,13.7 5.5,8.8 1.3,5.8 6.4,5.8\" \
                 fill=\"#f0b400\" stroke=\"#8a6d00\" stroke-width=\"0.5\"/>"
            }
            Symbol::Heart => {
                "<path d=\"M8 14C8 14 1.5 9.6 1.5 5.6C1.5 3.4 3.1 2 5 2C6.4 2 7.4 2.8 8 3.9C8.6 2.8 9.6 2 11 2\
                 C12.9 2 14.5 3.4 14.5 5.6C14.5 9.6 8 14 8 14Z\" fill=\"#e0001b\"/>"
            }
        }
    }

    /// A symbol's badge with its top left corner at (x, y).
    fn badge(out: &mut String, indent: &str, symbol: Symbol, x: u64, y: u64) {
        let _ = writeln!(
            out,
            "{indent}<g class=\"symbol {class}\" transform=\"translate({x},{y})\"><rect width=\"{BADGE}\" \
             height=\"{BADGE}\" rx=\"3\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1\"/>{shape}</g>",
            class = symbol.label_en().replace(' ', "-"),
            shape = shape(symbol),
        );
    }

    /// The mark of centralised isolation 集中隔离, a badge with "集", its top left corner at
    /// (x, y).
    fn centralised(out: &mut String, indent: &str, x: u64, y: u64) {
        let _ = writeln!(
            out,
            "{indent}<g class=\"measure centralised-isolation\" transform=\"translate({x},{y})\"><rect \
             width=\"{BADGE}\" height=\"{BADGE}\" rx=\"3\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1\"/>\
             <text x=\"8\" y=\"12\" font-size=\"11\" text-anchor=\"middle\" fill=\"{INK}\">{CENTRALISED}</text></g>"
        );
    }

    /// A text element with its baseline starting at (x, y).
    fn text(out: &mut String, indent: &str, (x, y): (u64, u64), px: u64, bold: bool, content: impl Display) {
        let weight = if bold { " font-weight=\"bold\"" } else { "" };
        let _ = writeln!(out, "{indent}<text x=\"{x}\" y=\"{y}\" font-size=\"{px}\"{weight}>{content}</text>");
    }

    /// The ink that reads on a cell of `colour`.
    fn ink_on(colour: Colour) -> &'static str {
        match colour {
            Colour::Red => "#ffffff",
            _ => "#1a1a1a",
        }
    }

    /// A household's cell with its top left corner at (x, y).
    fn cell(out: &mut String, h: &MapHousehold, x: u64, y: u64, w: u64) {
        let door = Esc(h.door().as_str());
        let colour = h.colour();
        let _ = write!(
            out,
            "    <g class=\"household\">\n      <title>{door}: {} {}, {} {}",
            colour.label_zh(),
            colour.label_en(),
            colour.class_zh(),
            colour.class_en()
        );
        for (i, s) in h.symbols().enumerate() {
            let sep = if i == 0 { "; " } else { ", " };
            let _ = write!(out, "{sep}{} {}", s.label_zh(), s.label_en());
        }
        // Why: each member's reason, with the measure they are under.
        for (i, s) in h.standings().iter().enumerate() {
            let sep = if i == 0 { "; " } else { ", " };
            let _ = write!(out, "{sep}{} {}", s.reason().label_zh(), s.reason().label_en());
            if s.measure() != Measure::None {
                let _ = write!(out, " ({} {})", s.measure().label_zh(), s.measure().label_en());
            }
        }
        out.push_str("</title>\n");
        let _ = writeln!(
            out,
            "      <rect class=\"cell\" data-door=\"{door}\" data-colour=\"{en}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" \
             height=\"{CELL_H}\" rx=\"3\" fill=\"{hex}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
            en = colour.label_en(),
            hex = colour.hex(),
        );
        let _ = writeln!(
            out,
            "      <text x=\"{}\" y=\"{}\" font-size=\"{SMALL_PX}\" fill=\"{}\">{door}</text>",
            x + CELL_PAD,
            y + 18,
            ink_on(colour)
        );
        for (i, s) in h.symbols().enumerate() {
            badge(out, "      ", s, x + CELL_PAD + i as u64 * BADGE_STEP, y + CELL_H - CELL_PAD - BADGE);
        }
        if h.under(Measure::CentralisedIsolation) {
            let corner = (x + w).saturating_sub(CELL_PAD + BADGE);
            centralised(out, "      ", corner, y + CELL_PAD);
        }
        out.push_str("    </g>\n");
    }

    pub(super) fn render(map: &ColourMap) -> String {
        let cell_w = map
            .all_households()
            .map(|h| text_px(h.door().as_str(), SMALL_PX).saturating_add(2 * CELL_PAD))
            .fold(CELL_MIN_W, u64::max);
        let date_line = format!("日期 date: {}", map.date_line());
        let (counts, total) = map.summary();
        let mut summary = String::from("户数 households:");
        for (colour, n) in counts {
            let _ = write!(summary, " {} {} {n} ·", colour.label_zh(), colour.label_en());
        }
        let _ = write!(summary, " 共 total {total}");

        let mut width =
            text_px(map.title(), TITLE_PX).max(text_px(&date_line, TEXT_PX)).max(text_px(&summary, TEXT_PX));
        let mut body = String::new();
        let mut y = MARGIN + TITLE_PX;
        text(&mut body, "  ", (MARGIN, y), TITLE_PX, true, Esc(map.title()));
        y += 24;
        text(&mut body, "  ", (MARGIN, y), TEXT_PX, false, &date_line);
        y += 20;
        text(&mut body, "  ", (MARGIN, y), TEXT_PX, false, &summary);
        y += 18;

        if map.blocks().is_empty() {
            text(&mut body, "  ", (MARGIN, y + 16), SMALL_PX, false, NO_BLOCKS);
            width = width.max(text_px(NO_BLOCKS, SMALL_PX));
            y += 16 + BLOCK_GAP;
        }
        for block in map.blocks() {
            let n = block.households().len();
            let (inner_w, inner_h) = if n == 0 {
                (text_px(NO_HOUSEHOLDS, SMALL_PX), 20)
            } else {
                (span(n.min(ColourMap::COLUMNS), cell_w), span(n.div_ceil(ColourMap::COLUMNS), CELL_H))
            };
            let block_w = inner_w.max(text_px(block.name(), HEAD_PX)).saturating_add(2 * BLOCK_PAD);
            let block_h = BLOCK_HEAD.saturating_add(inner_h).saturating_add(BLOCK_PAD);
            width = width.max(block_w);
            body.push_str("  <g class=\"block\">\n");
            let _ = writeln!(
                body,
                "    <rect x=\"{MARGIN}\" y=\"{y}\" width=\"{block_w}\" height=\"{block_h}\" rx=\"4\" fill=\"#f4f4f4\" \
                 stroke=\"#888888\" stroke-width=\"1\"/>"
            );
            text(&mut body, "    ", (MARGIN + BLOCK_PAD, y + 22), HEAD_PX, true, Esc(block.name()));
            let top = y + BLOCK_HEAD;
            if n == 0 {
                text(&mut body, "    ", (MARGIN + BLOCK_PAD, top + 14), SMALL_PX, false, NO_HOUSEHOLDS);
            }
            for (i, h) in block.households().iter().enumerate() {
                let col = (i % ColourMap::COLUMNS) as u64;
                let row = (i / ColourMap::COLUMNS) as u64;
                let x = MARGIN + BLOCK_PAD + col * (cell_w + GAP);
                cell(&mut body, h, x, top.saturating_add(row.saturating_mul(CELL_H + GAP)), cell_w);
            }
            body.push_str("  </g>\n");
            y = y.saturating_add(block_h).saturating_add(BLOCK_GAP);
        }

        body.push_str("  <g class=\"legend\">\n");
        text(&mut body, "    ", (MARGIN, y + 16), HEAD_PX, true, "图例 Legend");
        y += 28;
        for colour in Colour::BY_SEVERITY {
            let label =
                format!("{} {} — {} {}", colour.label_zh(), colour.label_en(), colour.class_zh(), colour.class_en());
            width = width.max(BADGE + 8 + text_px(&label, SMALL_PX));
            let _ = writeln!(
                body,
                "    <rect x=\"{MARGIN}\" y=\"{y}\" width=\"{BADGE}\" height=\"{BADGE}\" fill=\"{}\" stroke=\"{INK}\" \
                 stroke-width=\"1\"/>",
                colour.hex()
            );
            text(&mut body, "    ", (MARGIN + BADGE + 8, y + 13), SMALL_PX, false, &label);
            y += ROW;
        }
        y += 6;
        for symbol in Symbol::ALL {
            let mut label = format!("{} {} —", symbol.label_zh(), symbol.label_en());
            for (i, m) in symbol.means().iter().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                let _ = write!(label, "{sep}{} {}", m.label_zh(), m.label_en());
            }
            width = width.max(BADGE + 8 + text_px(&label, SMALL_PX));
            badge(&mut body, "    ", symbol, MARGIN, y);
            text(&mut body, "    ", (MARGIN + BADGE + 8, y + 13), SMALL_PX, false, &label);
            y += ROW;
        }
        if map.marks_centralised() {
            let (name, meaning) = super::centralised_legend();
            let label = format!("{name} — {meaning}");
            width = width.max(BADGE + 8 + text_px(&label, SMALL_PX));
            centralised(&mut body, "    ", MARGIN, y);
            text(&mut body, "    ", (MARGIN + BADGE + 8, y + 13), SMALL_PX, false, &label);
            y += ROW;
        }
        body.push_str("  </g>\n");

        let width = width.saturating_add(2 * MARGIN);
        let height = y.saturating_add(MARGIN);
        let mut out = String::with_capacity(body.len() + 600);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<svg xmlns=\"{SVG_NS}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
             font-family=\"{FONTS}\" fill=\"#1a1a1a\" role=\"img\">"
        );
        let _ = writeln!(out, "  <title>{} {}</title>", Esc(map.title()), map.date().format("%Y-%m-%d"));
        out.push_str("  <desc>院区疫情防控平面图 courtyard epidemic prevention map</desc>\n");
        let _ = writeln!(out, "  <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>");
        out.push_str(&body);
        out.push_str("</svg>\n");
        out
    }
}

/// The plain text and ANSI rendering.
mod text {
    use std::fmt::Write as _;

    use super::{Clean, ColourMap, MapHousehold, Symbol, columns};
    use crate::colour::{Colour, Measure};

    /// The letter marking a household with a member under centralised isolation.
    const CENTRALISED: char = 'C';

    const RESET: &str = "\x1b[0m";
    const BOLD: &str = "\x1b[1m";

    /// The colour's red, green and blue, read from [`Colour::hex`].
    pub(super) fn rgb(colour: Colour) -> (u8, u8, u8) {
        let hex = colour.hex();
        let part = |at: usize| hex.get(at..at + 2).and_then(|p| u8::from_str_radix(p, 16).ok()).unwrap_or(0);
        (part(1), part(3), part(5))
    }

    /// The ANSI codes for a background of `colour` and an ink that reads on it.
    fn paint(colour: Colour) -> String {
        let (r, g, b) = rgb(colour);
        let ink = if colour == Colour::Red { "255;255;255" } else { "0;0;0" };
        format!("\x1b[48;2;{r};{g};{b}m\x1b[38;2;{ink}m")
    }

    /// `s`, cleaned, then spaces up to `width` columns.
    fn pad(out: &mut String, s: &str, width: usize) {
        let _ = write!(out, "{}", Clean(s));
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(columns(s))));
    }

    /// A household's cell: `[R 1-101 F* ]`, and `[R 1-101 F* C]` on a map that marks
    /// centralised isolation (`marks`).
    fn cell(out: &mut String, h: &MapHousehold, door_cols: usize, ansi: bool, marks: bool) {
        if ansi {
            out.push_str(&paint(h.colour()));
        }
        let _ = write!(out, "[{} ", h.colour().initial());
        pad(out, h.door().as_str(), door_cols);
        out.push(' ');
        for s in Symbol::ALL {
            out.push(if s.earned_by(h.markers()) { s.letter() } else { ' ' });
        }
        if marks {
            out.push(if h.under(Measure::CentralisedIsolation) { CENTRALISED } else { ' ' });
        }
        out.push(']');
        if ansi {
            out.push_str(RESET);
        }
    }

    pub(super) fn render(map: &ColourMap, ansi: bool) -> String {
        let (bold, reset) = if ansi { (BOLD, RESET) } else { ("", "") };
        let mut out = String::new();
        let _ = writeln!(out, "{bold}{}{reset}  {}", Clean(map.title()), map.date_line());
        let (counts, total) = map.summary();
        out.push_str("户数 households:");
        for (colour, n) in counts {
            let _ = write!(out, " {} {} {n},", colour.initial(), colour.label_zh());
        }
        let _ = writeln!(out, " 共 total {total}");

        let door_cols = map.all_households().map(|h| columns(h.door().as_str())).max().unwrap_or(0);
        let marks = map.marks_centralised();
        if map.blocks().is_empty() {
            out.push_str("\n(无楼栋 no blocks)\n");
        }
        for block in map.blocks() {
            let _ = writeln!(out, "\n{bold}{}{reset}", Clean(block.name()));
            if block.households().is_empty() {
                out.push_str("  (无住户 no households)\n");
            }
            for row in block.households().chunks(ColourMap::COLUMNS) {
                out.push_str("  ");
                for (i, h) in row.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    cell(&mut out, h, door_cols, ansi, marks);
                }
                out.push('\n');
            }
        }

        let _ = writeln!(out, "\n{bold}图例 Legend{reset}");
        let mut rows: Vec<(Option<Colour>, char, String, String)> = Vec::new();
        for c in Colour::BY_SEVERITY {
            let meaning = format!("{} {}", c.class_zh(), c.class_en());
            rows.push((Some(c), c.initial(), format!("{} {}", c.label_zh(), c.label_en()), meaning));
        }
        for s in Symbol::ALL {
            let meaning: Vec<String> = s.means().iter().map(|m| format!("{} {}", m.label_zh(), m.label_en())).collect();
            rows.push((None, s.letter(), format!("{} {}", s.label_zh(), s.label_en()), meaning.join(", ")));
        }
        if marks {
            let (name, meaning) = super::centralised_legend();
            rows.push((None, CENTRALISED, name, meaning.to_owned()));
        }
        let name_cols = rows.iter().map(|(_, _, name, _)| columns(name)).max().unwrap_or(0);
        for (colour, key, name, meaning) in &rows {
            match (ansi, colour) {
                (true, Some(colour)) => {
                    let _ = write!(out, "  {} {key} {RESET}  ", paint(*colour));
                }
                (true, None) => {
                    let _ = write!(out, "   {key}   ");
                }
                (false, _) => {
                    let _ = write!(out, "  {key}  ");
                }
            }
            pad(&mut out, name, name_cols);
            let _ = writeln!(out, "  {meaning}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 2, 15).unwrap()
    }

    fn household(door: &str, colour: Colour, markers: &[Marker]) -> MapHousehold {
        MapHousehold::new(DoorLabel::new(door).unwrap(), colour, markers.iter().copied().collect())
    }

    fn small_map() -> ColourMap {
        let mut map = ColourMap::new("3号院", date());
        let mut block = MapBlock::new("1号楼");
        block.push(household("1-101", Colour::Red, &[Marker::PartyMember, Marker::BuildingHead]));
        block.push(household("1-102", Colour::White, &[]));
        block.push(household("1-103", Colour::Green, &[Marker::ElderlyLivingAlone]));
        map.push(block);
        map
    }

    #[test]
    fn escapes_the_five_xml_characters_and_cleans_controls() {
        assert_eq!(Esc(r#"a&b<c>d"e'f"#).to_string(), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(Esc("3号院").to_string(), "3号院");
        assert_eq!(Esc("a\nb\tc\u{0}d\u{1b}[31m\u{FFFF}").to_string(), "a b c\u{FFFD}d\u{FFFD}[31m\u{FFFD}");
        assert_eq!(Clean("x\u{1b}[2Jy<").to_string(), "x\u{FFFD}[2Jy<");
    }

    #[test]
    fn svg_escapes_every_outside_text() {
        let mut map = ColourMap::new("A&B <院>", date());
        let mut block = MapBlock::new("\"楼\" 'x'");
        block.push(household("1<2>&", Colour::Yellow, &[]));
        map.push(block);
        let svg = map.to_svg();
        assert!(svg.contains("A&amp;B &lt;院&gt;"));
        assert!(svg.contains("&quot;楼&quot; &apos;x&apos;"));
        assert!(svg.contains("data-door=\"1&lt;2&gt;&amp;\""));
        assert!(!svg.contains("<院>") && !svg.contains("1<2"));
    }

    #[test]
    fn symbols_follow_markers() {
        assert_eq!(Symbol::of(Markers::new()).count(), 0);
        let only = |m: Marker| Symbol::of(m.into()).collect::<Vec<_>>();
        assert_eq!(only(Marker::PartyMember), [Symbol::Flag]);
        assert_eq!(only(Marker::BuildingHead), [Symbol::Star]);
        assert_eq!(only(Marker::PartyGroupLeader), [Symbol::Star]);
        assert_eq!(only(Marker::LowIncome), [Symbol::Heart]);
        assert_eq!(only(Marker::ElderlyLivingAlone), [Symbol::Heart]);
        assert_eq!(only(Marker::EmptyNestElderly), []);
        assert_eq!(only(Marker::SeriouslyIllOrDisabled), []);
        // Each symbol once, in ALL order, however many markers earn it.
        let all: Markers = Marker::ALL.into_iter().collect();
        assert_eq!(Symbol::of(all).collect::<Vec<_>>(), Symbol::ALL);
        let twice = Markers::new().with(Marker::LowIncome).with(Marker::ElderlyLivingAlone).with(Marker::BuildingHead);
        assert_eq!(Symbol::of(twice).collect::<Vec<_>>(), [Symbol::Star, Symbol::Heart]);
        for s in Symbol::ALL {
            assert!(!s.means().is_empty() && !s.label_zh().is_empty() && s.letter().is_ascii());
        }
        assert_eq!(household("1", Colour::Red, &[Marker::PartyMember]).symbols().collect::<Vec<_>>(), [Symbol::Flag]);
    }

    #[test]
    fn an_empty_map_renders() {
        let map = ColourMap::new("", date());
        assert_eq!(map.total_households(), 0);
        assert!(Colour::BY_SEVERITY.iter().all(|&c| map.households(c) == 0));
        let svg = map.to_svg();
        assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
        assert!(svg.ends_with("</svg>\n"));
        assert!(svg.contains("无楼栋 no blocks") && svg.contains("图例 Legend"));
        assert!(!svg.contains("class=\"cell\""));
        // Width covers the legend's longest line, height the header, the note and the legend.
        let header = svg.lines().nth(1).unwrap();
        assert!(header.contains("viewBox=\"0 0 "));
        let text = map.to_text();
        assert!(text.starts_with("  2020-02-15\n"));
        assert!(text.contains("(无楼栋 no blocks)") && text.contains("共 total 0"));
    }

    #[test]
    fn an_empty_block_renders() {
        let mut map = ColourMap::new("院", date());
        map.push(MapBlock::new("空楼"));
        assert!(map.to_svg().contains("无住户 no households"));
        assert!(map.to_text().contains("空楼\n  (无住户 no households)\n"));
    }

    #[test]
    fn layout_wraps_rows_and_grows_with_content() {
        let mut map = ColourMap::new("院", date());
        let mut block = MapBlock::new("楼");
        for i in 0..13 {
            block.push(household(&format!("{i}"), Colour::Green, &[]));
        }
        map.push(block);
        let text = map.to_text();
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("  [")).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].matches('[').count(), ColourMap::COLUMNS);
        assert_eq!(rows[2].matches('[').count(), 1);
        assert_eq!(rows[0], "  [G 0     ] [G 1     ] [G 2     ] [G 3     ] [G 4     ] [G 5     ]");
        assert_eq!(rows[2], "  [G 12    ]");
        let svg = map.to_svg();
        assert_eq!(svg.matches("class=\"cell\"").count(), 13);
        let short = small_map().to_svg();
        let height = |svg: &str| {
            let at = svg.find("height=\"").unwrap() + 8;
            svg[at..].split('"').next().unwrap().parse::<u64>().unwrap()
        };
        assert!(height(&svg) > height(&short));
    }

    #[test]
    fn text_cells_line_up_with_wide_doors() {
        let mut map = ColourMap::new("院", date());
        let mut block = MapBlock::new("楼");
        block.push(household("一单元101", Colour::Orange, &[Marker::LowIncome]));
        block.push(household("2", Colour::Yellow, &[Marker::PartyGroupLeader]));
        map.push(block);
        let text = map.to_text();
        assert!(text.contains("  [O 一单元101   H] [Y 2          * ]"), "{text}");
    }

    #[test]
    fn renders_are_deterministic() {
        let a = small_map();
        let b = small_map();
        assert_eq!(a, b);
        assert_eq!(a.to_svg(), b.to_svg());
        assert_eq!(a.to_svg(), a.to_svg());
        assert_eq!(a.to_text(), b.to_text());
        assert_eq!(a.to_ansi(), b.to_ansi());
    }

    #[test]
    fn counts_by_colour() {
        let map = small_map();
        assert_eq!(map.households(Colour::Red), 1);
        assert_eq!(map.households(Colour::White), 1);
        assert_eq!(map.households(Colour::Orange), 0);
        assert_eq!(map.total_households(), 3);
        assert!(map.to_text().contains("户数 households: R 红 1, O 橙 0, Y 黄 0, G 绿 1, W 白 1, 共 total 3\n"));
    }

    #[test]
    fn ansi_paints_cells_and_plain_text_has_no_escapes() {
        for c in Colour::BY_SEVERITY {
            let (r, g, b) = text::rgb(c);
            assert_eq!(format!("#{r:02x}{g:02x}{b:02x}"), c.hex());
        }
        let map = small_map();
        assert!(!map.to_text().contains('\u{1b}'));
        let ansi = map.to_ansi();
        assert!(ansi.contains("\x1b[48;2;215;25;28m\x1b[38;2;255;255;255m[R 1-101 F* ]\x1b[0m"));
        // Stripped of its escapes, the ANSI layout is the text layout but for the legend's swatches.
        let title = ansi.lines().next().unwrap();
        assert_eq!(title, "\x1b[1m3号院\x1b[0m  2020-02-15");
    }

    #[test]
    fn svg_cells_carry_colour_title_and_symbols() {
        let svg = small_map().to_svg();
        assert!(svg.contains("<title>1-101: 红 red, 重点关注户 key attention; 党旗 party flag, 星星 star</title>"));
        assert!(svg.contains(
            "data-door=\"1-102\" data-colour=\"white\" x=\"132\" y=\"140\" width=\"88\" height=\"56\" rx=\"3\" \
             fill=\"#ffffff\" stroke=\"#333333\""
        ));
        assert_eq!(svg.matches("class=\"symbol party-flag\"").count(), 2); // one cell, one legend
        assert_eq!(svg.matches("class=\"symbol red-heart\"").count(), 2);
        assert!(svg.contains("font-family=\"'Noto Sans CJK SC'"));
    }

    #[test]
    fn a_member_at_a_site_is_marked_apart_from_the_colour_and_the_title_says_why() {
        let plain = small_map();
        let mut map = small_map();
        let at_site = Standing::new(State::HomeIsolationElsewhere, Measure::CentralisedIsolation).unwrap();
        let h = household("2-101", Colour::Yellow, &[]).with_standings([at_site, Standing::WELL]);
        map.push({
            let mut b = MapBlock::new("2");
            b.push(h);
            b
        });
        let text = map.to_text();
        // Every cell gains the mark's place; only the yellow household at a site is marked.
        assert!(text.contains("[Y 2-101    C]"), "{text}");
        assert!(text.contains("[R 1-101 F*  ]"), "{text}");
        assert!(text.contains("  C  集中隔离 centralised isolation"), "{text}");
        assert!(!plain.to_text().contains("集中隔离"), "a map with nobody at a site is as before");
        let svg = map.to_svg();
        assert_eq!(svg.matches("class=\"measure centralised-isolation\"").count(), 2); // the cell, the legend
        assert!(svg.contains(
            "<title>2-101: 黄 yellow, 非疫区返回居家隔离户 home isolation, from elsewhere; 在家无症状 present and well, \
             非疫区返回居家隔离 in home isolation after return from elsewhere (集中隔离 centralised isolation)</title>"
        ), "{svg}");
        assert!(!plain.to_svg().contains("centralised"));
    }

    #[test]
    fn serde_round_trip() {
        let map = small_map();
        let json = serde_json::to_string(&map).unwrap();
        assert!(json.contains("\"date\":\"2020-02-15\""));
        assert_eq!(serde_json::from_str::<ColourMap>(&json).unwrap(), map);
        assert!(!json.contains("standings"));
        let mut why = map.clone();
        let close = Standing::new(State::CloseContact, Measure::CentralisedIsolation).unwrap();
        why.blocks[0].households[0] = why.blocks[0].households[0].clone().with_standings([close]);
        let json = serde_json::to_string(&why).unwrap();
        assert!(json.contains(r#""standings":[{"reason":"CloseContact","measure":"CentralisedIsolation"}]"#), "{json}");
        assert_eq!(serde_json::from_str::<ColourMap>(&json).unwrap(), why);
    }
}
