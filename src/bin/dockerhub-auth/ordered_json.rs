//! [`Json`]: a JSON document whose objects keep their keys in the order of the text, so that
//! `configure-docker` rewrites a file someone else wrote (Docker's `config.json`) without
//! reordering it. serde_json's own `Value` sorts keys unless its `preserve_order` feature is
//! on, which would add a crate to the dependency graph and change the order of every JSON
//! object the library builds.

use std::fmt;

use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{MapAccess, SeqAccess, Visitor},
    ser::{SerializeMap as _, SerializeSeq as _},
};
use serde_json::{Value, ser::PrettyFormatter};
use zeroize::{Zeroize as _, Zeroizing};

/// A JSON value; objects keep their keys in order, duplicates included. Every string is
/// wiped when dropped: a Docker config holds credentials.
pub(crate) enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    /// `null`, a boolean, a number or a string.
    Scalar(Value),
}

impl Json {
    /// Returns the document in `text`.
    pub(crate) fn parse(text: &[u8]) -> serde_json::Result<Json> {
        serde_json::from_slice(text)
    }

    /// Returns the document as Docker writes its config: indented with tabs.
    pub(crate) fn to_pretty(&self) -> serde_json::Result<Zeroizing<Vec<u8>>> {
        let mut text = Zeroizing::new(Vec::new());
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut *text, PrettyFormatter::with_indent(b"\t"));
        self.serialize(&mut serializer)?;
        Ok(text)
    }

    /// Returns the string this value holds, if it is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Scalar(Value::String(text)) => Some(text),
            _ => None,
        }
    }

    /// A short name of what this value is, for messages ("an array").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Object(_) => "an object",
            Json::Array(_) => "an array",
            Json::Scalar(Value::String(_)) => "a string",
            Json::Scalar(Value::Number(_)) => "a number",
            Json::Scalar(Value::Bool(_)) => "a boolean",
            Json::Scalar(_) => "null",
        }
    }

    /// Returns a string value.
    pub(crate) fn string(text: &str) -> Json {
        Json::Scalar(Value::String(text.to_owned()))
    }
}

impl Drop for Json {
    fn drop(&mut self) {
        if let Json::Scalar(Value::String(text)) = self {
            text.zeroize();
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Scalar(value) => value.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Scalar(Value::Bool(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Scalar(Value::from(value)))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Scalar(Value::from(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        Ok(Json::Scalar(Value::from(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::string(value))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Scalar(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let json = Json::parse(text.as_bytes()).unwrap();
        String::from_utf8(json.to_pretty().unwrap().to_vec()).unwrap()
    }

    #[test]
    fn keys_keep_their_order_at_every_depth() {
        let text = r#"{"z":1,"a":{"y":true,"b":null},"m":[{"q":"x","c":2.5}]}"#;
        let pretty = round_trip(text);
        let compact: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(
            compact,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        let order: Vec<usize> = [
            "\"z\"", "\"a\"", "\"y\"", "\"b\"", "\"m\"", "\"q\"", "\"c\"",
        ]
        .iter()
        .map(|key| pretty.find(key).unwrap())
        .collect();
        assert!(order.is_sorted(), "{pretty}");
    }

    #[test]
    fn the_text_is_indented_with_tabs_as_docker_writes_it() {
        assert_eq!(round_trip(r#"{"auths":{}}"#), "{\n\t\"auths\": {}\n}");
    }

    #[test]
    fn numbers_strings_and_escapes_survive() {
        let text = r#"{"n":-12,"u":18446744073709551615,"f":0.5,"s":"tab\tquote\"é"}"#;
        let back: serde_json::Value = serde_json::from_str(&round_trip(text)).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }
}
