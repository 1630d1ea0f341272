//! What the cache files things under: one keyed hash (HMAC-SHA-256) for every key, in memory
//! and on disk. A token is filed under what was granted (endpoint, route, identifier, secret,
//! scopes); a remembered failure under what was refused (the secret at that service).
//!
//! On disk the key of the hash is random and kept beside the entries; in memory it is random
//! per cache and never leaves the process. The secret is part of the hash, so a new secret is
//! a new entry (a fixed token is never blocked by the old one's rejection), and a name tells
//! nothing that helps guess it: without the key, a name cannot even be checked against a
//! guess.

use std::fmt;

use hmac::{Hmac, KeyInit as _, Mac as _};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::seal::SealKey;

/// The service name of Docker Hub in a refusal's material: its API (whatever base URL a
/// hub is given: a mirror or a stand-in of Docker Hub is Docker Hub to its users) and its
/// registry's token service (`auth.docker.io`, service `registry.docker.io`).
pub(crate) const DOCKER_HUB: &str = "docker hub";

/// The length of the random key, in bytes.
pub(crate) const HASH_KEY_LEN: usize = 32;

/// Everything that decides which token a request gets (where it is asked for, how, by whom,
/// with which secret, for which scopes), or what a refusal was of (a secret at a service).
///
/// For a Docker Hub token: the base URL, the route (`/v2/auth/token`, `/v2/users/login`),
/// the identifier and its secret. For a registry token: the registry, the kind of
/// credentials, the identifier (empty when anonymous), the secret (none when anonymous) and
/// the scope set. For a refusal: the service that refused (see [`KeyMaterial::refusal`]),
/// the identifier and the secret.
#[derive(Clone)]
pub(crate) struct KeyMaterial {
    endpoint: String,
    route: String,
    identifier: String,
    secret: Option<SecretString>,
    /// Sorted and without duplicates, so that the order a caller gives them in does not
    /// matter.
    scopes: Vec<String>,
}

impl KeyMaterial {
    /// Returns the material for a token from `endpoint` (a base URL or a realm) by `route`
    /// (a path, or a registry's service), for `identifier` with `secret`.
    pub(crate) fn new(
        endpoint: impl Into<String>,
        route: impl Into<String>,
        identifier: impl Into<String>,
        secret: Option<SecretString>,
    ) -> Self {
        KeyMaterial {
            endpoint: endpoint.into(),
            route: route.into(),
            identifier: identifier.into(),
            secret,
            scopes: Vec::new(),
        }
    }

    /// Returns the material of a refusal: `secret` of `identifier` at `service`, whatever
    /// route or scopes it was refused for. Docker Hub's API and its registry's token service
    /// are one service here (one account, one lockout), named [`DOCKER_HUB`].
    pub(crate) fn refusal(
        service: impl Into<String>,
        identifier: impl Into<String>,
        secret: Option<SecretString>,
    ) -> Self {
        // No route of a token starts with a space: a refusal never shares a token's name.
        KeyMaterial::new(service, " refused", identifier, secret)
    }

    /// Adds the scopes the token is for (a registry token's); their order does not matter.
    pub(crate) fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self.scopes.sort();
        self.scopes.dedup();
        self
    }

    /// Returns the identifier, which `logout --username` matches on.
    pub(crate) fn identifier(&self) -> &str {
        &self.identifier
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyMaterial")
            .field("endpoint", &self.endpoint)
            .field("route", &self.route)
            .field("identifier", &self.identifier)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive() // the secret is never printed
    }
}

/// The random key of the keyed hash, shared by every process that uses one store.
pub(crate) struct HashKey(Zeroizing<[u8; HASH_KEY_LEN]>);

impl HashKey {
    pub(crate) fn new(bytes: Zeroizing<[u8; HASH_KEY_LEN]>) -> Self {
        HashKey(bytes)
    }

    /// Returns a key of fresh random bytes, for names that never leave this process.
    pub(crate) fn random() -> Self {
        let mut bytes = Zeroizing::new([0u8; HASH_KEY_LEN]);
        if getrandom::fill(bytes.as_mut_slice()).is_err() {
            // No system randomness (which std's hash maps would not have either): a per-run
            // seed from std's randomized hasher still keeps the names of one process apart
            // from any other's.
            use std::hash::{BuildHasher as _, RandomState};
            for (chunk, index) in bytes.chunks_mut(8).zip(0u64..) {
                let word = RandomState::new().hash_one(index).to_be_bytes();
                chunk.copy_from_slice(&word[..chunk.len()]);
            }
        }
        HashKey(bytes)
    }

    /// Returns the name an entry for `material` is stored under: 64 hex digits.
    pub(crate) fn entry_name(&self, material: &KeyMaterial) -> EntryName {
        EntryName(hex(&self.digest(b"dockerhub-auth entry 1", material)))
    }

    /// Returns the key that seals the token of the entry for `material` on disk, derived
    /// from all of it, the secret included: `None` when there is no secret (an anonymous
    /// registry token, which anyone can have, is kept as it is).
    pub(crate) fn seal_key(&self, material: &KeyMaterial) -> Option<SealKey> {
        material.secret.as_ref()?;
        let bytes = Zeroizing::new(self.digest(b"dockerhub-auth seal 1", material));
        Some(SealKey::new(&bytes))
    }

    /// The keyed hash of everything in `material`, in the `domain` given.
    fn digest(&self, domain: &[u8], material: &KeyMaterial) -> [u8; 32] {
        let mut mac = self.mac(domain);
        for field in [
            material.endpoint.as_bytes(),
            material.route.as_bytes(),
            material.identifier.as_bytes(),
        ] {
            field_into(&mut mac, field);
        }
        match &material.secret {
            Some(secret) => {
                mac.update(&[1]);
                field_into(&mut mac, secret.expose_secret().as_bytes());
            }
            None => mac.update(&[0]),
        }
        mac.update(&(material.scopes.len() as u64).to_be_bytes());
        for scope in &material.scopes {
            field_into(&mut mac, scope.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }

    /// Returns the tag an entry for `identifier` carries, so that its entries can be found
    /// and removed without the secret, and without the name in clear.
    pub(crate) fn identifier_tag(&self, identifier: &str) -> String {
        let mut mac = self.mac(b"dockerhub-auth identifier 1");
        field_into(&mut mac, identifier.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    fn mac(&self, domain: &[u8]) -> Hmac<Sha256> {
        // A 32-byte key fits HMAC-SHA-256's 64-byte block: it is zero-padded, as
        // `new_from_slice` would do, without its `Result` for lengths that cannot occur.
        let mut block = Zeroizing::new([0u8; 64]);
        for (to, from) in block.iter_mut().zip(self.0.iter()) {
            *to = *from;
        }
        let mut mac = Hmac::<Sha256>::new(&(*block).into());
        field_into(&mut mac, domain);
        mac
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey([REDACTED])")
    }
}

/// Feeds one length-prefixed field, so that no two different inputs hash the same bytes.
fn field_into(mac: &mut Hmac<Sha256>, field: &[u8]) {
    mac.update(&(field.len() as u64).to_be_bytes());
    mac.update(field);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The name of one entry in a store: 64 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct EntryName(String);

impl EntryName {
    /// Returns the name when `text` is one this module could have made.
    pub(crate) fn parse(text: &str) -> Option<EntryName> {
        let valid = text.len() == 64
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| EntryName(text.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> HashKey {
        HashKey::new(Zeroizing::new([byte; HASH_KEY_LEN]))
    }

    fn pat(secret: &str) -> KeyMaterial {
        KeyMaterial::new(
            "https://hub.docker.com",
            "/v2/auth/token",
            "alice",
            Some(SecretString::from(secret)),
        )
    }

    #[test]
    fn every_part_of_the_material_changes_the_name() {
        let key = key(7);
        let base = key.entry_name(&pat("dckr_pat_one"));
        assert_eq!(base, key.entry_name(&pat("dckr_pat_one")));
        let others = [
            pat("dckr_pat_two"),
            KeyMaterial::new("https://hub.docker.com", "/v2/users/login", "alice", None),
            KeyMaterial::new("https://hub.docker.com", "/v2/auth/token", "alice", None),
            KeyMaterial::new("https://mirror.example", "/v2/auth/token", "alice", None),
            pat("dckr_pat_one").scopes(["repository:library/alpine:pull"]),
            KeyMaterial::refusal(
                "https://hub.docker.com",
                "alice",
                Some(SecretString::from("dckr_pat_one")),
            ),
        ];
        for other in others {
            assert_ne!(key.entry_name(&other), base, "{other:?}");
        }
        // Field boundaries count: "ab" + "c" is not "a" + "bc".
        let split = |id: &str, secret: &str| {
            key.entry_name(&KeyMaterial::new(
                "e",
                "r",
                id,
                Some(SecretString::from(secret)),
            ))
        };
        assert_ne!(split("ab", "cdef"), split("abc", "def"));
    }

    #[test]
    fn the_padded_key_is_hmacs_own_padding() {
        let key = key(5);
        let mut ours = key.mac(b"domain");
        ours.update(b"message");
        let mut theirs = Hmac::<Sha256>::new_from_slice(&[5; HASH_KEY_LEN]).unwrap();
        field_into(&mut theirs, b"domain");
        theirs.update(b"message");
        assert_eq!(ours.finalize().into_bytes(), theirs.finalize().into_bytes());
    }

    #[test]
    fn a_refusal_is_the_same_whatever_scopes_were_asked_for() {
        let key = key(4);
        let refusal = |secret: &str| {
            key.entry_name(&KeyMaterial::refusal(
                DOCKER_HUB,
                "alice",
                Some(SecretString::from(secret)),
            ))
        };
        assert_eq!(refusal("dckr_pat_one"), refusal("dckr_pat_one"));
        assert_ne!(refusal("dckr_pat_one"), refusal("dckr_pat_two"));
    }

    #[test]
    fn random_keys_differ() {
        let material = pat("dckr_pat_one");
        assert_ne!(
            HashKey::random().entry_name(&material),
            HashKey::random().entry_name(&material)
        );
    }

    #[test]
    fn another_key_gives_other_names() {
        assert_ne!(
            key(1).entry_name(&pat("dckr_pat_one")),
            key(2).entry_name(&pat("dckr_pat_one"))
        );
    }

    #[test]
    fn scope_order_does_not_matter() {
        let key = key(3);
        let a = pat("s").scopes(["b", "a", "a"]);
        let b = pat("s").scopes(["a", "b"]);
        assert_eq!(key.entry_name(&a), key.entry_name(&b));
    }

    #[test]
    fn names_are_hex_and_show_nothing_of_the_secret() {
        let name = key(9).entry_name(&pat("dckr_pat_CANARY"));
        assert_eq!(EntryName::parse(name.as_str()), Some(name.clone()));
        assert!(!name.as_str().contains("CANARY"));
        assert!(!format!("{:?}", pat("dckr_pat_CANARY")).contains("CANARY"));
        assert_eq!(EntryName::parse("../../etc/passwd"), None);
        assert_eq!(EntryName::parse(&"A".repeat(64)), None);
    }
}
