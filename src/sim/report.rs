//! A study's results as text: a Markdown table, CSV and an SVG chart with intervals. Pure
//! (strings); the host writes them where it likes. Numbers are printed with a fixed number of
//! decimals, the same on every platform.

use std::fmt::Write as _;

use super::{Interval, StudyResult};
use crate::text::thousands;

/// A mean and its interval, rounded to whole numbers: `1,234 (1,100–1,368)`.
fn cell(i: &Interval) -> String {
    let r = |v: f64| thousands(v.max(0.0).round() as u64);
    format!("{} ({}–{})", r(i.mean), r(i.low), r(i.high))
}

/// Characters that would break a CSV cell or an SVG text node.
fn plain(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ',' | '"' | '\n' | '\r' | '<' | '>' | '&')).collect()
}

impl StudyResult {
    /// The result table in Markdown: one row per management, each figure the mean over the
    /// seeds with its 95% t-interval in brackets.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "{} residents in {} households, {} days from {}, {} seeds; mean (95% t-interval of the mean over seeds).\n",
            thousands(self.residents),
            thousands(self.households),
            self.days,
            self.start,
            self.seeds.len()
        );
        let _ = writeln!(
            t,
            "| management | infections | confirmed | peak red households | person-days in isolation | \
             centralised | at home | staff records | peak staff records a day |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for arm in &self.arms {
            let s = &arm.summary;
            let _ = writeln!(
                t,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
                plain(&arm.name),
                cell(&s.infections),
                cell(&s.confirmed),
                cell(&s.peak_red),
                cell(&s.isolation_days),
                cell(&s.centralised_days),
                cell(&s.home_days),
                cell(&s.staff_tasks),
                cell(&s.peak_staff_tasks),
            );
        }
        t
    }

    /// One CSV row per run: its totals.
    pub fn runs_csv(&self) -> String {
        let mut s = String::from(
            "management,seed,infections,confirmed,peak_red,peak_day,centralised_days,home_days,staff_tasks,\
             cases_started,restarts,releases,commands,refused\n",
        );
        for arm in &self.arms {
            for o in &arm.runs {
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    plain(&arm.name),
                    o.seed,
                    o.infections,
                    o.confirmed,
                    o.peak_red,
                    o.peak_day,
                    o.centralised_days,
                    o.home_days,
                    o.staff_tasks,
                    o.cases_started,
                    o.restarts,
                    o.releases,
                    o.commands,
                    o.refused
                );
            }
        }
        s
    }

    /// One CSV row per management and day: red households and new infections, mean and 95%
    /// interval over the seeds (two decimals).
    pub fn daily_csv(&self) -> String {
        let mut s = String::from(
            "management,day,date,red_mean,red_low,red_high,new_infections_mean,new_infections_low,new_infections_high\n",
        );
        for arm in &self.arms {
            let name = plain(&arm.name);
            for (d, (red, inf)) in arm.summary.red_by_day.iter().zip(&arm.summary.infections_by_day).enumerate() {
                let date = self.start.checked_add_days(chrono::Days::new(d as u64)).unwrap_or(chrono::NaiveDate::MAX);
                let _ = writeln!(
                    s,
                    "{name},{d},{date},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2}",
                    red.mean, red.low, red.high, inf.mean, inf.low, inf.high
                );
            }
        }
        s
    }

    /// A line chart of the red households per day, the mean of each management with its 95%
    /// interval as a shaded band.
    pub fn svg(&self) -> String {
        let (w, h) = (920.0, 520.0);
        let (left, right, top, bottom) = (80.0, 270.0, 50.0, 60.0);
        let (pw, ph) = (w - left - right, h - top - bottom);
        let max =
            self.arms.iter().flat_map(|a| a.summary.red_by_day.iter().map(|i| i.high)).fold(1.0_f64, f64::max).ceil()
                as u64;
        // Five steps of a round size (1, 2 or 5 times a power of ten) up the y axis.
        let mut step = 1u64;
        'search: for power in 0..19 {
            for m in [1, 2, 5] {
                step = m * 10u64.pow(power);
                if step * 5 >= max {
                    break 'search;
                }
            }
        }
        let top_value = (step * 5) as f64;
        let days = self.days.max(1);
        let x = |d: f64| left + pw * d / f64::from(days.saturating_sub(1).max(1));
        let y = |v: f64| top + ph - ph * v.clamp(0.0, top_value) / top_value;
        let colours = ["#c0392b", "#2471a3", "#1e8449", "#7d3c98", "#b9770e", "#117a65"];
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{left}" y="24" font-size="15" font-weight="bold">Red households 红色户 per day: mean and 95% interval over {} seeds</text>"#,
            self.seeds.len()
        );
        let _ = writeln!(
            s,
            r##"<text x="{left}" y="40" fill="#555">{} residents, day 0 = {}; illustrative epidemic parameters (wangge::sim)</text>"##,
            thousands(self.residents),
            self.start
        );
        for i in 0..=5u64 {
            let v = step * i;
            let yy = y(v as f64);
            let _ = writeln!(
                s,
                r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                left + pw,
                left - 6.0,
                yy + 4.0,
                thousands(v)
            );
        }
        let tick = [1u32, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
            .into_iter()
            .find(|&t| t * 10 >= u32::from(days))
            .unwrap_or(1000);
        for d in (0..u32::from(days)).step_by(tick as usize) {
            let xx = x(f64::from(d));
            let _ = writeln!(
                s,
                r##"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="#999"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{d}</text>"##,
                top + ph,
                top + ph + 5.0,
                top + ph + 18.0
            );
        }
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/><line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="#333"/>"##,
            top + ph,
            left + pw,
            top + ph,
            top + ph
        );
        let _ = writeln!(s, r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">day</text>"#, left + pw / 2.0, h - 18.0);
        let _ = writeln!(
            s,
            r#"<text transform="translate(20 {:.1}) rotate(-90)" text-anchor="middle">red households</text>"#,
            top + ph / 2.0
        );
        for (k, arm) in self.arms.iter().enumerate() {
            let colour = colours[k % colours.len()];
            let series = &arm.summary.red_by_day;
            // The band: the high ends left to right, then the low ends back.
            let mut band: Vec<String> =
                series.iter().enumerate().map(|(d, i)| format!("{:.1},{:.1}", x(d as f64), y(i.high))).collect();
            band.extend(series.iter().enumerate().rev().map(|(d, i)| format!("{:.1},{:.1}", x(d as f64), y(i.low))));
            let _ = writeln!(
                s,
                r#"<polygon fill="{colour}" fill-opacity="0.18" stroke="none" points="{}"/>"#,
                band.join(" ")
            );
            let line: Vec<String> =
                series.iter().enumerate().map(|(d, i)| format!("{:.1},{:.1}", x(d as f64), y(i.mean))).collect();
            let _ = writeln!(
                s,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
                line.join(" ")
            );
            let ly = top + 10.0 + 34.0 * k as f64;
            let lx = left + pw + 16.0;
            let _ = writeln!(
                s,
                r##"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" fill="#555">peak {}</text>"##,
                lx + 20.0,
                lx + 26.0,
                ly + 4.0,
                plain(&arm.name),
                lx + 26.0,
                ly + 18.0,
                cell(&arm.summary.peak_red)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}
