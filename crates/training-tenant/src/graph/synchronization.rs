//! `/servicePrincipals/{id}/synchronization/…` (also `servicePrincipals(appId='…')`): jobs
//! list/get, start, pause, restart, provisionOnDemand, schema get/put, parseExpression,
//! functions, templates and secrets (graph-api.md §3, Graph synchronization API docs).

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::{auth, Call, GraphError, GraphResponse};
use crate::provisioning::{engine, expression, rate_limit, schema};

pub fn handle(call: &Call, sp_id: &str, rest: &[String]) -> Result<GraphResponse, GraphError> {
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let parts: Vec<&str> = lower.iter().map(String::as_str).collect();
    let m = &call.req.method;
    match (m.clone(), parts.as_slice()) {
        (Method::GET, ["jobs"]) => list(call, sp_id),
        (Method::POST, ["jobs"]) => create(call, sp_id),
        (Method::GET, ["jobs", _]) => get(call, sp_id, &rest[1]),
        (Method::POST, ["jobs", _, "start"]) => start(call, sp_id, &rest[1]),
        (Method::POST, ["jobs", _, "pause"]) => pause(call, sp_id, &rest[1]),
        (Method::POST, ["jobs", _, "restart"]) => restart(call, sp_id, &rest[1]),
        (Method::POST, ["jobs", _, "provisionondemand"]) => on_demand(call, sp_id, &rest[1]),
        (Method::POST, ["jobs", _, "validatecredentials"]) => {
            validate_credentials(call, sp_id, &rest[1])
        }
        (Method::GET, ["jobs", _, "schema"]) => get_schema(call, sp_id, &rest[1]),
        (Method::PUT, ["jobs", _, "schema"]) => put_schema(call, sp_id, &rest[1]),
        (Method::DELETE, ["jobs", _, "schema"]) => reset_schema(call, sp_id, &rest[1]),
        (Method::POST, ["jobs", _, "schema", "parseexpression"]) => {
            parse_expression(call, sp_id, Some(&rest[1]))
        }
        (Method::POST, ["templates", _, "schema", "parseexpression"]) => {
            parse_expression(call, sp_id, None)
        }
        (Method::GET, ["jobs", _, "schema", "functions"]) => functions(call, sp_id, &rest[1]),
        (_, ["jobs", _, connections]) if connections.starts_with("objectconnections") => {
            super::object_connections::handle(call, sp_id, &rest[1], &rest[2])
        }
        (Method::GET, ["templates"]) => templates(call, sp_id),
        (Method::PUT, ["secrets"]) => put_secrets(call, sp_id),
        (_, [first, ..]) if ["jobs", "templates", "secrets"].contains(first) => {
            Err(GraphError::method_not_allowed())
        }
        _ => Err(GraphError::no_route(m.as_str(), "synchronization")),
    }
}

pub(super) fn job_not_found(job_id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("The synchronization job '{job_id}' does not exist for this service principal."),
    )
}

/// Runs `f` on the job, or 404.
fn with_job<T>(
    call: &Call,
    sp_id: &str,
    job_id: &str,
    f: impl FnOnce(&mut crate::provisioning::Job) -> T,
) -> Result<T, GraphError> {
    let mut prov = call.state.provisioning();
    let job = prov
        .jobs
        .get_mut(job_id)
        .filter(|j| j.service_principal_id == sp_id)
        .ok_or_else(|| job_not_found(job_id))?;
    Ok(f(job))
}

fn list(call: &Call, sp_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_SYNCHRONIZATION)?;
    let prov = call.state.provisioning();
    let value: Vec<Value> = prov.jobs_of(sp_id).map(|j| j.to_json()).collect();
    Ok(GraphResponse::ok(json!({
        "@odata.context": call.context(&format!("servicePrincipals('{sp_id}')/synchronization/jobs")),
        "value": value,
    })))
}

fn get(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_SYNCHRONIZATION)?;
    let mut body = with_job(call, sp_id, job_id, |j| j.to_json())?;
    body["@odata.context"] = json!(call.context(&format!(
        "servicePrincipals('{sp_id}')/synchronization/jobs/$entity"
    )));
    Ok(GraphResponse::ok(body))
}

/// `POST …/jobs {"templateId"}` → 201 with the new job ("NotConfigured" until its secrets are
/// saved; graph-api.md §3.10). Only the templates the service principal offers are accepted.
fn create(call: &Call, sp_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let body = call.req.json_object()?;
    let template = body
        .get("templateId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("templateId is required."))?;
    let mut prov = call.state.provisioning();
    let job = prov
        .jobs_of(sp_id)
        .find(|j| j.template_id.eq_ignore_ascii_case(template))
        .map(|sibling| crate::provisioning::Job::from_template(sibling, call.now()))
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "The template '{template}' is not a synchronization template of this service principal."
            ))
        })?;
    let mut created = job.to_json();
    created["@odata.context"] = json!(call.context(&format!(
        "servicePrincipals('{sp_id}')/synchronization/jobs/$entity"
    )));
    prov.jobs.insert(job.id.clone(), job);
    Ok(GraphResponse::json(StatusCode::CREATED, created))
}

/// `DELETE …/schema`: back to the template's default mappings (204); like any new mapping,
/// the next cycle is an initial cycle.
fn reset_schema(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let now = call.now();
    with_job(call, sp_id, job_id, |j| {
        j.replace_schema(j.template_schema(), now)
    })?;
    Ok(GraphResponse::no_content())
}

/// "If paused, continues from where it was paused; if in quarantine, clears quarantine."
fn start(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let now = call.now();
    with_job(call, sp_id, job_id, |j| {
        j.paused = false;
        j.provisioning_off = false;
        j.quarantine = None;
        j.next_run = j.next_run.min(now);
    })?;
    Ok(GraphResponse::no_content())
}

/// Cycles are atomic here, so "the current cycle runs to completion" holds trivially; no
/// further cycle runs until `start` or `restart`.
fn pause(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    with_job(call, sp_id, job_id, |j| j.paused = true)?;
    Ok(GraphResponse::no_content())
}

fn restart(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let scope = if call.req.body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        let body = call.req.json_object()?;
        match body.get("criteria") {
            None | Some(Value::Null) => String::new(),
            Some(Value::Object(c)) => match c.get("resetScope") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return Err(GraphError::bad_request("criteria.resetScope must be a string of comma-separated synchronizationJobRestartScope flags.")),
            },
            Some(_) => return Err(GraphError::bad_request("criteria must be an object.")),
        }
    };
    let now = call.now();
    with_job(call, sp_id, job_id, |j| j.restart(&scope, now))?.map_err(GraphError::bad_request)?;
    Ok(GraphResponse::no_content())
}

fn validate_credentials(
    call: &Call,
    sp_id: &str,
    job_id: &str,
) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let now = call.now();
    let mut prov = call.state.provisioning();
    let (app, token) = {
        let j = prov
            .jobs
            .get(job_id)
            .filter(|j| j.service_principal_id == sp_id)
            .ok_or_else(|| job_not_found(job_id))?;
        (j.app_key.clone(), j.secret_token.clone())
    };
    // Test connection: a query for a random GUID must answer an empty ListResponse (SCIM docs).
    let probe = format!("userName eq \"{}\"", uuid::Uuid::new_v4());
    let resp = prov.send(
        &app,
        &token,
        job_id,
        "validateCredentials",
        None,
        "GET",
        "/Users",
        vec![("filter".into(), probe)],
        None,
        now,
    );
    if resp.status == 200 {
        Ok(GraphResponse::no_content())
    } else {
        Err(GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", format!("You appear to have entered invalid credentials: the SCIM endpoint answered HTTP {}.", resp.status)))
    }
}

fn get_schema(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_SYNCHRONIZATION)?;
    let mut body = with_job(call, sp_id, job_id, |j| j.schema.clone())?;
    body["@odata.context"] = json!(call.context(&format!(
        "servicePrincipals('{sp_id}')/synchronization/jobs('{job_id}')/schema/$entity"
    )));
    Ok(GraphResponse::ok(body))
}

/// Validates (an unknown function or operator is a 400) and stores the schema. New mappings
/// trigger a full sync (Customize attribute mappings: saving restarts with an initial cycle).
fn put_schema(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let body = Value::Object(call.req.json_object()?);
    schema::compile(&body).map_err(|e| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("The synchronization schema is not valid: {e}"),
        )
    })?;
    let now = call.now();
    with_job(call, sp_id, job_id, |j| j.replace_schema(body, now))?;
    Ok(GraphResponse::no_content())
}

fn parse_expression(
    call: &Call,
    sp_id: &str,
    job_id: Option<&str>,
) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    if let Some(j) = job_id {
        with_job(call, sp_id, j, |_| ())?;
    }
    let body = Value::Object(call.req.json_object()?);
    let text = body
        .get("expression")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("expression is required."))?;
    let mut src = expression::Source::default();
    let mut has_input = false;
    for p in body
        .pointer("/testInputObject/properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(v)) = (
            p.get("key").and_then(Value::as_str),
            p.get("value").cloned(),
        ) {
            has_input = true;
            let val = match v {
                Value::String(s)
                    if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                {
                    expression::Val::Bool(s.eq_ignore_ascii_case("true"))
                }
                other => match expression::Val::from_json(&other) {
                    Some(v) => v,
                    None => continue,
                },
            };
            src.insert(k, val);
        }
    }
    let context = call.context("microsoft.graph.parseExpressionResponse");
    let body = match expression::parse(text) {
        Ok(e) => {
            let result = e.eval(&src);
            json!({
                "@odata.context": context,
                "error": null,
                "evaluationSucceeded": has_input,
                "evaluationResult": if has_input { json!(result.map(|v| vec![v.text()]).unwrap_or_default()) } else { json!([]) },
                "parsedExpression": e.to_source(),
                "parsingSucceeded": true,
            })
        }
        Err(e) => json!({
            "@odata.context": context,
            "error": {"code": "ExpressionParsingFailed", "message": e.0},
            "evaluationSucceeded": false,
            "evaluationResult": [],
            "parsedExpression": null,
            "parsingSucceeded": false,
        }),
    };
    Ok(GraphResponse::ok(body))
}

fn functions(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_SYNCHRONIZATION)?;
    with_job(call, sp_id, job_id, |_| ())?;
    let value: Vec<Value> = expression::Function::names()
        .map(|n| json!({"name": n}))
        .collect();
    Ok(GraphResponse::ok(
        json!({"@odata.context": call.context("Collection(microsoft.graph.attributeMappingFunctionSchema)"), "value": value}),
    ))
}

fn templates(call: &Call, sp_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::READ_SYNCHRONIZATION)?;
    let app_id = call
        .state
        .directory()
        .service_principals
        .get(sp_id)
        .map(|s| s.app_id.clone());
    let prov = call.state.provisioning();
    let value: Vec<Value> = prov
        .jobs_of(sp_id)
        .take(1)
        .map(|j| {
            let schema = j.template_schema();
            // synchronizationTemplate.metadata is a synchronizationMetadataEntry collection;
            // `IsOAuthEnabled` is one of the documented keys (msgraph-metadata
            // `synchronizationMetadata`: GalleryApplicationIdentifier, IsOAuthEnabled,
            // OAuthSettings, ...). The docs do not show its value's spelling: "true" here,
            // and a client should compare without case.
            let metadata = if j.oauth {
                json!([{"key": "IsOAuthEnabled", "value": "true"}])
            } else {
                json!([])
            };
            json!({
                "id": "scim",
                "applicationId": app_id,
                "default": true,
                "description": "Provision users to a SCIM 2.0 endpoint",
                "discoverable": true,
                "factoryTag": "CustomSCIM",
                "metadata": metadata,
                "schema": {"directories": schema["directories"], "synchronizationRules": schema["synchronizationRules"]},
            })
        })
        .collect();
    Ok(GraphResponse::ok(
        json!({"@odata.context": call.context(&format!("servicePrincipals('{sp_id}')/synchronization/templates")), "value": value}),
    ))
}

/// `PUT …/synchronization/secrets {"value":[{"key","value"}]}`: `SecretToken` and `SyncAll`
/// are applied to the service principal's jobs (application provisioning configuration API).
fn put_secrets(call: &Call, sp_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let body = call.req.json_object()?;
    let pairs = body
        .get("value")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError::bad_request("value must be a collection of key/value pairs."))?;
    let mut prov = call.state.provisioning();
    for p in pairs {
        let (Some(k), Some(v)) = (
            p.get("key").and_then(Value::as_str),
            p.get("value").and_then(Value::as_str),
        ) else {
            return Err(GraphError::bad_request(
                "Each secret needs a string key and value.",
            ));
        };
        for j in prov
            .jobs
            .values_mut()
            .filter(|j| j.service_principal_id == sp_id)
        {
            match k {
                "SecretToken" => j.secret_token = v.to_string(),
                "SyncAll" => j.sync_all = v.eq_ignore_ascii_case("true"),
                "SkipOutOfScopeDeletions" => {
                    j.skip_out_of_scope_deletions = v.eq_ignore_ascii_case("true")
                }
                _ => {}
            }
        }
    }
    Ok(GraphResponse::no_content())
}

/// provisionOnDemand (graph-api.md §3.7): one user, or one group with at most 5 members; users
/// disabled or deleted in Entra cannot be provisioned on demand; 5 requests per 10 seconds.
fn on_demand(call: &Call, sp_id: &str, job_id: &str) -> Result<GraphResponse, GraphError> {
    call.caller.require(&auth::WRITE_SYNCHRONIZATION)?;
    let body = call.req.json_object()?;
    let params = body
        .get("parameters")
        .and_then(Value::as_array)
        .filter(|p| p.len() == 1)
        .ok_or_else(|| {
            GraphError::bad_request(
                "parameters must hold exactly one synchronizationJobApplicationParameters.",
            )
        })?;
    let p = &params[0];
    let rule_id = p
        .get("ruleId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("ruleId is required."))?;
    let subjects = p
        .get("subjects")
        .and_then(Value::as_array)
        .filter(|s| s.len() == 1)
        .ok_or_else(|| GraphError::bad_request("subjects must hold exactly one user or group."))?;
    let subject = &subjects[0];
    let object_id = subject
        .get("objectId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("subjects[0].objectId is required."))?
        .to_ascii_lowercase();
    let kind = subject
        .get("objectTypeName")
        .and_then(Value::as_str)
        .unwrap_or("User");
    let dir = call.state.directory();
    let users: Vec<String> = if kind.eq_ignore_ascii_case("Group") {
        if !dir.groups.contains_key(&object_id) {
            return Err(GraphError::not_found(&object_id));
        }
        let members: Vec<String> = subject
            .pointer("/links/members")
            .and_then(Value::as_array)
            .map(|m| {
                m.iter()
                    .filter_map(|s| s.get("objectId").and_then(Value::as_str))
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        if members.is_empty() || members.len() > 5 {
            return Err(GraphError::bad_request(
                "Provisioning a group on demand requires between 1 and 5 members in links.members.",
            ));
        }
        if let Some(stranger) = members.iter().find(|m| {
            !dir.groups
                .get(&object_id)
                .is_some_and(|g| g.members.contains(m))
        }) {
            return Err(GraphError::bad_request(format!(
                "The user '{stranger}' in links.members is not a member of the group '{object_id}'."
            )));
        }
        members
    } else if kind.eq_ignore_ascii_case("User") {
        vec![object_id.clone()]
    } else {
        return Err(GraphError::bad_request(format!(
            "objectTypeName '{kind}' cannot be provisioned on demand."
        )));
    };
    for u in &users {
        if dir.deleted_users.contains_key(u) {
            return Err(GraphError::bad_request(format!("The user '{u}' is deleted in Microsoft Entra ID. Users who are deleted cannot be provisioned on demand; the regular provisioning cycle handles them.")));
        }
        let user = dir.users.get(u).ok_or_else(|| GraphError::not_found(u))?;
        if !user.account_enabled() {
            return Err(GraphError::bad_request(format!("The user '{u}' is disabled in Microsoft Entra ID. Users who are disabled cannot be provisioned on demand; the regular provisioning cycle handles them.")));
        }
    }
    let mut prov = call.state.provisioning();
    let job = prov
        .jobs
        .get(job_id)
        .filter(|j| j.service_principal_id == sp_id)
        .ok_or_else(|| job_not_found(job_id))?;
    let expected_rule = schema::compile(&job.schema)
        .map(|m| m.rule_id)
        .unwrap_or_default();
    if !rule_id.eq_ignore_ascii_case(&expected_rule) {
        return Err(GraphError::bad_request(format!(
            "The ruleId '{rule_id}' is not a synchronization rule of this job's schema."
        )));
    }
    // "Applications that use OAuth for authorization currently require the provisioning job to
    // be stopped before using on-demand provisioning. Applications such as G Suite, Box,
    // Workplace by Facebook, and Slack fall into this category." (entra-docs
    // `docs/identity/app-provisioning/provision-on-demand.md`, FAQ; graph-api.md §3.7).
    // Microsoft documents no error for this case: a plain Graph 400 with a sentence.
    if job.oauth && !job.paused {
        return Err(GraphError::bad_request(
            "On-demand provisioning is not available while the provisioning job of an application that uses OAuth for authorization is running. Stop the provisioning job and try again.",
        ));
    }
    if let Err(retry) = rate_limit(&mut prov.on_demand_calls, 5) {
        return Err(GraphError::too_many_requests(retry));
    }
    let who = (
        call.caller.claims.oid.clone(),
        call.caller.claims.name.clone().unwrap_or_default(),
    );
    let entry = if kind.eq_ignore_ascii_case("Group") {
        engine::on_demand_group(
            &mut prov,
            &dir,
            job_id,
            &object_id,
            &users,
            call.now(),
            call.state.tenant_id(),
            who,
        )
    } else {
        engine::on_demand(
            &mut prov,
            &dir,
            job_id,
            &object_id,
            call.now(),
            call.state.tenant_id(),
            who,
        )
    };
    let entry = entry.ok_or_else(|| {
        GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The object could not be processed.",
        )
    })?;
    Ok(GraphResponse::ok(entry.to_on_demand(
        &call.context("microsoft.graph.stringKeyStringValuePair"),
    )))
}
