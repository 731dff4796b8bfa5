//! Preset policies 预设隔离政策, each citing its source.
//!
//! Every preset but the seed's cites its row of `ISOLATION_RULES.md` verbatim in its
//! [`Policy::source`]. That table was compiled from news reposts and mirrors of the protocol
//! texts (no official site could be read); its rows marked ⚠ are unverified, and so are the
//! presets built from them. Where a row is silent (checks a day, the fever threshold, the
//! anchor, how the period ends), each preset's docs say what was chosen and why.
//!
//! Defaults shared by the Chinese presets: the fever threshold 37.3 °C (DOMAIN.md section 5:
//! "37.3 °C or more"), [`Release::OnLastDay`] and [`Ending::AfterCleanLastCheck`] (released on
//! the last day once its check or test is clean), the anchor date as day 0 (ed.9's own rule).
//! Where a row gives no check frequency, 2 a day: the seed's "temperature twice a day" and
//! ed.1–2's "temperature >= 2/day", the practice the later editions kept (morning and
//! evening); a choice, not in those rows.
//!
//! A preset is an ordinary [`Policy`]: a host adopts it as it is
//! ([`Command::AdoptPolicy`](crate::Command::AdoptPolicy)), finds it by name
//! ([`Policy::preset`]), or changes it first through [`Policy::to_builder`].

use super::{
    AfterRelease, Anchor, EarlyRelease, Ending, LinkedRelease, Phase, Policy, PolicyBuilder, Release, Setting,
    Temperature,
};

use Setting::{CentralisedIsolation, HomeHealthMonitoring, HomeIsolation, HomeMedicalObservation};

/// The parts of a Chinese preset: its name, source row, anchor and phases, with the Chinese
/// defaults (37.3 °C, released on the last day after a clean check, 2 checks a day).
fn cn(name: &str, source: &str, anchor: Anchor, phases: Vec<Phase>) -> PolicyBuilder {
    Policy::builder(name, anchor, phases)
        .source(source)
        .checks_per_day(2)
        .fever(Temperature::FEVER_CN)
        .release(Release::OnLastDay)
        .ending(Ending::AfterCleanLastCheck)
}

/// The parts of a US CDC preset: free on the day after, ending by itself, fever 38.0 °C,
/// self-monitoring twice a day.
fn us(name: &str, source: &str, phases: Vec<Phase>) -> PolicyBuilder {
    Policy::builder(name, Anchor::LastExposure, phases)
        .source(source)
        .checks_per_day(2)
        .fever(Temperature::FEVER_38)
        .release(Release::DayAfter)
        .ending(Ending::Automatic)
}

/// The row of both US CDC December 2020 options, the 10-day one and the 7-day one with a test.
const US_CDC_DEC_2020: &str = "| US CDC Dec 2020 | contact | home | 10, or 7 with test (sample >= day 5) | \
                               monitor+mask to day 14 | after day 10 / 7 |";

impl Policy {
    /// Every preset, in the order of `ISOLATION_RULES.md` (the seed's rule first).
    ///
    /// # Example
    /// ```
    /// use wangge::quarantine::Policy;
    /// let names: Vec<_> = Policy::presets().iter().map(|p| p.name().to_owned()).collect();
    /// assert_eq!(names.len(), 17);
    /// assert_eq!(names[0], "seed_shanghai_2020");
    /// ```
    pub fn presets() -> Vec<Policy> {
        vec![
            Policy::seed_shanghai_2020(),
            Policy::cn_ed1_7_close_contact(),
            Policy::cn_ed8_close_contact(),
            Policy::cn_ed8_secondary_contact(),
            Policy::cn_ed9_close_contact(),
            Policy::cn_ed9_secondary_contact(),
            Policy::cn_ed9_inbound(),
            Policy::cn_ed9_high_risk_area(),
            Policy::cn_ed9_medium_risk_area(),
            Policy::cn_20_measures_close_contact(),
            Policy::cn_20_measures_high_risk_area(),
            Policy::cn_new10_close_contact(),
            Policy::us_cdc_2020_contact(),
            Policy::us_cdc_dec2020_contact(),
            Policy::us_cdc_dec2020_contact_with_test(),
            Policy::us_cdc_dec2021_contact(),
            Policy::who_2020_contact(),
        ]
    }

    /// The preset named `name` (`"cn_ed9_close_contact"` ...), if there is one.
    ///
    /// # Example
    /// ```
    /// use wangge::quarantine::Policy;
    /// assert_eq!(Policy::preset("cn_ed9_inbound"), Some(Policy::cn_ed9_inbound()));
    /// assert_eq!(Policy::preset("cn_ed10"), None);
    /// ```
    pub fn preset(name: &str) -> Option<Policy> {
        Policy::presets().into_iter().find(|p| p.name() == name)
    }

    /// `seed_shanghai_2020`: the seed's rule. Seed 001 (Shanghai, Feb 2020), as DOMAIN.md
    /// section 5 puts it: "people arriving from or through Wuhan get 14 days of home isolation
    /// observation 居家隔离观察: a written notice, a health record, a signed pledge, and
    /// temperature taken twice a day". Not a row of `ISOLATION_RULES.md`.
    ///
    /// 14 days [`Setting::HomeIsolation`] counted from [`Anchor::Arrival`], 2 checks a day, no
    /// tests. Not in the seed: the arrival day as day 0 (the national rule), the fever
    /// threshold 37.3 °C, release on day 14 after a clean last check.
    pub fn seed_shanghai_2020() -> Policy {
        Policy::from_checked_parts(cn(
            "seed_shanghai_2020",
            "seed 001 (Shanghai, Feb 2020): arrivals from or through Wuhan, 14 days home isolation observation \
             居家隔离观察, temperature twice a day (DOMAIN.md section 5)",
            Anchor::Arrival,
            vec![Phase::new(HomeIsolation, 14)],
        ))
    }

    /// `cn_ed1_7_close_contact`: close contacts under the national protocol's editions 1 to 7
    /// (Jan–Sep 2020). Rows `| CN ed.1-2 (Jan 2020) | close contact | home or facility | 14 |
    /// temperature >= 2/day, symptoms | no symptoms at end |` and `| CN ed.3-7 | close contact
    /// | facility (ed.6 on) | 14 | ⚠ | ⚠ |`.
    ///
    /// ⚠ The checks and the release of editions 3–7 are unverified; this preset carries
    /// editions 1–2's.
    ///
    /// 14 days [`Setting::HomeMedicalObservation`] from [`Anchor::LastExposure`], 2 checks a
    /// day, no tests. The row says "home or facility": home medical observation 居家医学观察 is
    /// chosen because editions 1–2 (January 2020, the seeds' time) put close contacts under
    /// home medical observation first and a facility where home was not possible, and the
    /// seeds name it. From edition 6 on a facility was the rule: a host following those
    /// editions makes a variant with one [`Setting::CentralisedIsolation`] phase through
    /// [`Policy::to_builder`].
    pub fn cn_ed1_7_close_contact() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_ed1_7_close_contact",
            "| CN ed.1-2 (Jan 2020) | close contact | home or facility | 14 | temperature >= 2/day, symptoms | no \
             symptoms at end | ; | CN ed.3-7 | close contact | facility (ed.6 on) | 14 | ⚠ | ⚠ |",
            Anchor::LastExposure,
            vec![Phase::new(HomeMedicalObservation, 14)],
        ))
    }

    /// `cn_ed8_close_contact`: close contacts under edition 8 (May 2021). Row `| CN ed.8 (May
    /// 2021) | close contact | facility + home monitoring | 14 + 7 | facility days 1,4,7,14;
    /// home days 2,7 | negatives |`.
    ///
    /// 14 days [`Setting::CentralisedIsolation`] with tests on days 1, 4, 7 and 14, then 7 days
    /// [`Setting::HomeHealthMonitoring`] with tests on days 2 and 7 (days 16 and 21), from
    /// [`Anchor::LastExposure`]. Not in the row: 2 checks a day.
    pub fn cn_ed8_close_contact() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_ed8_close_contact",
            "| CN ed.8 (May 2021) | close contact | facility + home monitoring | 14 + 7 | facility days 1,4,7,14; \
             home days 2,7 | negatives |",
            Anchor::LastExposure,
            vec![
                Phase::new(CentralisedIsolation, 14).with_tests([1, 4, 7, 14]),
                Phase::new(HomeHealthMonitoring, 7).with_tests([2, 7]),
            ],
        ))
    }

    /// `cn_ed8_secondary_contact`: secondary contacts 次密切接触者 under edition 8. Row `| CN
    /// ed.8 | secondary contact | facility | 7 | days 1,4,7 | day 7 if the close contact's
    /// first 2 tests negative, else becomes close contact |`.
    ///
    /// 7 days [`Setting::CentralisedIsolation`] with tests on days 1, 4 and 7, released on day
    /// 7 only when the linked close contact's first 2 tests are negative
    /// ([`LinkedRelease::CN_SECONDARY_CONTACT`]; the conversion to a close contact is the
    /// registry's). Not in the row: the anchor, [`Anchor::LastExposure`] (the last contact with
    /// the close contact); 2 checks a day.
    pub fn cn_ed8_secondary_contact() -> Policy {
        Policy::from_checked_parts(
            cn(
                "cn_ed8_secondary_contact",
                "| CN ed.8 | secondary contact | facility | 7 | days 1,4,7 | day 7 if the close contact's first 2 \
                 tests negative, else becomes close contact |",
                Anchor::LastExposure,
                vec![Phase::new(CentralisedIsolation, 7).with_tests([1, 4, 7])],
            )
            .linked(LinkedRelease::CN_SECONDARY_CONTACT),
        )
    }

    /// `cn_ed9_close_contact`: close contacts under edition 9 (28 Jun 2022). Row `| CN ed.9 (28
    /// Jun 2022) | close contact | facility + home monitoring | 7 + 3 | facility days
    /// 1,2,3,5,7; home day 3 | negatives |`.
    ///
    /// 7 days [`Setting::CentralisedIsolation`] with tests on days 1, 2, 3, 5 and 7, then 3
    /// days [`Setting::HomeHealthMonitoring`] with a test on its day 3 (day 10), from
    /// [`Anchor::LastExposure`] as day 0 (ed.9's rule). Not in the row: 2 checks a day.
    pub fn cn_ed9_close_contact() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_ed9_close_contact",
            "| CN ed.9 (28 Jun 2022) | close contact | facility + home monitoring | 7 + 3 | facility days 1,2,3,5,7; \
             home day 3 | negatives |",
            Anchor::LastExposure,
            ed9_facility_and_home(),
        ))
    }

    /// `cn_ed9_secondary_contact`: secondary contacts under edition 9. Row `| CN ed.9 |
    /// secondary contact | home | 7 | days 1,4,7; temp+symptoms daily | day 7 if own negative
    /// and linked close contact's first 2 negative |`.
    ///
    /// 7 days [`Setting::HomeIsolation`] with tests on days 1, 4 and 7; 1 check a day (the
    /// row's "temp+symptoms daily"); released on day 7 after the person's own clean last check
    /// and test and only when the linked close contact's first 2 tests are negative
    /// ([`LinkedRelease::CN_SECONDARY_CONTACT`]). Not in the row: the anchor,
    /// [`Anchor::LastExposure`].
    ///
    /// # Example
    /// ```
    /// use wangge::quarantine::{LinkedRelease, Policy, Setting};
    ///
    /// let secondary = Policy::cn_ed9_secondary_contact();
    /// assert_eq!(secondary.phases()[0].setting(), Setting::HomeIsolation);
    /// assert_eq!(secondary.phases()[0].test_days(), [1, 4, 7]);
    /// assert_eq!(secondary.checks_per_day(), 1);
    /// // Release also waits on the linked close contact's first 2 tests.
    /// assert_eq!(secondary.linked(), Some(LinkedRelease::CN_SECONDARY_CONTACT));
    /// assert_eq!(Policy::cn_ed9_close_contact().linked(), None);
    /// ```
    pub fn cn_ed9_secondary_contact() -> Policy {
        Policy::from_checked_parts(
            cn(
                "cn_ed9_secondary_contact",
                "| CN ed.9 | secondary contact | home | 7 | days 1,4,7; temp+symptoms daily | day 7 if own negative \
                 and linked close contact's first 2 negative |",
                Anchor::LastExposure,
                vec![Phase::new(HomeIsolation, 7).with_tests([1, 4, 7])],
            )
            .checks_per_day(1)
            .linked(LinkedRelease::CN_SECONDARY_CONTACT),
        )
    }

    /// `cn_ed9_inbound`: inbound travellers 入境人员 under edition 9. Row `| CN ed.9 | inbound |
    /// facility + home | 7 + 3 | facility 1,2,3,5,7; home 3 | |`.
    ///
    /// As [`Policy::cn_ed9_close_contact`], counted from [`Anchor::Arrival`]: 7 days
    /// [`Setting::CentralisedIsolation`] (tests 1, 2, 3, 5, 7) then 3 days at home (test on its
    /// day 3). Not in the row: the home phase as [`Setting::HomeHealthMonitoring`] (as for
    /// ed.9's close contacts; the row says only "home"), the arrival day as day 0, the release
    /// (the row's is empty: on day 10 after a clean check, as for close contacts), 2 checks a
    /// day.
    pub fn cn_ed9_inbound() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_ed9_inbound",
            "| CN ed.9 | inbound | facility + home | 7 + 3 | facility 1,2,3,5,7; home 3 | |",
            Anchor::Arrival,
            ed9_facility_and_home(),
        ))
    }

    /// `cn_ed9_high_risk_area`: travellers from a high-risk area under edition 9. Row `| CN
    /// ed.9 | high-risk-area traveller | facility | 7 from leaving | 1,2,3,5,7 | |`.
    ///
    /// 7 days [`Setting::CentralisedIsolation`] from [`Anchor::DepartureFromRiskArea`] with
    /// tests on days 1, 2, 3, 5 and 7. Not in the row: the release (empty: on day 7 after a
    /// clean check), 2 checks a day.
    pub fn cn_ed9_high_risk_area() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_ed9_high_risk_area",
            "| CN ed.9 | high-risk-area traveller | facility | 7 from leaving | 1,2,3,5,7 | |",
            Anchor::DepartureFromRiskArea,
            vec![Phase::new(CentralisedIsolation, 7).with_tests([1, 2, 3, 5, 7])],
        ))
    }

    /// `cn_ed9_medium_risk_area`: travellers from a medium-risk area under edition 9. Row `|
    /// CN ed.9 | medium-risk-area traveller | home | 7 from leaving | 1,4,7 | |`.
    ///
    /// 7 days [`Setting::HomeIsolation`] from [`Anchor::DepartureFromRiskArea`] with tests on
    /// days 1, 4 and 7. Not in the row: the release (empty: on day 7 after a clean check), 2
    /// checks a day.
    pub fn cn_ed9_medium_risk_area() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_ed9_medium_risk_area",
            "| CN ed.9 | medium-risk-area traveller | home | 7 from leaving | 1,4,7 | |",
            Anchor::DepartureFromRiskArea,
            vec![Phase::new(HomeIsolation, 7).with_tests([1, 4, 7])],
        ))
    }

    /// `cn_20_measures_close_contact`: close contacts under the 20 measures 二十条 (11 Nov
    /// 2022). Row `| CN 20 measures (11 Nov 2022) | close contact | facility + home isolation |
    /// 5 + 3 | facility 1,2,3,5; home 1,3 | |`.
    ///
    /// 5 days [`Setting::CentralisedIsolation`] with tests on days 1, 2, 3 and 5, then 3 days
    /// [`Setting::HomeIsolation`] with tests on its days 1 and 3 (days 6 and 8), from
    /// [`Anchor::LastExposure`]. Not in the row: the release (empty: on day 8 after a clean
    /// check), 2 checks a day.
    pub fn cn_20_measures_close_contact() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_20_measures_close_contact",
            "| CN 20 measures (11 Nov 2022) | close contact | facility + home isolation | 5 + 3 | facility 1,2,3,5; \
             home 1,3 | |",
            Anchor::LastExposure,
            vec![
                Phase::new(CentralisedIsolation, 5).with_tests([1, 2, 3, 5]),
                Phase::new(HomeIsolation, 3).with_tests([1, 3]),
            ],
        ))
    }

    /// `cn_20_measures_high_risk_area`: people leaving a high-risk area under the 20 measures.
    /// Row `| CN 20 measures | leaving high-risk area | home | 7 | 1,3,5,7 | |`.
    ///
    /// 7 days [`Setting::HomeIsolation`] from [`Anchor::DepartureFromRiskArea`] with tests on
    /// days 1, 3, 5 and 7. Not in the row: the anchor (the row's population is "leaving"), the
    /// release (empty: on day 7 after a clean check), 2 checks a day.
    pub fn cn_20_measures_high_risk_area() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_20_measures_high_risk_area",
            "| CN 20 measures | leaving high-risk area | home | 7 | 1,3,5,7 | |",
            Anchor::DepartureFromRiskArea,
            vec![Phase::new(HomeIsolation, 7).with_tests([1, 3, 5, 7])],
        ))
    }

    /// `cn_new10_close_contact`: close contacts under the new 10 measures 新十条 (7 Dec 2022,
    /// the date of the table's row above). Row `| CN new 10 | close contact | home | 5 | day 5 |
    /// negative |`.
    ///
    /// 5 days [`Setting::HomeIsolation`] from [`Anchor::LastExposure`] with a test on day 5,
    /// released on day 5 once it is negative. Not in the row: 2 checks a day.
    pub fn cn_new10_close_contact() -> Policy {
        Policy::from_checked_parts(cn(
            "cn_new10_close_contact",
            "| CN new 10 | close contact | home | 5 | day 5 | negative |",
            Anchor::LastExposure,
            vec![Phase::new(HomeIsolation, 5).with_tests([5])],
        ))
    }

    /// `us_cdc_2020_contact`: contacts under the US CDC's 2020 guidance. Row `| US CDC 2020 |
    /// contact | home | 14 | self-monitoring | after day 14 |`.
    ///
    /// 14 days [`Setting::HomeIsolation`] (quarantine at home) from [`Anchor::LastExposure`],
    /// free on day 15 ([`Release::DayAfter`]), ending by itself ([`Ending::Automatic`]). Not
    /// in the row: 2 checks a day, done by the person (the CDC's 2020 guidance defined
    /// self-monitoring as taking one's temperature twice a day; recalled, not in the sources,
    /// so ⚠ unverified), and the fever threshold 38.0 °C (the CDC's 100.4 °F).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::quarantine::{Ending, Policy, Temperature};
    ///
    /// let mar = |d| NaiveDate::from_ymd_opt(2020, 3, d).ok_or("no such date");
    /// let us = Policy::us_cdc_2020_contact().schedule(mar(1)?)?;
    /// let cn = Policy::seed_shanghai_2020().schedule(mar(1)?)?;
    /// // Both end on day 14; China releases on that day once its check is clean, the CDC after it.
    /// assert_eq!((us.last_day(), cn.last_day()), (mar(15)?, mar(15)?));
    /// assert_eq!((cn.release(), us.release()), (mar(15)?, mar(16)?));
    /// assert_eq!((cn.ending(), us.ending()), (Ending::AfterCleanLastCheck, Ending::Automatic));
    /// // 37.5 °C is a fever in China, not under the CDC's 100.4 °F.
    /// let reading: Temperature = "37.5".parse()?;
    /// assert!(Policy::seed_shanghai_2020().is_fever(reading));
    /// assert!(!Policy::us_cdc_2020_contact().is_fever(reading));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn us_cdc_2020_contact() -> Policy {
        Policy::from_checked_parts(us(
            "us_cdc_2020_contact",
            "| US CDC 2020 | contact | home | 14 | self-monitoring | after day 14 |",
            vec![Phase::new(HomeIsolation, 14)],
        ))
    }

    /// `us_cdc_dec2020_contact`: contacts under the US CDC's December 2020 options, both in
    /// one policy. Row `| US CDC Dec 2020 | contact | home | 10, or 7 with test (sample >= day
    /// 5) | monitor+mask to day 14 | after day 10 / 7 |`.
    ///
    /// 10 days [`Setting::HomeIsolation`] from [`Anchor::LastExposure`], free on day 11,
    /// ending by itself; or free on day 8 once a negative result is recorded for a sample
    /// taken on day 5, 6 or 7 ([`EarlyRelease::CDC_DEC_2020`]: a window, not a fixed test
    /// day); symptoms monitored (and a mask worn) through day 14 after either release
    /// ([`AfterRelease`]): a fever then makes the person a suspected case. Not in the row: 2
    /// checks a day and 38.0 °C, as [`Policy::us_cdc_2020_contact`].
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::quarantine::Policy;
    ///
    /// let jan = |d| NaiveDate::from_ymd_opt(2021, 1, d).ok_or("no such date");
    /// let s = Policy::us_cdc_dec2020_contact().schedule(jan(1)?)?;
    /// assert_eq!(s.first_free_day(), jan(12)?); // after day 10
    /// assert_eq!(s.early(), Some((jan(8)?, jan(6)?))); // after day 7, with a sample from day 5
    /// assert_eq!(s.monitoring(), Some((jan(12)?, jan(15)?))); // through day 14
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn us_cdc_dec2020_contact() -> Policy {
        Policy::from_checked_parts(
            us("us_cdc_dec2020_contact", US_CDC_DEC_2020, vec![Phase::new(HomeIsolation, 10)])
                .early(EarlyRelease::CDC_DEC_2020)
                .after_release(AfterRelease::through(14)),
        )
    }

    /// `us_cdc_dec2020_contact_with_test`: the 7-day option of the same row, `| US CDC Dec 2020
    /// | contact | home | 10, or 7 with test (sample >= day 5) | monitor+mask to day 14 | after
    /// day 10 / 7 |`.
    ///
    /// 7 days [`Setting::HomeIsolation`] from [`Anchor::LastExposure`] with a test on day 5
    /// (the earliest sample day the row allows), free on day 8, ending by itself: a positive
    /// result escalates the person instead; symptoms monitored through day 14
    /// ([`AfterRelease`]). For the row's window of sample days, and the 10 days without a
    /// sample, see [`Policy::us_cdc_dec2020_contact`]. Not in the row: 2 checks a day and
    /// 38.0 °C, as [`Policy::us_cdc_2020_contact`].
    pub fn us_cdc_dec2020_contact_with_test() -> Policy {
        Policy::from_checked_parts(
            us("us_cdc_dec2020_contact_with_test", US_CDC_DEC_2020, vec![Phase::new(HomeIsolation, 7).with_tests([5])])
                .after_release(AfterRelease::through(14)),
        )
    }

    /// `us_cdc_dec2021_contact`: unboosted contacts under the US CDC's December 2021 rule. Row
    /// `| US CDC Dec 2021 | case / unboosted contact | home | 5 + 5 masking | contact: test day
    /// 5 | fever-free 24h |`.
    ///
    /// 5 days [`Setting::HomeIsolation`] from [`Anchor::LastExposure`] with a test on day 5,
    /// free on day 6, ending by itself; then 5 days of masking and symptom monitoring, through
    /// day 10 ([`AfterRelease`]): released, but a fever then makes the person a suspected
    /// case. The row's "fever-free 24h" is the cases' release rule, not the contacts'. Not in
    /// the row: 2 checks a day and 38.0 °C, as [`Policy::us_cdc_2020_contact`].
    pub fn us_cdc_dec2021_contact() -> Policy {
        Policy::from_checked_parts(
            us(
                "us_cdc_dec2021_contact",
                "| US CDC Dec 2021 | case / unboosted contact | home | 5 + 5 masking | contact: test day 5 | fever-free 24h |",
                vec![Phase::new(HomeIsolation, 5).with_tests([5])],
            )
            .after_release(AfterRelease::through(10)),
        )
    }

    /// `who_2020_contact`: contacts under WHO's 2020 guidance. Row `| WHO 2020 | contact |
    /// facility/room | 14 | monitoring | |`.
    ///
    /// 14 days [`Setting::CentralisedIsolation`] (a facility, or a room of one's own) from
    /// [`Anchor::LastExposure`]. Not in the row: 1 check a day (the row's "monitoring", taken
    /// as daily follow-up of temperature and symptoms), the fever threshold 38.0 °C (WHO's
    /// case definitions), and the ending: the row's release column is empty, and WHO counted
    /// "14 days from the last exposure" with no "after day N" convention, so the period ends on
    /// day 14 once that day's follow-up is clean ([`Release::OnLastDay`],
    /// [`Ending::AfterCleanLastCheck`]): a contact is not let out with a follow-up outstanding.
    pub fn who_2020_contact() -> Policy {
        Policy::from_checked_parts(
            Policy::builder("who_2020_contact", Anchor::LastExposure, vec![Phase::new(CentralisedIsolation, 14)])
                .source("| WHO 2020 | contact | facility/room | 14 | monitoring | |")
                .checks_per_day(1)
                .fever(Temperature::FEVER_38)
                .release(Release::OnLastDay)
                .ending(Ending::AfterCleanLastCheck),
        )
    }
}

/// Edition 9's 7 + 3: 7 days centralised isolation (tests 1, 2, 3, 5, 7), 3 days home health
/// monitoring (test on its day 3).
fn ed9_facility_and_home() -> Vec<Phase> {
    vec![
        Phase::new(CentralisedIsolation, 7).with_tests([1, 2, 3, 5, 7]),
        Phase::new(HomeHealthMonitoring, 3).with_tests([3]),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_preset_validates() {
        for p in Policy::presets() {
            assert_eq!(p.to_builder().problems(), [], "{}", p.name());
            assert_eq!(p.to_builder().build().as_ref(), Ok(&p), "{}", p.name());
            assert_eq!(Policy::preset(p.name()).as_ref(), Some(&p));
        }
        assert!(Temperature::from_tenths(Temperature::FEVER_CN.tenths()).is_ok());
        assert!(Temperature::from_tenths(Temperature::FEVER_38.tenths()).is_ok());
    }

    #[test]
    fn names_are_unique_and_sources_cite_their_rows() {
        let presets = Policy::presets();
        let names: BTreeSet<_> = presets.iter().map(Policy::name).collect();
        assert_eq!(names.len(), presets.len());
        for p in &presets {
            if p.name() == "seed_shanghai_2020" {
                assert!(p.source().starts_with("seed 001"));
                continue;
            }
            // Each cited row is a whole table row: six cells between pipes.
            for row in p.source().split(" ; ") {
                assert!(row.starts_with("| ") && row.ends_with(" |"), "{}: {row:?}", p.name());
                assert_eq!(row.matches('|').count(), 7, "{}: {row:?}", p.name());
            }
        }
    }

    #[test]
    fn the_row_marked_unverified_is_flagged() {
        assert!(Policy::cn_ed1_7_close_contact().source().contains('⚠'));
    }

    #[test]
    fn conventions_by_jurisdiction() {
        for p in Policy::presets() {
            let (release, ending) = if p.name().starts_with("us_") {
                (Release::DayAfter, Ending::Automatic)
            } else {
                (Release::OnLastDay, Ending::AfterCleanLastCheck)
            };
            assert_eq!((p.release(), p.ending()), (release, ending), "{}", p.name());
        }
        assert_eq!(Policy::cn_ed8_close_contact().total_days(), 21);
        assert_eq!(Policy::cn_ed9_close_contact().total_days(), 10);
        assert_eq!(Policy::cn_20_measures_close_contact().total_days(), 8);
        assert_eq!(Policy::cn_ed8_secondary_contact().linked(), Some(LinkedRelease::CN_SECONDARY_CONTACT));
        assert_eq!(Policy::cn_ed9_secondary_contact().linked(), Some(LinkedRelease::CN_SECONDARY_CONTACT));
        assert_eq!(Policy::cn_ed9_secondary_contact().checks_per_day(), 1);
        assert_eq!(Policy::seed_shanghai_2020().checks_per_day(), 2);
    }
}
