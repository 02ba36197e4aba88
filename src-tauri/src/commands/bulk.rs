use playbooks::bulk::playbook as bulk;
use playbooks::bulk::{BulkKind, BulkPlan, BulkReport};
use playbooks::plan::ProgressEvent;
use std::borrow::Cow;

use tauri::http::HeaderMap;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::State;

use crate::progress::with_progress;
use crate::{AppState, CommandError};

/// Reads the CSV and looks up every row. Changes nothing.
///
/// The web view sends the file's bytes as they are on disk, as the raw body of the call (not
/// text it decoded: the byte-order mark, UTF-16 and non-UTF-8 rows reach `playbooks` as they
/// do from the CLI, and the file hashes the same); which procedure is in the `bulk-kind` header.
#[tauri::command]
#[tracing::instrument(skip(state, request), err)]
pub async fn bulk_preview(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<BulkPlan, CommandError> {
    let (kind, file) = csv_upload(request.headers(), request.body())?;
    Ok(bulk::preview(&state.desk().await?, kind, &file).await?)
}

/// The procedure and the file's bytes of a `bulk_preview` call. The bytes come as the raw body
/// (the custom-protocol IPC) or, where the web view falls back to `postMessage`, as Tauri's
/// JSON array of byte values; anything else is refused.
fn csv_upload<'a>(
    headers: &HeaderMap,
    body: &'a InvokeBody,
) -> Result<(BulkKind, Cow<'a, [u8]>), CommandError> {
    let refused = |what: &str| CommandError {
        code: "csv_upload_invalid".into(),
        message: format!("The file could not be handed over: {what}."),
        hint: "Choose the file again. If it keeps happening, restart Provisioning Desk.".into(),
    };
    let kind = headers
        .get(BULK_KIND_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| serde_json::from_value(serde_json::Value::from(value)).ok())
        .ok_or_else(|| refused("it did not say whether to offboard or reactivate"))?;
    let not_bytes = || refused("it arrived as text, not as the file's bytes");
    let bytes = match body {
        InvokeBody::Raw(bytes) => Cow::Borrowed(bytes.as_slice()),
        InvokeBody::Json(serde_json::Value::Array(values)) => Cow::Owned(
            values
                .iter()
                .map(|value| value.as_u64().and_then(|n| u8::try_from(n).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(not_bytes)?,
        ),
        InvokeBody::Json(_) => return Err(not_bytes()),
    };
    Ok((kind, bytes))
}

/// The header naming the procedure of a `bulk_preview` call (`offboard` or `reactivate`).
const BULK_KIND_HEADER: &str = "bulk-kind";

/// Runs the ready rows of a confirmed preview, streaming counts and time left.
#[tauri::command]
#[tracing::instrument(skip(state, plan, progress), err)]
pub async fn bulk_run(
    state: State<'_, AppState>,
    plan: BulkPlan,
    progress: Channel<ProgressEvent>,
) -> Result<BulkReport, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { bulk::run(&desk, &plan, state.bulk.start(tx)).await };
    Ok(with_progress(progress, work).await?)
}

/// Continues an interrupted or cancelled run without repeating anything.
#[tauri::command]
#[tracing::instrument(skip(state, progress), err)]
pub async fn bulk_resume(
    state: State<'_, AppState>,
    run_id: String,
    progress: Channel<ProgressEvent>,
) -> Result<BulkReport, CommandError> {
    let desk = state.desk().await?;
    let work = |tx| async move { bulk::resume(&desk, &run_id, state.bulk.start(tx)).await };
    Ok(with_progress(progress, work).await?)
}

/// Stops the running bulk run after the rows in flight; true when one was running.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn bulk_cancel(state: State<'_, AppState>) -> bool {
    state.bulk.cancel()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(kind: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(BULK_KIND_HEADER, kind.parse().unwrap());
        headers
    }

    #[test]
    fn the_file_arrives_as_its_bytes_with_the_byte_order_mark() {
        let file = b"\xEF\xBB\xBFupn\njane@contoso.com\n".to_vec();
        let body = InvokeBody::Raw(file.clone());
        let (kind, bytes) = csv_upload(&headers("reactivate"), &body).unwrap();
        assert_eq!(kind, BulkKind::Reactivate);
        assert_eq!(bytes.as_ref(), file.as_slice());
        // The postMessage fallback sends the same bytes as a JSON array.
        let array = InvokeBody::Json(serde_json::json!(file));
        let (_, bytes) = csv_upload(&headers("offboard"), &array).unwrap();
        assert_eq!(bytes.as_ref(), file.as_slice());
    }

    #[test]
    fn text_or_an_unknown_procedure_is_refused_with_a_code() {
        for text in [
            serde_json::json!("upn\njane@contoso.com\n"),
            serde_json::json!({ "file": "upn\n" }),
            serde_json::json!([117, 256]),
        ] {
            let body = InvokeBody::Json(text);
            assert_eq!(
                csv_upload(&headers("offboard"), &body).unwrap_err().code,
                "csv_upload_invalid"
            );
        }
        let raw = InvokeBody::Raw(b"upn\n".to_vec());
        assert_eq!(
            csv_upload(&headers("delete_everyone"), &raw)
                .unwrap_err()
                .code,
            "csv_upload_invalid"
        );
        assert_eq!(
            csv_upload(&HeaderMap::new(), &raw).unwrap_err().code,
            "csv_upload_invalid"
        );
    }
}
