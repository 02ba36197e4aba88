//! The small HTML pages of the sign-in flows. Everything that comes from the scenario or the
//! request is HTML-escaped: display names in the training data are deliberately hostile.

use crate::scenario::DemoAccount;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}\
         .banner{{background:#fff4ce;border:1px solid #e0c060;padding:.5rem 1rem;border-radius:4px}}\
         form.account{{border:1px solid #ccc;border-radius:4px;padding:.5rem 1rem;margin:.5rem 0}}\
         button{{font-size:1rem;padding:.3rem 1rem}} .roles{{color:#555}}\
         </style></head><body><p class=\"banner\">Training tenant — not Microsoft. \
         Nothing you do here touches a real organization.</p>{body}</body></html>",
        title = escape(title)
    )
}

fn hidden(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect()
}

fn account_forms(
    action: &str,
    fields: &[(String, String)],
    accounts: &[DemoAccount],
    verb: &str,
) -> String {
    let mut out = String::new();
    for a in accounts {
        let roles = if a.roles.is_empty() {
            "no admin role".to_string()
        } else {
            a.roles.join(", ")
        };
        out.push_str(&format!(
            "<form class=\"account\" method=\"post\" action=\"{action}\">{hidden}\
             <input type=\"hidden\" name=\"login\" value=\"{upn}\">\
             <strong>{name}</strong> &lt;{upn}&gt;<br><span class=\"roles\">{roles}</span><br>\
             <small>{desc}</small><br><button type=\"submit\">{verb}</button></form>",
            action = escape(action),
            hidden = hidden(fields),
            upn = escape(&a.user_principal_name),
            name = escape(&a.display_name),
            roles = escape(&roles),
            desc = escape(&a.description),
            verb = escape(verb),
        ));
    }
    out.push_str(&format!(
        "<form class=\"account\" method=\"post\" action=\"{action}\">{hidden}\
         <label>Another account (user principal name): <input name=\"login\" type=\"email\"></label> \
         <button type=\"submit\">{verb}</button></form>\
         <form method=\"post\" action=\"{action}\">{hidden}<input type=\"hidden\" name=\"cancel\" value=\"1\">\
         <button type=\"submit\">Cancel</button></form>",
        action = escape(action),
        hidden = hidden(fields),
        verb = escape(verb),
    ));
    out
}

/// The authorize page: pick a demo account (or type another UPN) to sign in as.
pub fn sign_in(
    organization: &str,
    app_name: &str,
    action: &str,
    fields: &[(String, String)],
    accounts: &[DemoAccount],
    problem: Option<&str>,
) -> String {
    let problem = problem
        .map(|p| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(p)))
        .unwrap_or_default();
    page(
        "Sign in to your account",
        &format!(
            "<h1>Sign in</h1><p><strong>{app}</strong> wants to sign you in to <strong>{org}</strong>.</p>{problem}{forms}",
            app = escape(app_name),
            org = escape(organization),
            forms = account_forms(action, fields, accounts, "Sign in"),
        ),
    )
}

/// The device-login page: enter the code shown by the device.
pub fn device_code_entry(action: &str, problem: Option<&str>) -> String {
    let problem = problem
        .map(|p| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(p)))
        .unwrap_or_default();
    page(
        "Enter code",
        &format!(
            "<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>{problem}\
             <form method=\"post\" action=\"{action}\"><input name=\"user_code\" autocomplete=\"off\" \
             aria-label=\"Code\"> <button type=\"submit\">Next</button></form>",
            action = escape(action)
        ),
    )
}

/// After a valid user code: pick the account that approves the sign-in, or decline.
pub fn device_code_confirm(
    app_name: &str,
    action: &str,
    fields: &[(String, String)],
    accounts: &[DemoAccount],
) -> String {
    page(
        "Are you trying to sign in?",
        &format!(
            "<h1>Are you trying to sign in to {app}?</h1>\
             <p>Only continue if you started this sign-in yourself.</p>{forms}",
            app = escape(app_name),
            forms = account_forms(action, fields, accounts, "Continue as this account"),
        ),
    )
}

pub fn message(title: &str, text: &str) -> String {
    page(
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_escaped() {
        let a = DemoAccount {
            user_principal_name: "x@y".into(),
            display_name: "<img src=x onerror=alert(1)>".into(),
            id: "1".into(),
            roles: vec!["O'Brien \"role\"".into()],
            role_template_ids: vec![],
            description: "</form>".into(),
        };
        let html = sign_in(
            "<b>org</b>",
            "app",
            "/t/authorize",
            &[("state".into(), "\"><script>".into())],
            &[a],
            None,
        );
        assert!(!html.contains("<img"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>org"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("O&#39;Brien &quot;role&quot;"));
    }
}
