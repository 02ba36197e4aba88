//! login, logout, whoami.

use crate::args::Global;
use crate::connect;
use crate::error::{exit, CliError};
use crate::output;

pub async fn login(
    global: &Global,
    device_code: bool,
    account: Option<String>,
) -> Result<u8, CliError> {
    let connection = connect::connection(global).await?;
    let signed_in = if connection.is_training() {
        let account = account.unwrap_or_else(|| "helpdesk".into());
        let signed_in = connection.sign_in_as_demo(&account).await?;
        connect::save_training_account(&signed_in.whoami().account)?;
        signed_in
    } else if device_code {
        let pending = connection.start_device_code().await?;
        eprintln!("{}", pending.prompt().message);
        connection.signed_in_with(pending.finish().await?).await?
    } else {
        let pending = connection.start_browser_sign_in().await?;
        eprintln!(
            "Opening your browser to sign in. If it does not open, visit:\n  {}",
            pending.authorize_url()
        );
        let _ = entra_client::auth::pkce_loopback::open_in_system_browser(pending.authorize_url());
        connection.signed_in_with(pending.finish().await?).await?
    };
    let me = signed_in.whoami();
    if global.json {
        output::json(&me)?;
    } else {
        print!("{}", me.render_text());
        if !me.training && !me.remembered {
            println!("\nThe system keychain is unavailable, so this sign-in is not remembered.");
        }
    }
    Ok(exit::OK)
}

pub async fn logout(global: &Global) -> Result<u8, CliError> {
    if connect::is_training(global) {
        connect::forget_training_account();
    } else {
        let connection = connect::connection(global).await?;
        if let Some(signed_in) = connection.restore().await? {
            signed_in.sign_out().await?;
        }
    }
    if global.json {
        output::json(&serde_json::json!({ "signedOut": true }))?;
    } else {
        println!("Signed out.");
    }
    Ok(exit::OK)
}

pub async fn whoami(global: &Global) -> Result<u8, CliError> {
    let desk = connect::desk(global).await?;
    let me = desk.whoami();
    if global.json {
        output::json(&me)?;
    } else {
        print!("{}", me.render_text());
    }
    Ok(exit::OK)
}
