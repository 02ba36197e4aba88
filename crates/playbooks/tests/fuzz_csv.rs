//! Property tests ("fuzz on stable Rust") for the bulk CSV reader: any bytes are answered (read
//! or refused) without a panic, every line is accounted for, and a file a spreadsheet writes is
//! read back row for row.
//!
//! 128 cases per property in `cargo test` unless `PROPTEST_CASES` says otherwise; `make fuzz`
//! runs 100,000. A failure found here becomes a named unit test in `bulk/csv_input.rs`.

use playbooks::bulk::{parse_csv, TargetRef};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 128;
    }
    // No regression files: a failure becomes a named unit test in `bulk/csv_input.rs`.
    config.failure_persistence = None;
    config
}

/// Bytes that look like a bulk file more often than not: names, separators, quotes, line ends,
/// a byte-order mark, bytes that are not UTF-8.
fn file_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece: BoxedStrategy<Vec<u8>> = prop_oneof![
        4 => proptest::sample::select(vec![
            "upn", "user,reason", "reason", ",", ";", "\"", "\"\"", "\n", "\r\n", "\r", " ",
            "jane@contoso.com", "0b5a1c7e-3f0e-4c55-9d0e-2d9f1c3b4a10", "O'Brien, Pat", "#",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        1 => proptest::sample::select(vec![
            b"\xEF\xBB\xBF".to_vec(), b"\xFF\xFE".to_vec(), b"\xE9".to_vec(), b"\0".to_vec(),
        ]),
        1 => any::<Vec<u8>>(),
    ]
    .boxed();
    proptest::collection::vec(piece, 0..40).prop_map(|parts| parts.concat())
}

/// A reason as a person types it in a spreadsheet cell: anything but a line break.
fn reason() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|text| text.replace(['\r', '\n'], " "))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_read_or_refused_and_every_line_is_accounted_for(bytes in file_like_bytes()) {
        if let Ok(input) = parse_csv(&bytes) {
            let rows = input.rows.len() + input.problems.len();
            prop_assert_eq!(rows, input.rows_read as usize);
            prop_assert!(input.rows_read <= input.lines_in_file);
            let mut numbers: Vec<u32> = input
                .rows
                .iter()
                .map(|row| row.row)
                .chain(input.problems.iter().map(|problem| problem.row))
                .collect();
            numbers.sort_unstable();
            prop_assert!(numbers.windows(2).all(|pair| pair[0] < pair[1]), "one row per line");
            prop_assert!(numbers.iter().all(|&n| (1..=input.lines_in_file).contains(&n)));
        }
    }

    #[test]
    fn a_file_a_spreadsheet_writes_is_read_back_row_for_row(
        reasons in proptest::collection::vec(proptest::option::of(reason()), 1..30)
    ) {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["user", "reason"]).unwrap();
        for (index, reason) in reasons.iter().enumerate() {
            let upn = format!("person{index}@contoso.com");
            writer.write_record([upn.as_str(), reason.as_deref().unwrap_or("")]).unwrap();
        }
        let file = writer.into_inner().unwrap();
        let input = parse_csv(&file).unwrap();
        prop_assert!(input.problems.is_empty(), "{:?}", input.problems);
        prop_assert_eq!(input.rows.len(), reasons.len());
        for (index, (row, reason)) in input.rows.iter().zip(&reasons).enumerate() {
            prop_assert_eq!(row.row as usize, index + 2);
            prop_assert_eq!(&row.target, &TargetRef::Upn(format!("person{index}@contoso.com")));
            let expected = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            prop_assert_eq!(row.reason.as_deref(), expected);
        }
        prop_assert_eq!(input.lines_in_file as usize, reasons.len() + 1);
    }
}
