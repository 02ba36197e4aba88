use training_tenant::{Options, TrainingTenant};

use crate::dto::{AppStatus, TenantInfo};
use crate::error::CommandError;

/// Everything the commands share, built once in Tauri's `setup`.
pub struct AppState {
    /// The in-process training tenant; kept alive for as long as the app runs.
    training: TrainingTenant,
}

impl AppState {
    /// Starts the built-in training tenant on a free loopback port.
    pub async fn start_training() -> Result<Self, CommandError> {
        let training = TrainingTenant::start(Options::default())
            .await
            .map_err(|err| CommandError {
                code: "training_tenant_unavailable".into(),
                message: format!("The training tenant could not start: {err}."),
                hint: "Close other copies of Provisioning Desk and start it again.".into(),
            })?;
        tracing::info!(url = training.base_url(), "training tenant started");
        Ok(Self { training })
    }

    pub fn status(&self) -> AppStatus {
        let summary = self.training.summary();
        AppStatus {
            training: true,
            tenant: TenantInfo {
                organization: summary.organization.clone(),
                domain: summary.tenant_domain.clone(),
                tenant_id: summary.tenant_id.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn starts_on_the_training_tenant_and_says_so() {
        let state = AppState::start_training()
            .await
            .expect("training tenant starts");
        let status = state.status();
        assert!(
            status.training,
            "the home screen must show the training banner"
        );
        assert!(status.tenant.organization.contains("Contoso"));
        assert!(status.tenant.domain.ends_with(".onmicrosoft.com"));
    }
}
