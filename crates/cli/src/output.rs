//! How results reach the terminal: tables and sentences, or JSON; a progress bar only on a
//! terminal; confirmation prompts only on a terminal (scripts pass `--yes`).

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};
use playbooks::plan::{ProgressEvent, StepOutcome};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::error::CliError;

/// Prints `value` as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|error| CliError::bad_input(error.to_string(), "Please report this."))?;
    println!("{text}");
    Ok(())
}

/// A plain text table: a header row, then rows, columns padded to the widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  "));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Asks "yes/no" on a terminal. Without a terminal nothing runs unless `--yes` was given.
pub fn confirmed(question: &str, yes: bool) -> Result<bool, CliError> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::bad_input(
            "Nothing was changed: confirmation is needed and there is no terminal to ask on.",
            "Read the preview (--dry-run), then run again with --yes.",
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|error| CliError::bad_input(error.to_string(), "Answer y or n."))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Drains progress events: a bar on a terminal (stderr), nothing when piped or in JSON mode.
pub fn progress_sink(show: bool) -> (mpsc::Sender<ProgressEvent>, tokio::task::JoinHandle<()>) {
    let (sender, mut events) = mpsc::channel::<ProgressEvent>(256);
    let show = show && std::io::stderr().is_terminal();
    let handle = tokio::spawn(async move {
        let bar = show.then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} {msg} (eta {eta})")
            {
                bar.set_style(style);
            }
            bar
        });
        while let Some(event) = events.recv().await {
            let Some(bar) = &bar else { continue };
            match event {
                ProgressEvent::RunStarted { total, .. } => bar.set_length(u64::from(total)),
                ProgressEvent::StepStarted {
                    title, row: None, ..
                } => bar.set_message(title),
                ProgressEvent::StepFinished { row: None, .. } => bar.inc(1),
                ProgressEvent::BulkProgress { counts, .. } => {
                    bar.set_position(u64::from(counts.done()));
                    bar.set_message(format!("{} failed", counts.failed));
                }
                ProgressEvent::RunFinished { .. } => bar.finish_and_clear(),
                _ => {}
            }
        }
    });
    (sender, handle)
}

/// The exit code for a list of step outcomes: all fine → 0, anything else → 3 (partly done),
/// everything failed → 1.
pub fn exit_for(outcomes: &[&StepOutcome]) -> u8 {
    let fine = |o: &&StepOutcome| {
        matches!(
            o,
            StepOutcome::Succeeded { .. } | StepOutcome::AlreadyDone { .. }
        )
    };
    if outcomes.iter().all(fine) {
        crate::error::exit::OK
    } else if outcomes.iter().any(fine) {
        crate::error::exit::PARTLY_DONE
    } else {
        crate::error::exit::FAILED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_columns() {
        let text = table(
            &["App", "Status"],
            &[
                vec!["Floorplan".into(), "Active".into()],
                vec!["Lunchbox".into(), "Quarantine".into()],
            ],
        );
        assert_eq!(
            text,
            "App        Status\nFloorplan  Active\nLunchbox   Quarantine\n"
        );
    }
}
