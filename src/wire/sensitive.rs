//! [`Sensitive`]: the type the generated client uses for every secret field.

use std::{borrow::Cow, fmt};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A password, token or code inside a type of the generated client.
///
/// `build.rs` maps every string the spec marks `format: password` to this type, so that no
/// generated request or response type can print a secret: `Debug` shows `[redacted]`, and
/// the value is wiped from memory when it is dropped (also when a request future is dropped
/// half-way). It serializes and deserializes as a plain JSON string.
///
/// Copies made by `serde_json`, `reqwest` and `hyper` while a body is encoded or sent are out
/// of this crate's reach.
///
/// ```
/// use dockerhub_auth::{ExposeSecret, generated::Sensitive};
///
/// let secret = Sensitive::from("dckr_pat_example");
/// assert_eq!(format!("{secret:?}"), "Sensitive([redacted])");
/// assert_eq!(secret.expose_secret(), "dckr_pat_example");
/// ```
#[derive(Clone)]
pub struct Sensitive(SecretString);

impl Sensitive {
    /// Returns the secret, for the places that must send it.
    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

impl ExposeSecret<str> for Sensitive {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<SecretString> for Sensitive {
    fn from(secret: SecretString) -> Self {
        Sensitive(secret)
    }
}

impl From<&str> for Sensitive {
    fn from(secret: &str) -> Self {
        Sensitive(SecretString::from(secret))
    }
}

impl From<String> for Sensitive {
    fn from(secret: String) -> Self {
        Sensitive(SecretString::from(secret))
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive([redacted])")
    }
}

/// Compares the secrets themselves, so that generated types can derive `PartialEq`.
impl PartialEq for Sensitive {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for Sensitive {}

impl Serialize for Sensitive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for Sensitive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Sensitive;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            // Copies the borrowed text straight into the zeroizing box: no intermediate
            // `String` is left behind un-wiped.
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Sensitive, E> {
                Ok(Sensitive::from(value))
            }
            fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Sensitive, E> {
                let value = zeroize::Zeroizing::new(value);
                Ok(Sensitive::from(value.as_str()))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl schemars::JsonSchema for Sensitive {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Sensitive".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "password" })
    }
}
