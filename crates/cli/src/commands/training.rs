//! `provdesk training serve`: a training tenant that outlives single commands.

use crate::connect;
use crate::error::{exit, CliError};

pub async fn serve(
    addr: std::net::SocketAddr,
    scenario: String,
    realistic: bool,
    extra_apps: Option<u32>,
) -> Result<u8, CliError> {
    let tenant = training_tenant::TrainingTenant::start(training_tenant::Options {
        addr,
        scenario,
        realistic,
        extra_apps: extra_apps.map(|n| n as usize),
        ..Default::default()
    })
    .await
    .map_err(|error| playbooks::Error::TrainingTenantStart(error.to_string()))?;
    // The first line is the URL, the second the control token that drives its `/_training/`
    // controls (scripts read both; one write, so a script that reads only the first line and
    // closes the pipe cannot break the second); then a sentence for people.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(
            format!(
                "{}\ncontrol token: {}\n",
                tenant.base_url(),
                tenant.control_token()
            )
            .as_bytes(),
        );
        let _ = out.flush();
    }
    connect::save_training_url(tenant.base_url())?;
    eprintln!(
        "Training tenant running at {} — nothing you do here touches real accounts.\n\
         Other commands use it by default (or pass --graph-url {}). Stop with Ctrl-C.",
        tenant.base_url(),
        tenant.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    drop(tenant);
    Ok(exit::OK)
}
