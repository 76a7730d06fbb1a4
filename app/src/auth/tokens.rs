//! Tokens. Access tokens are HS256 JWTs (`sub`, `role`, `jti`, `iat`, `exp`) verified with the
//! algorithm pinned, so `alg: none` and algorithm confusion are rejected. Refresh, verification
//! and reset tokens are 256 random bits, given to the client once and stored only as SHA-256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AuthConfig;
use crate::domain::identity::Role;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub jti: Uuid,
    /// The refresh-token family (the login) this token belongs to.
    pub fam: Uuid,
    /// The account's credentials version at issue: a password change ends the token.
    pub cv: i32,
    pub iat: i64,
    pub exp: i64,
}

/// Signs a new access token for `user`.
pub fn issue_access_token(
    config: &AuthConfig,
    user: Uuid,
    role: Role,
    credentials_version: i32,
    family: Uuid,
) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: user,
        role,
        jti: Uuid::now_v7(),
        fam: family,
        cv: credentials_version,
        iat: now,
        exp: now + i64::try_from(config.access_ttl.as_secs()).unwrap_or(900),
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&config.jwt_secret),
    )?;
    Ok((token, claims))
}

/// Verifies signature (HS256 only) and expiry; returns the claims.
pub fn verify_access_token(config: &AuthConfig, token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&config.jwt_secret), &validation)
        .ok()
        .map(|data| data.claims)
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for an opaque token.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn config() -> AuthConfig {
        AuthConfig {
            jwt_secret: b"0123456789abcdef0123456789abcdef".to_vec(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(60),
        }
    }

    #[test]
    fn round_trips_and_pins_the_algorithm() {
        let config = config();
        let user = Uuid::now_v7();
        let (token, claims) = issue_access_token(&config, user, Role::Staff, 1, Uuid::now_v7()).unwrap();
        assert_eq!(verify_access_token(&config, &token), Some(claims.clone()));
        assert_eq!(claims.exp - claims.iat, 900);

        // Tampered payload: signature no longer matches.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = Claims {
            role: Role::Admin,
            ..claims.clone()
        };
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(verify_access_token(&config, &parts.join(".")), None);

        // alg: none, unsigned.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let none = format!(
            "{header}.{}.",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap())
        );
        assert_eq!(verify_access_token(&config, &none), None);

        // HS512 with the same secret: wrong algorithm.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(&config.jwt_secret),
        )
        .unwrap();
        assert_eq!(verify_access_token(&config, &hs512), None);

        // Another secret.
        let other = AuthConfig {
            jwt_secret: b"another-secret-another-secret-xx".to_vec(),
            ..config.clone()
        };
        assert_eq!(verify_access_token(&other, &token), None);
    }

    #[test]
    fn expired_tokens_are_rejected() {
        let config = config();
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: Uuid::now_v7(),
            role: Role::Customer,
            jti: Uuid::now_v7(),
            fam: Uuid::now_v7(),
            cv: 1,
            iat: now - 100,
            exp: now - 1,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&config.jwt_secret),
        )
        .unwrap();
        assert_eq!(verify_access_token(&config, &token), None);
    }

    #[test]
    fn opaque_tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_eq!(hash_token(&a).len(), 32);
    }
}
