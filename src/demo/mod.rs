//! The Huayuan Road demo 花园路街道 (seed 003, Zhengzhou): a sub-district built from embedded
//! data through [`Command`](crate::Command)s only, and its 28 days of January–February 2020
//! (feature `demo`).
//!
//! The `subdistrict` example prints the story, `tests/scenarios.rs` tells its scenarios on it
//! and the reference service (`wangge-server`) loads it into an empty store: one builder, shared.
//! Like the rest of the core it is pure: no I/O, no clock; the same data on every run (a small
//! fixed generator decides who lives where and who comes back when).
//!
//! What seed 003 says, and what the demo takes from it:
//!
//! > 街道共设置管控服务卡点168个(无主管楼院卡点29个,单位家属院卡点88个,公共单位卡点42个,
//! > 公共场所卡点9个),累计居家隔离服务1518户3463人,集中隔离服务41人。
//!
//! - the four levels 四级 of Zhengzhou, 街道 > 社区 > 楼院 > 楼组: nine communities 社区,
//!   courtyards 楼院 of three kinds (unmanaged 无主管楼院, some of them bungalow yards 平房院;
//!   work-unit family courtyards 单位家属院; property-managed closed compounds 物业封闭小区), each
//!   keeping one way in and out 所有楼院保留一个进出口, and the seed's 168 checkpoints 卡点
//!   (29 / 88 / 42 / 9); every person registered once 一人一档 on 25 January 2020 (摸排登记):
//!   [`build_huayuan_road_registered`];
//! - the seed's isolation figures set directly (1,518 households with 3,463 persons in home
//!   isolation 居家隔离, 41 persons in centralised isolation 集中隔离): [`build_huayuan_road`];
//! - the staff and the rosters 六包一 and 2+3: [`staff_huayuan_road`];
//! - the 28 days, 26 January to 22 February, one [`Day`] at a time: households coming back
//!   (cumulatively the seed's 1,518), the morning round, two readings a day, one fever confirmed
//!   and its close contacts sent to centralised isolation, a police officer leaving, the day's
//!   services and a hotline ticket: [`Story`].
//!
//! The checkpoint and isolation figures are the seed's; names of communities, courtyards and
//! institutions are illustrative; households, persons, staff and who travels are made up.
//!
//! ```
//! use wangge::demo;
//! use wangge::colour::Colour;
//!
//! let (reg, layout) = demo::build_huayuan_road()?;
//! assert_eq!(layout.checkpoints.len(), 168);
//! assert_eq!(layout.communities.len(), 9);
//! let orange_or_yellow = {
//!     let t = reg.tally(layout.root)?;
//!     t.households(Colour::Orange) + t.households(Colour::Yellow)
//! };
//! assert_eq!(orange_or_yellow, demo::HOME_ISOLATION_HOUSEHOLDS as u64);
//! // The events and the records the builder kept replay into an equal registry.
//! assert_eq!(wangge::Registry::replay(&layout.log)?, reg);
//! assert_eq!(wangge::Registry::replay_records(&layout.records)?, reg);
//! # Ok::<(), wangge::Error>(())
//! ```

mod huayuan;
mod story;

pub use huayuan::{
    CENTRALISED_PERSONS, Duty, HOME_ISOLATION_HOUSEHOLDS, HOME_ISOLATION_PERSONS, Layout, SUB_DISTRICT,
    build_huayuan_road, build_huayuan_road_registered, map_date, registered_on, roster_date, staff_huayuan_road,
};
pub use story::{DAYS, Day, Peak, SavedMap, Story, Totals, day_of, first_day};

/// `n` with a comma between thousands, as the demo prints its figures: 12345 as "12,345".
pub fn thousands(n: u64) -> String {
    crate::text::thousands(n)
}
