//! Store / read / delete against the real OS keychain.
//!
//! `make test` runs this inside `dbus-run-session` with gnome-keyring unlocked and
//! `PROVDESK_REQUIRE_KEYCHAIN=1`: then the real Secret Service must be used and the test fails if
//! it is unavailable. Without that variable, a machine without a keychain skips with a message.

use entra_client::auth::token_cache::{CacheKey, CachedTokens};
use entra_client::{Error, TokenCache};

fn required() -> bool {
    std::env::var("PROVDESK_REQUIRE_KEYCHAIN").is_ok_and(|v| v == "1")
}

#[test]
fn keychain_store_read_delete_against_the_real_secret_store() {
    // A service name of our own so a developer's real sign-in is never touched.
    let service = format!("provisioning-desk-test-{}", uuid::Uuid::new_v4());
    let cache = match TokenCache::keychain_with_service(&service) {
        Ok(c) => c,
        Err(e @ Error::KeychainUnavailable { .. }) if !required() => {
            println!(
                "keychain test not run: {e} (set PROVDESK_REQUIRE_KEYCHAIN=1 under a Secret Service to require it)"
            );
            return;
        }
        Err(e) => panic!(
            "keychain required but unavailable: {e} — hint: {}",
            e.hint()
        ),
    };
    assert!(cache.is_persistent());

    let key = CacheKey {
        cloud: "global".into(),
        tenant: "8d7c2a51-0c3e-4b8f-9f4e-3b2a1c0d9e71".into(),
        client_id: "5d7c3f0e-7a52-4e57-9a8e-2f5b1b0c4d11".into(),
        account: "helpdesk@contoso-training.onmicrosoft.com".into(),
    };
    let tokens = CachedTokens {
        account: key.account.clone(),
        refresh_token: format!("rt-{}", uuid::Uuid::new_v4()),
        access_token: Some("at".into()),
        access_token_expires_at: Some(chrono::Utc::now()),
        scopes: vec!["User.Read.All".into()],
    };

    cache.save(&key, &tokens).expect("store");
    // A second handle reads what the first wrote: it lives in the keychain, not in this object.
    let other = TokenCache::keychain_with_service(&service).expect("keychain");
    assert_eq!(other.load(&key).expect("read"), Some(tokens.clone()));
    assert_eq!(
        other.last_account(&key).expect("read").as_deref(),
        Some(key.account.as_str())
    );

    // On Linux, prove it is the Secret Service itself (not keyring's in-memory mock) by asking
    // libsecret's own tool, when it is installed.
    #[cfg(target_os = "linux")]
    if let Ok(out) = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", &service])
        .output()
    {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
            assert!(
                text.contains(&tokens.refresh_token),
                "secret-tool does not see the entry: {text}"
            );
        } else if required() {
            panic!(
                "secret-tool search failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    other.forget(&key).expect("delete");
    assert_eq!(cache.load(&key).expect("read after delete"), None);
    assert_eq!(cache.last_account(&key).expect("read after delete"), None);
    // Deleting twice is fine.
    cache.forget(&key).expect("delete again");
}
