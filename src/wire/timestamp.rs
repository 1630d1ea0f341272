//! [`Timestamp`]: the type the generated client uses for every `format: date-time` string.

use std::{borrow::Cow, fmt, time::SystemTime};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::rfc3339;

/// A point in time as Docker Hub writes it (RFC 3339), inside a type of the generated client.
///
/// `build.rs` maps every string the spec marks `format: date-time` to this type. It keeps
/// the text as it came, so that one timestamp in an unexpected form (or an empty one, which
/// some clients of Docker Hub have met for a token without expiry) does not make a whole
/// answer fail to decode; [`to_system_time`](Self::to_system_time) reads it, and is `None`
/// for text that is not RFC 3339. It serializes and deserializes as a plain JSON string.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use dockerhub_auth::generated::Timestamp;
///
/// let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// assert_eq!(Timestamp::from(at).as_str(), "2027-01-15T08:00:00Z");
/// let sent = Timestamp::from("2027-01-15T09:00:00.5+01:00".to_owned());
/// assert_eq!(sent.to_system_time(), Some(at + Duration::from_millis(500)));
/// assert_eq!(Timestamp::from(String::new()).to_system_time(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// Returns the text as Docker Hub sent it (or as this crate will send it).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the point in time, or `None` when the text is not an RFC 3339 date and time.
    ///
    /// Lenient where Docker Hub's servers might be: a space instead of `T`, a lowercase `t`
    /// or `z`, any number of fraction digits, and no offset at all (read as UTC).
    pub fn to_system_time(&self) -> Option<SystemTime> {
        rfc3339::parse(&self.0)
    }
}

impl From<String> for Timestamp {
    fn from(text: String) -> Self {
        Timestamp(text)
    }
}

/// Formats the point in time as RFC 3339 in UTC, to the second (`2027-01-15T08:00:00Z`).
impl From<SystemTime> for Timestamp {
    fn from(at: SystemTime) -> Self {
        Timestamp(rfc3339::format(at))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Timestamp)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}
