//! Rotation: create a successor, prove its secret works, and only then deactivate the old
//! token; if the proof fails, delete the successor and leave the old token as it was.

use std::{fmt, time::SystemTime};

use secrecy::SecretString;

use crate::{
    access_tokens::{CreatedToken, require_id},
    error::{Error, ErrorKind, Result},
    hub::Hub,
    wire,
};

/// What a rotation needs from a kind of token management.
pub(crate) trait Rotate {
    type Token: Clone + Described;

    fn hub(&self) -> &Hub;
    /// The identifier the new secret is proven with at `/v2/auth/token`.
    async fn identifier(&self) -> Result<String>;
    async fn get(&self, id: &str) -> Result<Self::Token>;
    /// Creates a token like `old` (its scopes or resources) with this label and expiry.
    async fn create_successor(
        &self,
        old: &Self::Token,
        label: String,
        expires_at: Option<SystemTime>,
    ) -> Result<CreatedToken<Self::Token>>;
    async fn deactivate(&self, id: &str) -> Result<Self::Token>;
    async fn delete(&self, id: &str) -> Result<()>;
    /// The longest label Docker Hub accepts, if it has a limit.
    fn max_label_chars(&self) -> Option<usize>;
}

/// What a rotation reads of a token.
pub(crate) trait Described {
    fn id(&self) -> &str;
    fn label(&self) -> &str;
    fn created_at(&self) -> Option<SystemTime>;
    fn expires_at(&self) -> Option<SystemTime>;
}

/// The outcome of a rotation: the new token with its secret (proven to work), and the old
/// token, deactivated.
///
/// `Debug` shows the tokens' metadata, never the secret.
#[derive(Clone)]
pub struct Rotation<T> {
    created: CreatedToken<T>,
    previous: T,
    deactivation_error: Option<Error>,
}

impl<T> Rotation<T> {
    /// Returns what Docker Hub says about the new token.
    pub fn token(&self) -> &T {
        self.created.token()
    }

    /// Returns the new token's secret, proven to work at `/v2/auth/token`. Docker Hub never
    /// shows it again: store it now.
    pub fn secret(&self) -> &SecretString {
        self.created.secret()
    }

    /// Returns the old token as Docker Hub last described it: deactivated, unless
    /// [`deactivation_error`](Self::deactivation_error) says otherwise.
    pub fn previous(&self) -> &T {
        &self.previous
    }

    /// Returns why the old token could not be deactivated, when it could not: it then stays
    /// active beside the new one, and should be deactivated or deleted later.
    pub fn deactivation_error(&self) -> Option<&Error> {
        self.deactivation_error.as_ref()
    }

    /// Returns the new token with its secret, and the old token.
    pub fn into_parts(self) -> (CreatedToken<T>, T) {
        (self.created, self.previous)
    }
}

impl<T: fmt::Debug> fmt::Debug for Rotation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rotation")
            .field("created", &self.created)
            .field("previous", &self.previous)
            .field("deactivation_error", &self.deactivation_error)
            .finish()
    }
}

/// Rotates the token `id`.
pub(crate) async fn rotate<R: Rotate>(tokens: &R, id: &str) -> Result<Rotation<R::Token>> {
    require_id(id)?;
    let identifier = tokens.identifier().await?;
    let old = tokens.get(id).await?;
    let now = SystemTime::now();
    let expires_at = successor_expiry(&old, now)?;
    let label = successor_label(old.label(), now, tokens.max_label_chars());
    let created = tokens.create_successor(&old, label, expires_at).await?;

    let proof = tokens
        .hub()
        .exchange_access_token(&identifier, created.secret())
        .await;
    if let Err(refusal) = proof {
        let new_id = created.token().id();
        let detail = match tokens.delete(new_id).await {
            Ok(()) => "the new token failed its check at /v2/auth/token and was deleted; \
                       the old one is unchanged"
                .to_owned(),
            // The id is Docker Hub's text: shown scrubbed, like every other server text.
            Err(_) => format!(
                "the new token failed its check at /v2/auth/token and could not be deleted: \
                 delete token {} by hand; the old one is unchanged",
                crate::scrub::scrub(new_id, &[])
            ),
        };
        return Err(refusal.with_detail(detail));
    }

    let (previous, deactivation_error) = match tokens.deactivate(old.id()).await {
        Ok(previous) => (previous, None),
        Err(error) => (old, Some(error)),
    };
    Ok(Rotation {
        created,
        previous,
        deactivation_error,
    })
}

/// Returns when the successor of `old` expires: as long after `now` as `old` was meant to
/// live, or never, like `old`.
fn successor_expiry<T: Described>(old: &T, now: SystemTime) -> Result<Option<SystemTime>> {
    let Some(expires_at) = old.expires_at() else {
        return Ok(None);
    };
    let lifetime = old
        .created_at()
        .and_then(|created_at| expires_at.duration_since(created_at).ok())
        .filter(|lifetime| !lifetime.is_zero())
        .ok_or_else(|| {
            Error::new(ErrorKind::InvalidResponse).with_detail(
                "docker hub's answer does not tell how long the token to rotate was meant \
                 to live (no creation time, or an expiry before it)",
            )
        })?;
    Ok(now.checked_add(lifetime))
}

/// The marker a successor's label ends with.
const ROTATED: &str = " (rotated ";

/// Returns the old label, without an earlier rotation's marker, marked with today's date,
/// shortened to `max_chars` by cutting the old label.
fn successor_label(old: &str, now: SystemTime, max_chars: Option<usize>) -> String {
    let base = match old.rfind(ROTATED) {
        Some(at) if old.ends_with(')') => old.get(..at).unwrap_or(old),
        _ => old,
    };
    let date = wire::Timestamp::from(now);
    let marker = format!(
        "{ROTATED}{})",
        date.as_str().get(..10).unwrap_or(date.as_str())
    );
    let room = max_chars.map_or(usize::MAX, |max| max.saturating_sub(marker.chars().count()));
    let base: String = base.chars().take(room).collect();
    format!("{}{marker}", base.trim_end())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    const HALF_YEAR: Duration = Duration::from_secs(182 * 24 * 60 * 60);

    struct Old(Option<SystemTime>, Option<SystemTime>);

    impl Described for Old {
        fn id(&self) -> &str {
            "old"
        }
        fn label(&self) -> &str {
            "ci"
        }
        fn created_at(&self) -> Option<SystemTime> {
            self.0
        }
        fn expires_at(&self) -> Option<SystemTime> {
            self.1
        }
    }

    fn day(n: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(n * 86_400)
    }

    #[test]
    fn the_successor_lives_as_long_as_the_old_token_was_meant_to() {
        let now = day(20_000);
        assert_eq!(
            successor_expiry(&Old(Some(day(10)), None), now).unwrap(),
            None
        );
        assert_eq!(
            successor_expiry(&Old(Some(day(10)), Some(day(10) + HALF_YEAR)), now).unwrap(),
            Some(now + HALF_YEAR)
        );
        for unknowable in [Old(None, Some(day(10))), Old(Some(day(10)), Some(day(9)))] {
            let error = successor_expiry(&unknowable, now).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidResponse);
        }
    }

    #[test]
    fn the_successor_label_marks_the_rotation_once_and_fits() {
        let now = day(20_650); // 2026-07-16
        assert_eq!(
            successor_label("ci", now, Some(100)),
            "ci (rotated 2026-07-16)"
        );
        assert_eq!(
            successor_label("ci (rotated 2025-01-01)", now, Some(100)),
            "ci (rotated 2026-07-16)"
        );
        let long = "é".repeat(120);
        let label = successor_label(&long, now, Some(100));
        assert_eq!(label.chars().count(), 100);
        assert!(label.ends_with(" (rotated 2026-07-16)"));
        assert_eq!(successor_label(&long, now, None).chars().count(), 141);
    }
}
