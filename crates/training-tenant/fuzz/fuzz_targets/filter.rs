#![no_main]
//! Any string must parse to an expression or an error, never a panic, and evaluating a parsed
//! expression must not panic either.

use libfuzzer_sys::fuzz_target;
use training_tenant::graph::filter;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(expr) = filter::parse(text) {
        let user = serde_json::json!({
            "displayName": "Siobhan O'Brien",
            "accountEnabled": true,
            "businessPhones": ["+1 425 555 0100"],
            "mail": null,
            "employeeId": "E000777",
        });
        let _ = expr.matches(&|p| user.get(p));
        let _ = expr.properties();
        let _ = expr.advanced_operator();
        let _ = expr.as_equality();
    }
});
