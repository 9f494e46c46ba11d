//! The secrets Tocsin mints: API tokens, integration keys, webhook signing secrets and generated
//! passwords, and the hashes that are stored in their place. Tokens and keys are stored only as
//! SHA-256 hashes, so a database leak does not leak a working credential.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use rand::{Rng, RngCore, distributions::Alphanumeric};
use sha2::{Digest, Sha256};

/// A random string of letters and digits (about 5.95 bits per character).
pub fn random_token(chars: usize) -> String {
    rand::rngs::OsRng.sample_iter(&Alphanumeric).take(chars).map(char::from).collect()
}

pub const API_TOKEN_PREFIX: &str = "tocsin_";

/// A new API token: `tocsin_` and 32 random characters (190 bits).
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_token(32))
}

/// A new integration key: 32 random letters and digits (about 190 bits).
pub fn new_integration_key() -> String {
    random_token(32)
}

/// What is stored of an API token or an integration key.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A fresh webhook signing secret: 24 random bytes, base64, with the Standard Webhooks prefix.
pub fn new_webhook_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_tokens_are_long_random_and_hash_stably() {
        let a = new_api_token();
        let b = new_api_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), API_TOKEN_PREFIX.len() + 32);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }

    #[test]
    fn webhook_secrets_decode_to_24_bytes() {
        let s = new_webhook_secret();
        let raw = STANDARD.decode(s.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(raw.len(), 24);
    }
}
