//! The tenant's token-signing key. A fixed RSA key ships with the crate: it protects nothing but
//! this loopback emulator, and a fixed key keeps start-up instant and tokens reproducible.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::Error;

const TRAINING_KEY_PEM: &str = include_str!("training-signing-key.pem");

pub struct SigningKeys {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// base64url modulus and exponent, as published in the JWKS.
    n: String,
    e: String,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("kid", &self.kid)
            .finish()
    }
}

impl SigningKeys {
    pub fn training() -> Result<Self, Error> {
        let private = rsa::RsaPrivateKey::from_pkcs1_pem(TRAINING_KEY_PEM)
            .map_err(|e| Error::SigningKey(e.to_string()))?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let encoding = EncodingKey::from_rsa_pem(TRAINING_KEY_PEM.as_bytes())
            .map_err(|e| Error::SigningKey(e.to_string()))?;
        let decoding = DecodingKey::from_rsa_components(&n, &e)
            .map_err(|e| Error::SigningKey(e.to_string()))?;
        // Entra's kid values look like short base64 thumbprints; ours is derived from the modulus.
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(n.as_bytes())[..20]);
        Ok(Self {
            kid,
            encoding,
            decoding,
            n,
            e,
        })
    }

    /// The JWKS document (`jwks_uri` of the discovery document).
    pub fn jwks(&self, issuer: &str) -> Value {
        json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "kid": self.kid,
                "x5t": self.kid,
                "n": self.n,
                "e": self.e,
                "issuer": issuer,
            }]
        })
    }
}
