//! The OpenAPI 3.1 description served at `/openapi.json`.
//!
//! How it is made, and why: the core's types carry serde derives, not a schema library's (the
//! core depends on no adapter, and `utoipa`/`schemars` derives would have to sit on every
//! type of it). So the paths are written here once, as data beside the router, and the schema
//! of the request body, [`Command`], is **read from the type itself** through serde: a tiny
//! deserializer ([`variants`]) asks `Command`'s derived `Deserialize` for each variant's name
//! and field names, exactly as serde_json reads them. A command added to the core appears here
//! without an edit, with its fields; their own types are described as "any JSON" (a full
//! schema of every nested type is what a schema derive in the core would give, later).

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, VariantAccess, Visitor};
use serde_json::{Value, json};
use wangge::Command;

/// How a variant of an externally tagged enum is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A bare string: `"Variant"`.
    Unit,
    /// `{"Variant": value}`.
    Newtype,
    /// `{"Variant": [..n]}`.
    Tuple(usize),
    /// `{"Variant": {fields}}`.
    Struct(Vec<&'static str>),
}

/// Every variant of the enum `T` with its shape, in declaration order, from `T`'s derived
/// `Deserialize` (empty for a type that is not an enum).
pub fn variants<T: for<'de> de::Deserialize<'de>>() -> Vec<(&'static str, Shape)> {
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe { names: &mut names, pick: None, shape: &mut None });
    names
        .iter()
        .map(|&name| {
            let mut shape = None;
            let mut ignored: &'static [&'static str] = &[];
            let _ = T::deserialize(Probe { names: &mut ignored, pick: Some(name), shape: &mut shape });
            (name, shape.unwrap_or(Shape::Unit))
        })
        .collect()
}

/// A deserializer that records an enum's variant names, or picks one and records its shape.
struct Probe<'a> {
    names: &'a mut &'static [&'static str],
    pick: Option<&'static str>,
    shape: &'a mut Option<Shape>,
}

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("probe")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for Probe<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        *self.names = variants;
        match self.pick {
            None => Err(Stop),
            Some(pick) => visitor.visit_enum(Picked { name: pick, shape: self.shape }),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Picked<'a> {
    name: &'static str,
    shape: &'a mut Option<Shape>,
}

impl<'de, 'a> EnumAccess<'de> for Picked<'a> {
    type Error = Stop;
    type Variant = Picked<'a>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Picked<'a>), Stop> {
        let name: de::value::StrDeserializer<'_, Stop> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> VariantAccess<'de> for Picked<'_> {
    type Error = Stop;

    fn unit_variant(self) -> Result<(), Stop> {
        *self.shape = Some(Shape::Unit);
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _: S) -> Result<S::Value, Stop> {
        *self.shape = Some(Shape::Newtype);
        Err(Stop)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, _: V) -> Result<V::Value, Stop> {
        *self.shape = Some(Shape::Tuple(len));
        Err(Stop)
    }

    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], _: V) -> Result<V::Value, Stop> {
        *self.shape = Some(Shape::Struct(fields.to_vec()));
        Err(Stop)
    }
}

/// The JSON schema of an externally tagged enum from its variants.
fn enum_schema(variants: &[(&'static str, Shape)]) -> Value {
    let one_of: Vec<Value> = variants
        .iter()
        .map(|(name, shape)| match shape {
            Shape::Unit => json!({ "const": name }),
            Shape::Newtype => json!({ "type": "object", "required": [name], "additionalProperties": false,
                                      "properties": { *name: {} } }),
            Shape::Tuple(n) => json!({ "type": "object", "required": [name], "additionalProperties": false,
                                        "properties": { *name: { "type": "array", "minItems": n, "maxItems": n } } }),
            Shape::Struct(fields) => {
                let properties: serde_json::Map<String, Value> = fields.iter().map(|f| ((*f).to_owned(), json!({}))).collect();
                json!({ "type": "object", "required": [name], "additionalProperties": false,
                        "properties": { *name: { "type": "object", "properties": properties, "additionalProperties": false } } })
            }
        })
        .collect();
    json!({ "oneOf": one_of })
}

/// The description of the service.
pub fn document() -> Value {
    let error = json!({ "$ref": "#/components/schemas/Error" });
    let errors = |codes: &[&str]| -> Value {
        let mut m = serde_json::Map::new();
        for code in codes {
            m.insert(
                (*code).to_owned(),
                json!({ "description": "an error", "content": { "application/json": { "schema": error } } }),
            );
        }
        Value::Object(m)
    };
    let unit_param = json!({ "name": "unit", "in": "path", "required": true, "schema": { "type": "string" },
                             "description": "a unit id: u12 (or 12)" });
    let date_param = json!({ "name": "date", "in": "query", "required": false, "schema": { "type": "string", "format": "date" },
                             "description": "YYYY-MM-DD; the registry's business date when absent" });
    let paging = [
        json!({ "name": "offset", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0 } }),
        json!({ "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0, "maximum": crate::api::PAGE_LIMIT } }),
    ];
    let ok =
        |description: &str| json!({ "description": description, "content": { "application/json": { "schema": {} } } });
    let read = |summary: &str, params: Vec<Value>, answer: Value| {
        let mut responses = errors(&["401", "404", "422"]);
        if let Value::Object(m) = &mut responses {
            m.insert("200".to_owned(), answer);
        }
        json!({ "get": { "summary": summary, "security": [{ "bearer": [] }], "parameters": params, "responses": responses } })
    };
    let mut command_responses = errors(&["401", "403", "404", "409", "422", "500", "503", "507"]);
    if let Value::Object(m) = &mut command_responses {
        m.insert(
            "200".to_owned(),
            json!({ "description": "the command's record: kind, position, repeated, events",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Applied" } } } }),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wangge-server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The reference service of wangge 网格: commands in the core's serde JSON, reports within the token's scope. Errors are {code, kind, message}: not_found 404, conflict 409, invalid 422, forbidden 403, corrupt 500, unauthorized 401."
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "required": ["code", "kind", "message"], "properties": {
                    "code": { "type": "string" }, "kind": { "type": "string",
                    "enum": ["not_found", "conflict", "invalid", "forbidden", "corrupt", "unauthorized", "unavailable"] },
                    "message": { "type": "string" } } },
                "Command": enum_schema(&variants::<Command>()),
                "Applied": { "type": "object", "required": ["kind", "position", "repeated", "events"], "properties": {
                    "kind": { "type": "string" }, "position": { "type": "integer" }, "repeated": { "type": "boolean" },
                    "events": { "type": "array" } } }
            }
        },
        "paths": {
            "/openapi.json": { "get": { "summary": "this description", "responses": { "200": ok("OpenAPI 3.1") } } },
            "/health": { "get": { "summary": "the log's position and the business date (no token needed)", "responses": { "200": ok("health") } } },
            "/whoami": read("the token's role and the roots of its scope", vec![], ok("role and roots")),
            "/commands": { "post": {
                "summary": "execute a command (persisted, then applied); the same Request-Id again returns the first answer",
                "security": [{ "bearer": [] }],
                "parameters": [{ "name": crate::api::REQUEST_ID, "in": "header", "required": false, "schema": { "type": "string" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Command" } } } },
                "responses": command_responses
            } },
            "/units": read("the roots of the token's scope, each with its counts and tally", vec![], ok("units")),
            "/units/{unit}": read("a unit, its parent and its children, each with counts and the tally of the five colours", vec![unit_param.clone()], ok("unit report")),
            "/units/{unit}/households": read("the households within a unit, paged", [vec![unit_param.clone()], paging.to_vec()].concat(), ok("a page of households")),
            "/units/{unit}/map.svg": read("the courtyard map 院区平面图 of a unit on a date", vec![unit_param, date_param.clone()],
                json!({ "description": "SVG", "content": { "image/svg+xml": { "schema": { "type": "string" } } } })),
            "/agenda": read("the agenda 每日工作清单 of a date within the scope, paged, each line with its door and unit name",
                [vec![date_param.clone()], paging.to_vec()].concat(), ok("a page of the agenda")),
            "/dashboard": { "get": { "summary": "the dashboard 看板: the morning view as HTML (token as ?token= or the bearer header)",
                "parameters": [{ "name": "token", "in": "query", "required": false, "schema": { "type": "string" } },
                               { "name": "unit", "in": "query", "required": false, "schema": { "type": "string" } }],
                "responses": { "200": { "description": "HTML", "content": { "text/html": { "schema": { "type": "string" } } } } } } },
            "/staff/{staff}/worklist": read("a staff member's worklist 工作清单 of a date",
                vec![json!({ "name": "staff", "in": "path", "required": true, "schema": { "type": "string" } }), date_param], ok("tasks"))
        }
    })
}
