//! The dashboard 看板 (issue 18 §3): the morning view of a sub-district as one server-rendered
//! HTML page, a few lines of JavaScript, no build step.
//!
//! `GET /dashboard?token=…&unit=u1&date=2020-02-04`: the unit's households and persons of each
//! colour 四级五色 and its children's, each child a link one level down (drill-down to a
//! courtyard 楼院), the courtyard map 院区平面图 when the unit is a compound, and the day's
//! agenda 每日工作清单 within the unit. Labels in Chinese and English. A browser cannot send a
//! bearer header from a link, so the page takes the token as a query parameter (a demo's
//! convenience: a deployment puts a session cookie in front); it reads through the token's
//! scope exactly as the API does, so a scoped token's page shows nothing outside.
//!
//! Every figure sits in a `data-` attribute beside the text (`data-unit`, `data-colour`,
//! `data-households`, `data-persons`), for the browser test to compare with the API.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use std::fmt::Write as _;
use wangge::colour::Colour;
use wangge::grid::UnitKind;
use wangge::{Registry, Scope, UnitId};

use crate::api::App;

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    token: Option<String>,
    unit: Option<String>,
    date: Option<String>,
}

/// `text` safe inside HTML text and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` safe inside a query string.
fn query_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"><style>{STYLE}</style></head><body>{body}\
         <script>{SCRIPT}</script></body></html>",
        esc(title)
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

const STYLE: &str = "body{font:14px/1.4 system-ui,'Noto Sans CJK SC',sans-serif;margin:1.5em;color:#222}\
h1{margin:.2em 0}h1 small{color:#666;font-weight:normal;font-size:.6em}table{border-collapse:collapse;margin:.5em 0}\
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}\
tr.self{font-weight:bold;background:#f4f4f4}.Red{color:#c00}.Orange{color:#d70}.Yellow{color:#a80}\
.Green{color:#080}.White{color:#777}nav a{margin-right:.4em}section{margin-top:1.2em}\
#agenda td{text-align:left}#map svg{max-width:100%;height:auto;border:1px solid #ccc}";

const SCRIPT: &str = "document.querySelectorAll('tr[data-href]').forEach(function(r){\
r.style.cursor='pointer';r.addEventListener('click',function(){location.href=r.dataset.href;});});\
var f=document.getElementById('filter');if(f){f.addEventListener('input',function(){\
var q=f.value.toLowerCase();document.querySelectorAll('#agenda tbody tr').forEach(function(r){\
r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});}";

/// The morning view.
pub(crate) async fn dashboard(State(app): State<App>, Query(p): Query<Params>) -> Response {
    let Some(access) = p.token.as_deref().and_then(|t| app.tokens.access(t)) else {
        let body = "<h1>401</h1><p>需要令牌 A token is needed: <code>/dashboard?token=…</code></p>";
        return page(StatusCode::UNAUTHORIZED, "401", body);
    };
    let token = p.token.clone().unwrap_or_default();
    let registry = app.book.read();
    let roots = access.reach(&registry).roots(&registry);
    if roots.is_empty() {
        return page(
            StatusCode::OK,
            "网格 wangge",
            "<h1>网格 wangge</h1><p id=\"nothing\">此令牌无管辖范围,无可显示 · This token has no scope: nothing to show.</p>",
        );
    }
    let scope = match registry.scope(&roots) {
        Ok(scope) => scope,
        Err(e) => return page(StatusCode::INTERNAL_SERVER_ERROR, "error", &esc(&e.to_string())),
    };
    let unit = match p.unit.as_deref() {
        None => roots.first().copied().unwrap_or(registry.root()),
        Some(text) => match text.parse::<UnitId>() {
            Ok(u) => u,
            Err(_) => return page(StatusCode::UNPROCESSABLE_ENTITY, "422", "<h1>422</h1><p>not a unit id</p>"),
        },
    };
    let date = match p.date.as_deref().map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d")) {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            return page(StatusCode::UNPROCESSABLE_ENTITY, "422", "<h1>422</h1><p>a date is YYYY-MM-DD</p>");
        }
        None => registry.business_date(),
    };
    match render(&registry, &scope, unit, date, &token) {
        Ok((title, body)) => page(StatusCode::OK, &title, &body),
        Err(e) => {
            let status = crate::error::status_of(e.kind());
            page(status, "error", &format!("<h1>{}</h1><p>{}</p>", status.as_u16(), esc(&e.to_string())))
        }
    }
}

/// The same page behind the API's bearer header (for clients that have one).
pub(crate) async fn dashboard_with_header(
    State(app): State<App>,
    headers: HeaderMap,
    Query(mut p): Query<Params>,
) -> Response {
    if p.token.is_none() {
        p.token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
    }
    dashboard(State(app), Query(p)).await
}

fn render(
    registry: &Registry,
    scope: &Scope<'_>,
    unit: UnitId,
    date: Option<NaiveDate>,
    token: &str,
) -> Result<(String, String), wangge::Error> {
    let u = scope.unit(unit)?;
    let spec = registry.tree().scheme().spec(u.level());
    let (level, level_zh) =
        spec.map_or((String::new(), String::new()), |s| (s.name().to_owned(), s.name_zh().to_owned()));
    let link = |to: UnitId| {
        let mut href = format!("/dashboard?token={}&unit={to}", query_escape(token));
        if let Some(d) = date {
            let _ = write!(href, "&date={d}");
        }
        href
    };
    let mut body = String::new();
    let _ = write!(body, "<nav id=\"path\">");
    // The scope's ancestors of the unit, from the top.
    for a in scope.ancestors(unit)? {
        let _ = write!(body, "<a href=\"{}\">{}</a> ›", esc(&link(a)), esc(scope.unit(a)?.name()));
    }
    let _ = write!(body, "</nav>");
    let _ = write!(
        body,
        "<h1 id=\"title\" data-unit=\"{unit}\">{} <small>{} {} · {}</small></h1>",
        esc(u.name()),
        esc(&level_zh),
        esc(&level),
        esc(&u.kind().to_string())
    );
    let date_text = date.map_or_else(|| "—".to_owned(), |d| d.to_string());
    let _ = write!(
        body,
        "<p>日期 Date: <b id=\"date\">{date_text}</b> · 业务日期 business date: {}</p>",
        registry.business_date().map_or_else(|| "—".to_owned(), |d| d.to_string())
    );
    // The tallies: the unit, then each child.
    let _ = write!(
        body,
        "<section id=\"tally\"><h2>各色户数 · 人数 Households · persons by colour</h2><table id=\"units\"><thead><tr><th>单位 Unit</th>"
    );
    for c in Colour::BY_SEVERITY {
        let _ = write!(body, "<th class=\"{c:?}\">{} {}</th>", c.label_zh(), c.label_en());
    }
    let _ = write!(body, "<th>合计 Total</th></tr></thead><tbody>");
    let row = |body: &mut String, u: UnitId, own: bool| -> Result<(), wangge::Error> {
        let tally = scope.tally(u)?;
        let counts = scope.counts(u)?;
        let name = esc(scope.unit(u)?.name());
        if own {
            let _ = write!(body, "<tr class=\"self\" data-unit=\"{u}\"><td>{name}</td>");
        } else {
            let href = esc(&link(u));
            let _ = write!(body, "<tr data-unit=\"{u}\" data-href=\"{href}\"><td><a href=\"{href}\">{name}</a></td>");
        }
        for c in Colour::BY_SEVERITY {
            let (h, p) = (tally.households(c), tally.persons(c));
            let _ = write!(
                body,
                "<td class=\"{c:?}\" data-colour=\"{c:?}\" data-households=\"{h}\" data-persons=\"{p}\">{h} 户 / {p} 人</td>"
            );
        }
        let _ = write!(body, "<td>{} 户 / {} 人</td></tr>", counts.households, counts.persons);
        Ok(())
    };
    row(&mut body, unit, true)?;
    for &child in scope.children(unit)? {
        row(&mut body, child, false)?;
    }
    let _ = write!(body, "</tbody></table></section>");
    // The courtyard map, for a compound.
    if let (UnitKind::Compound(_), Some(d)) = (u.kind(), date) {
        let svg = scope.map(unit, d)?.to_svg();
        let _ = write!(body, "<section id=\"map\"><h2>院区平面图 Courtyard map</h2>{svg}</section>");
    }
    // The day's agenda within the unit.
    if let Some(d) = date {
        let agenda = scope.agenda(d);
        let tree = registry.tree();
        let items: Vec<_> =
            agenda.items().iter().filter(|i| tree.is_within(i.unit, unit).unwrap_or(false)).copied().collect();
        let _ = write!(
            body,
            "<section id=\"agenda\" data-items=\"{}\"><h2>今日工作清单 Today's agenda ({})</h2>\
             <input id=\"filter\" placeholder=\"筛选 filter\"><table><thead><tr><th>事项 Item</th><th>门牌 Door</th>\
             <th>单位 Unit</th><th>人员 Person</th></tr></thead><tbody>",
            items.len(),
            items.len()
        );
        for line in registry.labelled(items.get(..items.len().min(200)).unwrap_or(&[])) {
            let _ = write!(
                body,
                "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                line.item.item.label_zh(),
                line.item.item.label_en(),
                esc(&line.door.to_string()),
                esc(&line.unit_name),
                line.item.person
            );
        }
        let more = items.len().saturating_sub(200);
        if more > 0 {
            let _ = write!(body, "<tr><td colspan=\"4\">… {more} more</td></tr>");
        }
        let _ = write!(body, "</tbody></table></section>");
    }
    Ok((format!("{} · 网格 wangge", u.name()), body))
}
