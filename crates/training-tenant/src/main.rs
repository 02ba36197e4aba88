//! `training-tenant`: runs the training tenant until stopped. The first line on stdout is the
//! base URL, printed once the server accepts connections; the second is `control token: …`,
//! the secret that drives `/_training/` (sent as `X-Training-Control`).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use training_tenant::{Options, TrainingTenant};

#[derive(Parser)]
#[command(about = "Offline imitation of Microsoft Entra ID and Microsoft Graph on loopback")]
struct Args {
    /// Loopback address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
    /// Scenario to load: contoso, contoso-large, or a path to a scenario .json file.
    #[arg(long, default_value = "contoso")]
    scenario: String,
    /// Graph-like throttling and latency.
    #[arg(long)]
    realistic: bool,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let addr: SocketAddr = match args.addr.parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!(
                "training-tenant: '{}' is not an address like 127.0.0.1:8080",
                args.addr
            );
            return ExitCode::from(2);
        }
    };
    let options = Options {
        addr,
        scenario: args.scenario,
        realistic: args.realistic,
        access_token_lifetime: std::time::Duration::from_secs(args.token_lifetime.max(1)),
        ..Options::default()
    };
    let tenant = match TrainingTenant::start(options).await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("training-tenant: {e}");
            return ExitCode::from(2);
        }
    };
    // One write for both lines, so a harness that reads only the first line and closes the
    // pipe cannot make the second one fail.
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
    eprintln!(
        "training tenant '{}' ({}) ready; scenario at {}/_training/scenario; Ctrl-C to stop",
        tenant.summary().organization,
        tenant.summary().tenant_id,
        tenant.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
