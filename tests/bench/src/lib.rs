//! Measurements shared by the whole-app benchmarks: the memory of the app's process tree, and
//! the app's training tenant (the same helper the e2e tests use).

#[path = "../../e2e/tests/support/tenant.rs"]
pub mod tenant;

use std::fs;
use std::path::Path;

/// Resident and proportional memory of a process and all its descendants, in KiB.
#[derive(Debug, Default, Clone, Copy)]
pub struct Footprint {
    pub processes: usize,
    pub rss_kib: u64,
    pub pss_kib: u64,
}

fn field_kib(text: &str, name: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: parse after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Every pid whose ancestry reaches `root` (including `root`).
pub fn process_tree(root: u32) -> Vec<u32> {
    let all: Vec<u32> = fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    all.into_iter()
        .filter(|&pid| {
            let mut p = pid;
            for _ in 0..64 {
                if p == root {
                    return true;
                }
                match parent_of(p) {
                    Some(parent) if parent != 0 => p = parent,
                    _ => return false,
                }
            }
            false
        })
        .collect()
}

/// The footprint of the tree under `root`.
pub fn footprint(root: u32) -> Footprint {
    let mut total = Footprint::default();
    for pid in process_tree(root) {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rollup = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        total.processes += 1;
        total.rss_kib += field_kib(&status, "VmRSS:");
        total.pss_kib += field_kib(&rollup, "Pss:");
    }
    total
}

/// The pid of the newest process running `binary`.
pub fn newest_process_of(binary: &Path) -> Option<u32> {
    let wanted = fs::canonicalize(binary).ok()?;
    fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| fs::read_link(format!("/proc/{pid}/exe")).ok().as_deref() == Some(&wanted))
        .max()
}
