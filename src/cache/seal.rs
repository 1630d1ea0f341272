//! Tokens sealed on disk: an entry keeps its token encrypted (ChaCha20-Poly1305, RFC 8439)
//! under a key derived from everything it is filed under, the secret it was obtained with
//! included ([`HashKey::seal_key`](super::key::HashKey::seal_key)). The secret is never on
//! disk, so a copy of the cache directory (a CI cache of `~/.cache`, a backup, another
//! program of the same user that reads files but holds no secret) holds no usable token;
//! a process that has the secret opens the entry, and only that entry. An entry filed under
//! no secret (an anonymous registry token, which anyone can have) is not sealed.
//!
//! A sealed value is base64 (standard, padded) of a random 12-byte nonce followed by the
//! ciphertext and its 16-byte tag; the kind of token is the associated data, so that a
//! sealed token of one kind never opens as another's.

use base64::Engine as _;
use chacha20poly1305::{AeadInOut as _, ChaCha20Poly1305, Key, KeyInit as _, Nonce};
use secrecy::SecretString;
use zeroize::Zeroizing;

const NONCE_LEN: usize = 12;

/// The key that seals one entry's token.
pub(crate) struct SealKey(ChaCha20Poly1305);

impl SealKey {
    /// Returns the key of these 32 bytes (derived by [`HashKey::seal_key`](super::key::HashKey::seal_key)).
    pub(super) fn new(bytes: &Zeroizing<[u8; 32]>) -> Self {
        SealKey(ChaCha20Poly1305::new(&Key::from(**bytes)))
    }

    /// Returns `secret` sealed, for a token of kind `kind`; `None` when no random nonce can
    /// be had (the token is then not written: a nonce must never repeat under one key).
    pub(crate) fn seal(&self, kind: &str, secret: &str) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).ok()?;
        let mut sealed = Zeroizing::new(Vec::with_capacity(NONCE_LEN + secret.len() + 16));
        sealed.extend_from_slice(secret.as_bytes());
        self.0
            .encrypt_in_place(&Nonce::from(nonce), kind.as_bytes(), &mut *sealed)
            .ok()?;
        let mut framed = Vec::with_capacity(NONCE_LEN + sealed.len());
        framed.extend_from_slice(&nonce);
        framed.extend_from_slice(&sealed);
        Some(base64::engine::general_purpose::STANDARD.encode(framed))
    }

    /// Opens what [`seal`](Self::seal) returned for a token of kind `kind`; `None` when it
    /// was sealed under another key or for another kind, or is damaged.
    pub(crate) fn open(&self, kind: &str, sealed: &str) -> Option<SecretString> {
        let framed = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if framed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = framed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let mut plain = Zeroizing::new(ciphertext.to_vec());
        self.0
            .decrypt_in_place(&Nonce::from(nonce), kind.as_bytes(), &mut *plain)
            .ok()?;
        let text = std::str::from_utf8(&plain).ok()?;
        Some(SecretString::from(text))
    }
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    fn key(byte: u8) -> SealKey {
        SealKey::new(&Zeroizing::new([byte; 32]))
    }

    #[test]
    fn a_sealed_token_opens_with_its_key_and_kind_only() {
        let sealed = key(1).seal("hub", "eyJ.secret.token").unwrap();
        assert!(!sealed.contains("eyJ"), "{sealed}");
        assert_eq!(
            key(1).open("hub", &sealed).unwrap().expose_secret(),
            "eyJ.secret.token"
        );
        assert!(key(2).open("hub", &sealed).is_none());
        assert!(key(1).open("registry", &sealed).is_none());
    }

    #[test]
    fn sealing_twice_never_gives_the_same_text() {
        // A fresh nonce each time: two entries of one token tell nothing about each other.
        assert_ne!(
            key(1).seal("hub", "t").unwrap(),
            key(1).seal("hub", "t").unwrap()
        );
    }

    #[test]
    fn damaged_text_opens_as_nothing() {
        let sealed = key(1).seal("hub", "eyJ.secret.token").unwrap();
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&sealed)
            .unwrap();
        for at in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[at] ^= 1;
            let damaged = base64::engine::general_purpose::STANDARD.encode(&bytes);
            assert!(key(1).open("hub", &damaged).is_none(), "flipped byte {at}");
            bytes[at] ^= 1;
        }
        for text in ["", "AAAA", "not base64!", &sealed[..sealed.len() / 2]] {
            assert!(key(1).open("hub", text).is_none(), "{text:?}");
        }
    }
}
