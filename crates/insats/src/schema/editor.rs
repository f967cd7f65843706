//! The editor's schema: the JSON Schema of plan and follow-up files,
//! derived from the serde types in [`super`] (the `schema` feature).

use schemars::JsonSchema;

use super::TomlDocument;

/// The JSON Schema (draft 2020-12) of plan and follow-up files, derived
/// from these types: what editors (Even Better TOML, taplo) use for
/// completion, hover documentation and inline errors. Pretty-printed, it
/// is [`super::JSON_SCHEMA`] (a test holds the two together).
pub fn json_schema() -> schemars::Schema {
    // An optional key is its value's schema, not `anyOf [value, null]`:
    // TOML has no null, and with the null branch an editor reports a bad
    // value at the whole table ("not valid under any of the schemas")
    // instead of at the value ("is not a date").
    let mut value = schemars::schema_for!(TomlDocument).to_value();
    without_null(&mut value);
    for_taplo_lookups(&mut value);
    let mut schema =
        schemars::Schema::try_from(value).unwrap_or_else(|_| schemars::schema_for!(TomlDocument));
    schema.insert("title".into(), "insats plan and follow-up file".into());
    schema.insert(
        "description".into(),
        "An insats plan file (with [initiative]) or shared file: funding, budget lines, outcome targets, indicators, source documents, spending, measurements and ledger imports. See docs/format.md.".into(),
    );
    schema
}

/// Takes the `null` that schemars gives an `Option` out of every schema:
/// `anyOf [X, {type: null}]` becomes X, `type: [T, "null"]` becomes T, and
/// `enum`s lose a `null` value.
fn without_null(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            if let Some(Value::Array(branches)) = map.get_mut("anyOf") {
                branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
                if branches.len() == 1 {
                    let only = branches.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (k, v) in inner {
                            map.entry(k).or_insert(v);
                        }
                    }
                }
            }
            as_enum(map);
            for v in map.values_mut() {
                without_null(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

/// Makes the schema answer the lookups of taplo's language server (the
/// one in Even Better TOML) as they are made in taplo 0.10, where three
/// things kept hovering from showing a key's description:
/// - It adds an array's index twice (tamasfe/taplo#278): the keys inside
///   `[[line]]` are looked up at `line.0.0.category`. A table that is an
///   array's item therefore also has itself as `items`, so the second
///   index leads back to the table.
/// - A key whose value is a non-empty array is described by the array's
///   items (tamasfe/taplo#788). Items therefore carry the array's
///   description.
/// - A `$ref` is followed and the description beside it dropped, so
///   `amount` showed only what a decimal is. A value of a named scalar
///   type (a decimal, a date, a category) is therefore copied in, with
///   the key's description before the type's own.
///
/// Validation is unchanged: `items` in a table's schema applies to arrays
/// only, and a copied value is the value it referred to.
fn for_taplo_lookups(document: &mut serde_json::Value) {
    use serde_json::{Map, Value};

    /// `node`, a `$ref` to a scalar type with `description`, as a copy of
    /// that type with the two descriptions.
    fn inline_scalar(node: &mut Map<String, Value>, description: &str, defs: &Map<String, Value>) {
        let Some(name) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        else {
            return;
        };
        let Some(Value::Object(def)) = defs.get(name) else {
            return;
        };
        if def.contains_key("properties") || def.contains_key("anyOf") {
            return;
        }
        let text = match def.get("description").and_then(Value::as_str) {
            Some(of_type) => format!("{description}\n\n{of_type}"),
            None => description.to_owned(),
        };
        let mut copy = def.clone();
        for (key, value) in std::mem::take(node) {
            if key != "$ref" {
                copy.insert(key, value);
            }
        }
        copy.insert("description".into(), text.into());
        *node = copy;
    }

    fn visit(value: &mut Value, defs: &Map<String, Value>, tables: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                let description = map
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                if let Some(description) = &description {
                    inline_scalar(map, description, defs);
                }
                if let Some(Value::Object(items)) = map.get_mut("items") {
                    let item_type = items
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/$defs/"))
                        .map(str::to_owned);
                    match (item_type, description) {
                        (Some(name), _)
                            if defs
                                .get(&name)
                                .is_some_and(|d| d.get("properties").is_some()) =>
                        {
                            tables.push(name);
                        }
                        (Some(_), Some(description)) => inline_scalar(items, &description, defs),
                        (None, Some(description)) => {
                            items.entry("description").or_insert(description.into());
                        }
                        (_, None) => {}
                    }
                }
                // A map of names (`properties`, `$defs`) holds schemas,
                // and is not one itself: a key named `description` is no
                // description.
                for (key, child) in map.iter_mut() {
                    match (key.as_str(), child) {
                        ("properties" | "$defs", Value::Object(named)) => {
                            named.values_mut().for_each(|v| visit(v, defs, tables));
                        }
                        (_, child) => visit(child, defs, tables),
                    }
                }
            }
            Value::Array(values) => values.iter_mut().for_each(|v| visit(v, defs, tables)),
            _ => {}
        }
    }

    let defs = document
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut tables = Vec::new();
    // A type's own description stays its own: a type has no `$ref`, so
    // nothing is copied into it.
    visit(document, &defs, &mut tables);
    if let Some(Value::Object(own_defs)) = document.get_mut("$defs") {
        for name in tables {
            if let Some(Value::Object(table)) = own_defs.get_mut(&name) {
                table.insert(
                    "items".into(),
                    serde_json::json!({ "$ref": format!("#/$defs/{name}") }),
                );
            }
        }
    }
}

/// A `oneOf` of constants (how schemars writes a documented enum) as an
/// `enum` of its values, each value's text added to the description: a
/// validator then names the allowed values at a wrong one, where a
/// `oneOf` only says that no branch matched.
fn as_enum(map: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::Value;
    let Some(Value::Array(branches)) = map.get("oneOf") else {
        return;
    };
    let constants: Option<Vec<(Value, Option<String>)>> = branches
        .iter()
        .map(|b| {
            let value = b.get("const")?.clone();
            let text = b
                .get("description")
                .and_then(Value::as_str)
                .map(|t| t.replace('\n', " ").trim_end_matches('.').to_owned());
            Some((value, text))
        })
        .collect();
    let Some(constants) = constants else {
        return;
    };
    let values: Vec<String> = constants
        .iter()
        .map(|(v, text)| match text {
            Some(text) => format!("`{}`: {text}", v.as_str().unwrap_or_default()),
            None => format!("`{}`", v.as_str().unwrap_or_default()),
        })
        .collect();
    let description = match map.get("description").and_then(Value::as_str) {
        Some(d) => format!("{d} One of: {}", values.join("; ")),
        None => format!("One of: {}", values.join("; ")),
    };
    map.remove("oneOf");
    map.insert("type".into(), "string".into());
    map.insert(
        "enum".into(),
        Value::Array(constants.into_iter().map(|(v, _)| v).collect()),
    );
    map.insert("description".into(), description.into());
}

impl JsonSchema for super::TomlDecimal {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An exact decimal: a TOML number, or a string such as \"1234.50\".",
            // One schema with two types, not `anyOf [number, string]`: an
            // editor offers a key once per branch of an `anyOf`, so an
            // amount was offered twice. `pattern` applies to strings only.
            "type": ["number", "string"],
            "pattern": "^-?[0-9][0-9_]*(\\.[0-9]+)?$"
        })
    }
}

/// JSON Schema stand-in for a TOML local date (`2019-05-01`).
pub(super) struct DateSchema;

impl JsonSchema for DateSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A date: 2019-05-01 (a TOML local date; \"2019-05-01\" in quotes is read too).",
            "type": "string",
            "format": "date"
        })
    }
}
