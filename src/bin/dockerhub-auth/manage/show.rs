//! How `pat` and `oat` show tokens: an aligned table and details for people, JSON for
//! scripts, and a new secret alone on stdout. Everything a token holds is Docker Hub's text,
//! so every cell and value shown to people is [escaped](escape) (ids, labels, scopes,
//! descriptions, resource paths alike), and a new secret is checked before it is printed.

use std::time::SystemTime;

use dockerhub_auth::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::handle::Listed;
use crate::{
    failure::Failure,
    output::{checked_token, escape, print_lines, rfc3339, write_json, write_stdout},
};

/// Prints tokens as a table aligned for people; `grants` says what each may do.
pub(crate) fn print_table<T: Listed>(tokens: &[(&T, String)]) -> Result<(), Failure> {
    let mut lines = vec![
        [
            "LABEL",
            "ID",
            "SCOPES",
            "ACTIVE",
            "CREATED",
            "LAST USED",
            "EXPIRES",
        ]
        .map(str::to_owned),
    ];
    for (token, grants) in tokens {
        lines.push([
            token.label().to_owned(),
            token.id().to_owned(),
            grants.clone(),
            yes_no(token.is_active()),
            time(token.created_at(), "-"),
            time(token.last_used_at(), "never"),
            time(token.expires_at(), "never"),
        ]);
    }
    // Escaped before the columns are measured, so that they stay aligned.
    let lines: Vec<[String; 7]> = lines
        .into_iter()
        .map(|line| line.map(|cell| escape(&cell).into_owned()))
        .collect();
    let mut widths = [0; 7];
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let table: Vec<String> = lines
        .iter()
        .map(|line| {
            let cells: Vec<String> = line
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            cells.join("  ").trim_end().to_owned()
        })
        .collect();
    print_lines(&table)
}

/// Prints one token's details for people: a name and a value per line, aligned, each line
/// escaped.
pub(crate) fn print_details(fields: &[(&str, String)]) -> Result<(), Failure> {
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let lines: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{name:<width$}  {value}"))
        .collect();
    print_lines(&lines)
}

/// Returns a token as one JSON object: what every token has, and its kind's own `fields`
/// (never a secret: the caller adds it when it must).
pub(crate) fn document(token: &impl Listed, fields: Value) -> Value {
    let mut document = json!({
        "id": token.id(),
        "label": token.label(),
        "is_active": token.is_active(),
        "created_at": token.created_at().map(rfc3339),
        "last_used_at": token.last_used_at().map(rfc3339),
        "expires_at": token.expires_at().map(rfc3339),
    });
    if let (Value::Object(common), Value::Object(own)) = (&mut document, fields) {
        common.extend(own);
    }
    document
}

/// Prints one JSON document on stdout.
pub(crate) fn print_json(document: &Value) -> Result<(), Failure> {
    write_json(&document.to_string())
}

/// Prints a new token's secret alone on stdout, or, with `--json`, `document` with the
/// secret added as `token`.
pub(crate) fn print_secret(
    secret: &SecretString,
    mut document: Value,
    json: bool,
) -> Result<(), Failure> {
    let secret = checked_token(secret.expose_secret())?;
    if !json {
        return write_stdout(secret);
    }
    document["token"] = Value::String(secret.to_owned());
    let text = Zeroizing::new(document.to_string());
    // The copy inside the JSON value is wiped too.
    if let Some(Value::String(copy)) = document.get_mut("token").map(Value::take) {
        drop(Zeroizing::new(copy));
    }
    write_json(&text)
}

/// Says something to the person at the terminal (stderr), never to a script's stdout,
/// [escaped](escape).
pub(crate) fn tell(message: &str) {
    eprintln!("{}", escape(message));
}

/// Returns `items` joined by `separator`, or `-` when there are none, for one cell.
pub(crate) fn joined(items: impl IntoIterator<Item = impl AsRef<str>>, separator: &str) -> String {
    let items: Vec<_> = items.into_iter().collect();
    if items.is_empty() {
        return "-".to_owned();
    }
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    items.join(separator)
}

/// Returns optional text a server sent, or `-` (escaped when it is printed).
pub(crate) fn text(value: Option<&str>) -> String {
    value.map_or("-".to_owned(), str::to_owned)
}

/// Returns a point in time, or `none`.
pub(crate) fn time(at: Option<SystemTime>, none: &str) -> String {
    at.map_or(none.to_owned(), rfc3339)
}

/// Returns `yes` or `no`.
pub(crate) fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}
