//! Token secrets: drawn from the operating system's RNG, shown once, kept only as a SHA-256 hash.
//!
//! A token reads `thd_<id>_<secret>`: `<id>` is 16 lowercase hex digits (8 random bytes), public, the primary
//! key of the token's row, shown by `token list` and given to `token revoke`; `<secret>` is 64 lowercase hex
//! digits (32 random bytes). Authentication looks the row up by its id — one index lookup, whatever the
//! number of tokens — and compares the SHA-256 of the presented secret with the stored one in constant time.
//!
//! A plain SHA-256, not a slow password hash (Argon2, bcrypt): the secret has 256 bits of entropy, so no
//! dictionary or brute-force attack on a leaked hash is possible, and a slow hash would cost its milliseconds
//! on every request. Only the canonical spelling is accepted (lowercase hex, exact lengths), so each token is
//! exactly one string: a secret with one character changed, even only its case, is a different secret.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What every token starts with, so that secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "thd_";

/// Random bytes of a token id.
const ID_BYTES: usize = 8;
/// Random bytes of a secret: 256 bits.
const SECRET_BYTES: usize = 32;

/// The SHA-256 of a token's secret bytes: what the database keeps.
pub(crate) type SecretHash = [u8; 32];

/// The public identifier of a token: 16 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TokenId(String);

impl TokenId {
    /// The id written as `s`, `None` unless it is exactly 16 lowercase hex digits.
    pub fn parse(s: &str) -> Option<TokenId> {
        is_lower_hex(s, ID_BYTES * 2).then(|| TokenId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A token as given to its owner, once, at creation: the only place the secret exists in clear. Its `Debug`
/// does not print it, so it cannot leak into a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// The whole token, `thd_<id>_<secret>`, to hand to the user.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(thd_…)")
    }
}

/// A freshly drawn token: its id, the string to show once, and the hash to store.
pub(crate) struct NewToken {
    pub id: TokenId,
    pub secret: TokenSecret,
    pub hash: SecretHash,
}

/// Draws a new token from the operating system's RNG.
pub(crate) fn generate() -> Result<NewToken, getrandom::Error> {
    let mut id = [0u8; ID_BYTES];
    let mut secret = [0u8; SECRET_BYTES];
    getrandom::fill(&mut id)?;
    getrandom::fill(&mut secret)?;
    let id = TokenId(hex::encode(id));
    Ok(NewToken {
        secret: TokenSecret(format!("{TOKEN_PREFIX}{id}_{}", hex::encode(secret))),
        hash: Sha256::digest(secret).into(),
        id,
    })
}

/// A token as presented by a caller, split and hashed; not yet checked against the database.
#[derive(Debug)]
pub(crate) struct Presented {
    pub id: TokenId,
    pub hash: SecretHash,
}

/// Splits and hashes a presented token; `None` when it is not of the token's exact shape.
pub(crate) fn parse(token: &str) -> Option<Presented> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let id = TokenId::parse(id)?;
    if !is_lower_hex(secret, SECRET_BYTES * 2) {
        return None;
    }
    let bytes = hex::decode(secret).ok()?;
    Some(Presented {
        id,
        hash: Sha256::digest(bytes).into(),
    })
}

/// Whether a stored hash equals a presented one, in time independent of where they differ. A stored value of
/// another length (a damaged row) never matches.
pub(crate) fn hash_matches(stored: &[u8], presented: &SecretHash) -> bool {
    bool::from(stored.ct_eq(presented))
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_parses_back_to_its_id_and_hash() {
        let new = generate().expect("OS RNG");
        let text = new.secret.expose();
        assert_eq!(text.len(), TOKEN_PREFIX.len() + 16 + 1 + 64);
        let presented = parse(text).expect("own shape");
        assert_eq!(presented.id, new.id);
        assert!(hash_matches(&new.hash, &presented.hash));
        // The hash is of the secret's bytes, not of its text, and not the secret itself.
        let secret_hex = &text[text.len() - 64..];
        let bytes = hex::decode(secret_hex).expect("hex");
        assert_eq!(new.hash, <[u8; 32]>::from(Sha256::digest(&bytes)));
        assert_ne!(new.hash.as_slice(), bytes.as_slice());
    }

    #[test]
    fn two_tokens_never_share_an_id_or_a_secret() {
        let (a, b) = (generate().expect("rng"), generate().expect("rng"));
        assert_ne!(a.id, b.id);
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn only_the_exact_shape_parses() {
        let good = format!("thd_{}_{}", "0123456789abcdef", "ab".repeat(32));
        assert!(parse(&good).is_some());
        let upper = format!("thd_{}_{}", "0123456789abcdef", "AB".repeat(32));
        let short = format!("thd_{}_{}", "0123456789abcdef", "ab".repeat(31));
        let long = format!("{good}0");
        let no_prefix = good.trim_start_matches("thd_").to_owned();
        let spaced = format!(" {good}");
        let bad_id = format!("thd_{}_{}", "0123456789abcdeg", "ab".repeat(32));
        for bad in [upper, short, long, no_prefix, spaced, bad_id, String::new()] {
            assert!(parse(&bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn hashes_of_other_lengths_or_one_bit_off_do_not_match() {
        let hash = [7u8; 32];
        let mut off = hash;
        off[31] ^= 1;
        assert!(hash_matches(&hash, &hash));
        assert!(!hash_matches(&off, &hash));
        assert!(!hash_matches(&hash[..31], &hash));
        assert!(!hash_matches(&[], &hash));
    }

    #[test]
    fn the_debug_form_of_a_secret_hides_it() {
        let new = generate().expect("rng");
        let shown = format!("{:?}", new.secret);
        assert!(!shown.contains(&new.id.to_string()));
        assert!(!shown.contains(&new.secret.expose()[20..]));
    }
}
