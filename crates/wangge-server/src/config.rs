//! The tokens file 令牌: who may call the service, in which role, over which scope.
//!
//! A JSON file names the roles (the command categories and kinds each may send: data, not
//! code) and the tokens (each with a role and a scope). Everything not granted is refused:
//! an unknown token gets 401, a command kind its role does not list 403, and a token with no
//! scope sees nothing and may send nothing.
//!
//! ```json
//! {
//!   "roles": {
//!     "sub_district": { "categories": ["structure", "register", "state", "case", "duty", "work",
//!                                      "finding", "gate", "workplace", "city_wide"] },
//!     "grid_worker":  { "categories": ["case", "finding"], "kinds": ["complete_task"] },
//!     "viewer":       {}
//!   },
//!   "tokens": [
//!     { "token": "d3m0-…", "role": "sub_district", "scope": "all" },
//!     { "token": "gw-…",   "role": "grid_worker",  "scope": { "units": ["u2"] } },
//!     { "token": "cell-…", "role": "viewer",       "scope": { "cell": "c0" } },
//!     { "token": "none-…", "role": "viewer" }
//!   ]
//! }
//! ```
//!
//! A scope is `"all"` (the whole registry: city-wide commands allowed), `{"units": [...]}` (the
//! subtrees of those units 管辖范围) or `{"cell": "c0"}` (the units of an overlay cell 网格);
//! none at all sees nothing. A subtree or cell scope reads and writes through the core's
//! [`Scope`](wangge::Scope) and [`Registry::prepare_within`](wangge::Registry::prepare_within),
//! so a city-wide command sent through it is refused with the core's
//! [`RegistryError::CityWide`](wangge::RegistryError::CityWide).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use wangge::registry::CommandCategory;
use wangge::{CellId, Command, Registry, UnitId};

/// What can be wrong with a tokens file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a tokens file (the JSON error names the line and column).
    #[error("{path}: not a tokens file: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A token names a role the file does not define (the token itself is not repeated).
    #[error("token number {index} names the role {role:?}, which the file does not define")]
    UnknownRole {
        /// The token's place in the file, from 0.
        index: usize,
        /// The role named.
        role: String,
    },
    /// The same token twice.
    #[error("token number {index} is given twice")]
    DuplicateToken {
        /// The second place, from 0.
        index: usize,
    },
    /// An empty token.
    #[error("token number {index} is empty")]
    EmptyToken {
        /// The token's place, from 0.
        index: usize,
    },
    /// A unit or cell id that is not one (`u12`, `c3`).
    #[error("token number {index}: {text:?} is not a {what} id")]
    BadId {
        /// The token's place, from 0.
        index: usize,
        /// What was expected (`unit`, `cell`).
        what: &'static str,
        /// The text.
        text: String,
    },
}

/// A role 角色: the commands its tokens may send, by category and by kind (either grants).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Categories allowed whole ([`Command::category`]).
    #[serde(default)]
    pub categories: Vec<CommandCategory>,
    /// Kinds allowed one by one ([`Command::kind`], `"record_check"`).
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl Role {
    /// Whether the role may send `command`.
    pub fn allows(&self, command: &Command) -> bool {
        self.categories.contains(&command.category()) || self.kinds.iter().any(|k| k == command.kind())
    }
}

/// Where a token may read and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeSpec {
    /// The whole registry: reads from the root, writes unscoped (city-wide commands too).
    All,
    /// The subtrees of these units.
    Units(Vec<UnitId>),
    /// The units of an overlay cell (a grid 网格), as they are when the request comes.
    Cell(CellId),
}

/// What a scope comes to against the registry as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Nothing: no scope, or a scope whose units and cell do not exist (fail closed).
    Nothing,
    /// The subtrees of these roots (a scope of the core).
    Within(Vec<UnitId>),
    /// The whole registry.
    All,
}

impl Reach {
    /// The roots reads go through: the registry's root for [`Reach::All`], none for nothing.
    pub fn roots(&self, registry: &Registry) -> Vec<UnitId> {
        match self {
            Reach::Nothing => Vec::new(),
            Reach::Within(roots) => roots.clone(),
            Reach::All => vec![registry.root()],
        }
    }
}

/// A token's grant: its role's name and rules, and its scope (`None`: sees nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The role's name.
    pub role_name: String,
    /// The role.
    pub role: Role,
    /// The scope.
    pub scope: Option<ScopeSpec>,
}

impl Access {
    /// The scope against `registry` now: units that no longer exist (or a cell that does not)
    /// are dropped, and with nothing left the token sees nothing.
    pub fn reach(&self, registry: &Registry) -> Reach {
        let units = match &self.scope {
            None => return Reach::Nothing,
            Some(ScopeSpec::All) => return Reach::All,
            Some(ScopeSpec::Units(units)) => units.clone(),
            Some(ScopeSpec::Cell(cell)) => match registry.overlays().cell(*cell) {
                Ok(cell) => cell.units().to_vec(),
                Err(_) => return Reach::Nothing,
            },
        };
        let tree = registry.tree();
        let kept: Vec<UnitId> = units.into_iter().filter(|&u| tree.check(u).is_ok()).collect();
        if kept.is_empty() { Reach::Nothing } else { Reach::Within(kept) }
    }
}

/// The tokens the service accepts, each with its grant. `Debug` prints no token.
#[derive(Clone, Default)]
pub struct Tokens {
    by_token: HashMap<String, Access>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("tokens", &self.by_token.len()).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    roles: HashMap<String, Role>,
    #[serde(default)]
    tokens: Vec<TokenEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    token: String,
    role: String,
    #[serde(default)]
    scope: Option<ScopeEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum ScopeEntry {
    All,
    Units(Vec<String>),
    Cell(String),
}

impl Tokens {
    /// Read a tokens file.
    ///
    /// # Errors
    /// [`ConfigError`]: the file cannot be read or is not a tokens file.
    pub fn load(path: &Path) -> Result<Tokens, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        Tokens::from_json(&text).map_err(|e| match e {
            ConfigError::Json { source, .. } => ConfigError::Json { path: path.into(), source },
            other => other,
        })
    }

    /// Tokens from the JSON text of a tokens file.
    ///
    /// # Errors
    /// [`ConfigError`]: not a tokens file, an unknown role, an empty or repeated token, a bad id.
    pub fn from_json(text: &str) -> Result<Tokens, ConfigError> {
        let file: File =
            serde_json::from_str(text).map_err(|source| ConfigError::Json { path: PathBuf::new(), source })?;
        let mut by_token = HashMap::new();
        for (index, entry) in file.tokens.into_iter().enumerate() {
            if entry.token.is_empty() {
                return Err(ConfigError::EmptyToken { index });
            }
            let role = file
                .roles
                .get(&entry.role)
                .cloned()
                .ok_or_else(|| ConfigError::UnknownRole { index, role: entry.role.clone() })?;
            let bad = |what: &'static str, text: &str| ConfigError::BadId { index, what, text: text.to_owned() };
            let scope = match entry.scope {
                None => None,
                Some(ScopeEntry::All) => Some(ScopeSpec::All),
                Some(ScopeEntry::Units(units)) => Some(ScopeSpec::Units(
                    units.iter().map(|u| u.parse::<UnitId>().map_err(|_| bad("unit", u))).collect::<Result<_, _>>()?,
                )),
                Some(ScopeEntry::Cell(c)) => Some(ScopeSpec::Cell(c.parse::<CellId>().map_err(|_| bad("cell", &c))?)),
            };
            let access = Access { role_name: entry.role, role, scope };
            if by_token.insert(entry.token, access).is_some() {
                return Err(ConfigError::DuplicateToken { index });
            }
        }
        Ok(Tokens { by_token })
    }

    /// The grant of `token`, if it is one.
    pub fn access(&self, token: &str) -> Option<&Access> {
        self.by_token.get(token)
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    /// Whether there are none (then every request is refused).
    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }
}

/// The tokens file `cargo run` writes beside a new store: a sub-district token over everything,
/// a community's party secretary over its first community, a viewer of one courtyard and a
/// token with no scope. Tokens are made from `seed` (the process's start, say): a demo, not a
/// secret store.
pub fn demo_tokens_json(seed: u64, community: UnitId, courtyard: UnitId) -> String {
    let token = |n: u64| {
        format!("{:016x}", seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(n * 1_442_695_040_888_963_407))
    };
    let all = wangge::registry::CommandCategory::ALL.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    format!(
        r#"{{
  "roles": {{
    "sub_district": {{ "categories": [{all}] }},
    "community": {{ "categories": ["structure", "register", "state", "case", "duty", "work", "finding", "gate", "workplace"] }},
    "grid_worker": {{ "categories": ["case", "finding"], "kinds": ["complete_task"] }},
    "viewer": {{}}
  }},
  "tokens": [
    {{ "token": "demo-{}", "role": "sub_district", "scope": "all" }},
    {{ "token": "community-{}", "role": "community", "scope": {{ "units": ["{community}"] }} }},
    {{ "token": "yard-{}", "role": "viewer", "scope": {{ "units": ["{courtyard}"] }} }},
    {{ "token": "noscope-{}", "role": "viewer" }}
  ]
}}
"#,
        token(1),
        token(2),
        token(3),
        token(4)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokens_file_is_checked_whole() {
        let roles = r#""roles": {"r": {"categories": ["case"], "kinds": ["add_household"]}}"#;
        let file = |tokens: &str| format!("{{{roles}, \"tokens\": [{tokens}]}}");
        assert!(matches!(
            Tokens::from_json(&file(r#"{"token": "a", "role": "nobody"}"#)),
            Err(ConfigError::UnknownRole { index: 0, .. })
        ));
        assert!(matches!(
            Tokens::from_json(&file(r#"{"token": "a", "role": "r"}, {"token": "a", "role": "r"}"#)),
            Err(ConfigError::DuplicateToken { index: 1 })
        ));
        assert!(matches!(
            Tokens::from_json(&file(r#"{"token": "", "role": "r"}"#)),
            Err(ConfigError::EmptyToken { index: 0 })
        ));
        assert!(matches!(
            Tokens::from_json(&file(r#"{"token": "a", "role": "r", "scope": {"units": ["x1"]}}"#)),
            Err(ConfigError::BadId { what: "unit", .. })
        ));
        assert!(matches!(
            Tokens::from_json(r#"{"roles": {}, "tokens": [], "extra": 1}"#),
            Err(ConfigError::Json { .. })
        ));
        let tokens = Tokens::from_json(&file(
            r#"{"token": "a", "role": "r", "scope": {"cell": "c2"}}, {"token": "b", "role": "r"}"#,
        ));
        let Ok(tokens) = tokens else { panic!("a good file: {tokens:?}") };
        assert_eq!(tokens.access("a").map(|a| a.scope.clone()), Some(Some(ScopeSpec::Cell(CellId::new(2)))));
        assert_eq!(tokens.access("b").map(|a| a.scope.clone()), Some(None));
        assert!(tokens.access("c").is_none());
        // No token in Debug.
        assert!(!format!("{tokens:?}").contains("\"a\""));
    }

    #[test]
    fn a_role_allows_by_category_or_kind_and_nothing_else() {
        let role = Role { categories: vec![CommandCategory::Case], kinds: vec!["open_day".into()] };
        let day = chrono::NaiveDate::from_ymd_opt(2020, 2, 1).unwrap_or_default();
        assert!(role.allows(&Command::OpenDay { today: day }));
        let person = wangge::PersonId::new(0);
        let at = day.and_hms_opt(8, 0, 0).unwrap_or_default();
        let temperature = wangge::quarantine::Temperature::from_tenths(365);
        if let Ok(temperature) = temperature {
            assert!(role.allows(&Command::RecordCheck { person, at, temperature, symptoms: false }));
        }
        assert!(!role.allows(&Command::CloseUnit { unit: UnitId::new(1), on: day, transfer_to: None }));
        assert!(!Role::default().allows(&Command::OpenDay { today: day }));
    }

    #[test]
    fn the_demo_tokens_file_reads_back() {
        let text = demo_tokens_json(7, UnitId::new(1), UnitId::new(10));
        let tokens = Tokens::from_json(&text);
        assert!(matches!(tokens, Ok(ref t) if t.len() == 4), "{tokens:?}");
    }
}
