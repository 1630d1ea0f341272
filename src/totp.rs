//! RFC 6238 codes from an account's TOTP secret (feature `totp`), so that a session can
//! complete a two-factor login without a person.

use std::{
    fmt::{self, Write as _},
    time::{SystemTime, UNIX_EPOCH},
};

use secrecy::{ExposeSecret, SecretString};
use totp_rs::{Algorithm, Builder, Secret};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The shortest secret accepted: 80 bits, as RFC 4226 allows (it recommends 160).
const MIN_SECRET_BYTES: usize = 10;

/// Docker Hub's authenticator codes: HMAC-SHA1, six digits, thirty-second steps (the values
/// every authenticator app assumes when the QR code does not say otherwise).
const DIGITS: u8 = 6;
const STEP_SECONDS: u64 = 30;

/// A code generator for one account. The secret is wiped when it is dropped.
pub(crate) struct Totp {
    generator: totp_rs::Totp,
}

impl Totp {
    /// Reads the base32 secret an authenticator app is set up with. Spaces, lowercase and
    /// `=` padding are accepted.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when it is not base32 or
    /// is shorter than 80 bits.
    pub(crate) fn from_base32(secret: &SecretString) -> Result<Totp> {
        Self::with_digits(secret, DIGITS)
    }

    fn with_digits(secret: &SecretString, digits: u8) -> Result<Totp> {
        let normalized: Zeroizing<String> = Zeroizing::new(
            secret
                .expose_secret()
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '=')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let bytes = Secret::try_from_base32(normalized.as_str())
            .map_err(|_| Error::invalid_input("the TOTP secret is not base32"))?;
        if bytes.as_bytes().len() < MIN_SECRET_BYTES {
            return Err(Error::invalid_input(
                "the TOTP secret is shorter than 80 bits",
            ));
        }
        let generator = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(digits)
            .with_step_duration(STEP_SECONDS)
            .with_secret(bytes)
            // Compliance here means "at least 128 bits"; 80-bit secrets are still in use.
            .build_noncompliant();
        Ok(Totp { generator })
    }

    /// Returns the code for the time step that contains `time`.
    pub(crate) fn code_at(&self, time: SystemTime) -> Zeroizing<String> {
        let seconds = time
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or(0);
        // Written into a wiping buffer that is large enough from the start, so that no
        // growth leaves an un-wiped copy behind (totp-rs wipes its own token on drop).
        let mut code = Zeroizing::new(String::with_capacity(16));
        let _ = write!(code, "{}", self.generator.generate(seconds));
        code
    }
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp").finish_non_exhaustive() // never the secret
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::ErrorKind;

    /// The SHA1 seed of RFC 6238, appendix B: the ASCII bytes of "12345678901234567890".
    const RFC_SEED_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn rfc_6238_sha1_test_vectors() {
        let totp = Totp::with_digits(&SecretString::from(RFC_SEED_BASE32), 8).unwrap();
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp.code_at(at(time)).as_str(), code, "T = {time}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_of_the_vectors() {
        let totp = Totp::from_base32(&SecretString::from(RFC_SEED_BASE32)).unwrap();
        assert_eq!(totp.code_at(at(59)).as_str(), "287082");
        assert_eq!(totp.code_at(at(1_111_111_109)).as_str(), "081804");
        // Same 30-second step, same code.
        assert_eq!(totp.code_at(at(30)).as_str(), totp.code_at(at(59)).as_str());
    }

    #[test]
    fn secrets_as_people_paste_them_are_accepted() {
        let pasted = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq====";
        let totp = Totp::from_base32(&SecretString::from(pasted)).unwrap();
        assert_eq!(totp.code_at(at(59)).as_str(), "287082");
    }

    #[test]
    fn bad_secrets_are_invalid_input() {
        for secret in ["", "not base32!", "GEZDGNBV"] {
            let err = Totp::from_base32(&SecretString::from(secret)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{secret:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let totp = Totp::from_base32(&SecretString::from(RFC_SEED_BASE32)).unwrap();
        assert_eq!(format!("{totp:?}"), "Totp { .. }");
    }
}
