//! Writes the TypeScript twins of the UI-facing types into `ui/src/lib/bindings/`.
//!
//! Run by `cargo test -p playbooks`. We do not use `#[ts(export)]`: with ts-rs 10 its
//! `export_to` path is relative to `TS_RS_EXPORT_DIR` (default `./bindings` under the test's
//! working directory), so the same attribute lands in different places depending on the
//! environment. Exporting to a path fixed relative to this crate lands in the same place always.
//! Each type is exported with everything it refers to.

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use ts_rs::TS;

    use crate::bulk::{BulkPlan, BulkPreview, BulkReport, CsvInput};
    use crate::diagnose::Diagnosis;
    use crate::explain::LogLine;
    use crate::find::{AppMatch, PersonMatch};
    use crate::journal::{ActionFilter, ActionRecord, ResumePlan, RunRecord};
    use crate::mappings::MappingReport;
    use crate::offboard::{AppVerification, OffboardPreview, OffboardResult};
    use crate::plan::{Conclusion, Finding, Plan, ProgressEvent, UserFacingError, Verdict};
    use crate::reactivate::{ReactivatePreview, ReactivateResult};
    use crate::reconcile::{FinishedChange, UnfinishedChange};
    use crate::relink::{JobResumed, PausedJob, RelinkAdvice, RelinkPreview, RelinkResult};
    use crate::restart::{RestartPreview, RestartResult, RoundAfterRestart, Symptom};
    use crate::steps::StepResult;
    use crate::tenant::{OrganizationSettings, TrainingScenario, WhoAmI};

    fn bindings_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings")
    }

    #[test]
    fn export_typescript_bindings() {
        let dir = bindings_dir();
        Plan::export_all_to(&dir).unwrap();
        ProgressEvent::export_all_to(&dir).unwrap();
        Finding::export_all_to(&dir).unwrap();
        Verdict::export_all_to(&dir).unwrap();
        Conclusion::export_all_to(&dir).unwrap();
        UserFacingError::export_all_to(&dir).unwrap();
        CsvInput::export_all_to(&dir).unwrap();
        BulkReport::export_all_to(&dir).unwrap();
        BulkPreview::export_all_to(&dir).unwrap();
        ActionRecord::export_all_to(&dir).unwrap();
        RunRecord::export_all_to(&dir).unwrap();
        ActionFilter::export_all_to(&dir).unwrap();
        ResumePlan::export_all_to(&dir).unwrap();
        WhoAmI::export_all_to(&dir).unwrap();
        TrainingScenario::export_all_to(&dir).unwrap();
        PersonMatch::export_all_to(&dir).unwrap();
        AppMatch::export_all_to(&dir).unwrap();
        OffboardPreview::export_all_to(&dir).unwrap();
        OffboardResult::export_all_to(&dir).unwrap();
        AppVerification::export_all_to(&dir).unwrap();
        LogLine::export_all_to(&dir).unwrap();
        StepResult::export_all_to(&dir).unwrap();
        BulkPlan::export_all_to(&dir).unwrap();
        ReactivatePreview::export_all_to(&dir).unwrap();
        ReactivateResult::export_all_to(&dir).unwrap();
        Diagnosis::export_all_to(&dir).unwrap();
        MappingReport::export_all_to(&dir).unwrap();
        RestartPreview::export_all_to(&dir).unwrap();
        RestartResult::export_all_to(&dir).unwrap();
        Symptom::export_all_to(&dir).unwrap();
        RoundAfterRestart::export_all_to(&dir).unwrap();
        OrganizationSettings::export_all_to(&dir).unwrap();
        RelinkPreview::export_all_to(&dir).unwrap();
        UnfinishedChange::export_all_to(&dir).unwrap();
        FinishedChange::export_all_to(&dir).unwrap();
        RelinkResult::export_all_to(&dir).unwrap();
        PausedJob::export_all_to(&dir).unwrap();
        JobResumed::export_all_to(&dir).unwrap();
        RelinkAdvice::export_all_to(&dir).unwrap();
        assert!(dir.join("Plan.ts").is_file());
    }
}
