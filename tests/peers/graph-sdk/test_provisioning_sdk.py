"""Microsoft's msgraph-sdk against the training tenant's part 2: synchronization jobs (list, get,
create, pause, start, restart), provisionOnDemand, schema (get, reset) and parseExpression,
provisioning logs, and object connections (beta, raw requests through the SDK's adapter)."""

import json

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.audit_logs.provisioning.provisioning_request_builder import (
    ProvisioningRequestBuilder,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.synchronization_job import SynchronizationJob
from msgraph.generated.models.synchronization_job_application_parameters import (
    SynchronizationJobApplicationParameters,
)
from msgraph.generated.models.synchronization_job_restart_criteria import (
    SynchronizationJobRestartCriteria,
)
from msgraph.generated.models.synchronization_job_restart_scope import SynchronizationJobRestartScope
from msgraph.generated.models.synchronization_job_subject import SynchronizationJobSubject
from msgraph.generated.models.synchronization_status_code import SynchronizationStatusCode
from msgraph.generated.models.user import User
from msgraph.generated.service_principals.item.synchronization.jobs.item.provision_on_demand.provision_on_demand_post_request_body import (
    ProvisionOnDemandPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.restart.restart_post_request_body import (
    RestartPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.schema.parse_expression.parse_expression_post_request_body import (
    ParseExpressionPostRequestBody,
)


def scim_app(tenant, key):
    return next(a for a in tenant.scenario["scimApps"] if a["key"] == key)


def job_builder(graph, app):
    return graph.service_principals.by_service_principal_id(app["servicePrincipalId"]).synchronization.jobs.by_synchronization_job_id(app["jobId"])


async def test_jobs_pause_start_restart(graph, fresh):
    app = scim_app(fresh, "floorplan")
    jobs = await graph.service_principals.by_service_principal_id(app["servicePrincipalId"]).synchronization.jobs.get()
    assert [j.id for j in jobs.value] == [app["jobId"]]
    job = await job_builder(graph, app).get()
    assert job.status.code == SynchronizationStatusCode.Active
    assert job.schedule.interval is not None
    assert job.status.last_execution.state is not None

    await job_builder(graph, app).pause.post()
    assert (await job_builder(graph, app).get()).status.code == SynchronizationStatusCode.Paused
    await job_builder(graph, app).start.post()
    assert (await job_builder(graph, app).get()).status.code != SynchronizationStatusCode.Paused
    await job_builder(graph, app).restart.post(
        RestartPostRequestBody(criteria=SynchronizationJobRestartCriteria(reset_scope=SynchronizationJobRestartScope.Full))
    )

    quarantined = await job_builder(graph, scim_app(fresh, "expensely")).get()
    assert quarantined.status.code == SynchronizationStatusCode.Quarantine
    assert quarantined.status.quarantine.series_count >= 1


async def test_provision_on_demand_and_schema(graph, fresh):
    app = scim_app(fresh, "floorplan")
    schema = await job_builder(graph, app).schema.get()
    rule = schema.synchronization_rules[0]
    mappings = rule.object_mappings[0].attribute_mappings
    active = next(m for m in mappings if m.target_attribute_name == "active")
    assert "IsSoftDeleted" in active.source.expression
    assert any(m.matching_priority == 1 for m in mappings)

    obrien = fresh.scenario["people"]["obrien"]["id"]
    body = ProvisionOnDemandPostRequestBody(
        parameters=[
            SynchronizationJobApplicationParameters(
                rule_id=rule.id,
                subjects=[SynchronizationJobSubject(object_id=obrien, object_type_name="User")],
            )
        ]
    )
    result = await job_builder(graph, app).provision_on_demand.post(body)
    key = json.loads(result.key)
    value = json.loads(result.value)
    assert key["result"] in ("Success", "Skipped")
    assert value["sourceIdentity"]["id"] == obrien
    assert [s["type"] for s in value["provisioningSteps"]][:2] == ["Import", "Scoping"]

    parsed = await job_builder(graph, app).schema.parse_expression.post(
        ParseExpressionPostRequestBody(expression='Switch([IsSoftDeleted], , "False", "True", "True", "False")')
    )
    assert parsed.parsing_succeeded is True
    assert parsed.parsed_expression.name == "Switch"


async def test_create_job_and_reset_schema(graph, fresh):
    app = scim_app(fresh, "badgeway")
    jobs = graph.service_principals.by_service_principal_id(app["servicePrincipalId"]).synchronization.jobs
    created = await jobs.post(SynchronizationJob(template_id="scim"))
    assert created.template_id == "scim"
    assert created.status.code == SynchronizationStatusCode.NotConfigured
    assert sorted(j.id for j in (await jobs.get()).value) == sorted([app["jobId"], created.id])

    def active(schema):
        mappings = schema.synchronization_rules[0].object_mappings[0].attribute_mappings
        return next(m for m in mappings if m.target_attribute_name == "active").source.expression

    assert active(await job_builder(graph, app).schema.get()) == '"True"'
    await job_builder(graph, app).schema.delete()
    assert "IsSoftDeleted" in active(await job_builder(graph, app).schema.get())


async def test_provisioning_logs(graph, fresh):
    app = scim_app(fresh, "timesheets")
    config = RequestConfiguration(
        query_parameters=ProvisioningRequestBuilder.ProvisioningRequestBuilderGetQueryParameters(
            filter=f"jobId eq '{app['jobId']}' and provisioningStatusInfo/status eq 'failure'",
            top=10,
        )
    )
    logs = await graph.audit_logs.provisioning.get(config)
    assert logs.value, "the re-hired person's duplicate create failed"
    entry = logs.value[0]
    assert entry.provisioning_status_info.error_information.error_code == "EntryConflict"
    assert entry.service_principal.id == app["servicePrincipalId"]
    # (The SDK cannot map "import" to its ProvisioningStepType.Import_ member, so check the next.)
    assert entry.provisioning_steps[1].provisioning_step_type.value == "scoping"
    assert entry.provisioning_steps[-1].status.value == "failure"


def log_query(**options):
    return RequestConfiguration(
        query_parameters=ProvisioningRequestBuilder.ProvisioningRequestBuilderGetQueryParameters(**options)
    )


async def test_provisioning_logs_order_and_case_sensitive_filters(graph, fresh):
    """The default order of /auditLogs/provisioning is not documented (the tenant answers
    oldest first), $orderby=activityDateTime desc is honoured, and "the filters are all case
    sensitive": a wrongly cased property name is refused (provisioningobjectsummary-list.md)."""
    leaver = fresh.scenario["people"]["leaver-today"]["id"]
    await graph.users.by_user_id(leaver).patch(User(account_enabled=False))
    fresh.post_json("/_training/clock/advance", {"minutes": 41})

    unordered = await graph.audit_logs.provisioning.get(log_query(top=999))
    times = [e.activity_date_time for e in unordered.value]
    assert times[0] < max(times), "without $orderby the first entry is not the newest"

    newest_first = await graph.audit_logs.provisioning.get(
        log_query(top=999, orderby=["activityDateTime desc"])
    )
    times = [e.activity_date_time for e in newest_first.value]
    assert times == sorted(times, reverse=True)
    assert times[0] == max(e.activity_date_time for e in unordered.value)

    job = scim_app(fresh, "floorplan")["jobId"]
    try:
        await graph.audit_logs.provisioning.get(log_query(filter=f"JobId eq '{job}'"))
        raise AssertionError("a wrongly cased property name in $filter is refused")
    except ODataError as e:
        assert e.response_status_code == 400
        assert "JobId" in e.error.message


async def test_permissions_for_provisioning(fresh):
    helpdesk = fresh.client(fresh.user_token(fresh.demo("User Administrator")))
    app = scim_app(fresh, "floorplan")
    try:
        await helpdesk.service_principals.by_service_principal_id(app["servicePrincipalId"]).synchronization.jobs.get()
        raise AssertionError("a helpdesk operator cannot read provisioning jobs")
    except ODataError as e:
        assert e.response_status_code == 403
        assert e.error.code == "Authorization_RequestDenied"


def beta_request(fresh, method, path):
    """A raw beta request for the SDK's request adapter: the v1.0 SDK has no builder for object
    connections (entra-docs manage-object-connections.md documents them in beta only)."""
    info = RequestInformation(Method[method])
    info.url = f"{fresh.base_url}/beta{path}"
    info.headers.try_add("Accept", "application/json")
    return info


async def test_object_connections_through_the_request_adapter(graph, fresh):
    """GET one object connection, pause, confirm paused, DELETE it (204, and again 204), start:
    the documented repair workflow, sent as raw beta requests through the SDK's adapter."""
    app = scim_app(fresh, "insight")
    person = fresh.scenario["people"]["insight-stale"]["id"]
    job = f"/servicePrincipals/{app['servicePrincipalId']}/synchronization/jobs/{app['jobId']}"
    connection = f"{job}/objectConnections('{person}')"
    errors = {"XXX": ODataError}
    adapter = graph.request_adapter

    raw = await adapter.send_primitive_async(beta_request(fresh, "GET", connection), "bytes", errors)
    found = json.loads(raw)
    assert found["sourceAnchor"] == person
    assert found["objectTypeName"] == "user"
    assert found["@odata.context"].endswith("/beta/$metadata#objectConnection/$entity")
    stale = found["targetAnchor"]

    try:
        await adapter.send_no_response_content_async(beta_request(fresh, "DELETE", connection), errors)
        raise AssertionError("an active job refuses the delete")
    except ODataError as e:
        assert e.response_status_code == 409

    await adapter.send_no_response_content_async(beta_request(fresh, "POST", f"{job}/pause"), errors)
    paused = json.loads(await adapter.send_primitive_async(beta_request(fresh, "GET", job), "bytes", errors))
    assert paused["schedule"]["state"] == "Paused"
    assert (await job_builder(graph, app).get()).status.code == SynchronizationStatusCode.Paused

    await adapter.send_no_response_content_async(beta_request(fresh, "DELETE", connection), errors)
    await adapter.send_no_response_content_async(beta_request(fresh, "DELETE", connection), errors)
    try:
        await adapter.send_primitive_async(beta_request(fresh, "GET", connection), "bytes", errors)
        raise AssertionError("the connection is gone")
    except ODataError as e:
        assert e.response_status_code == 404
        assert e.error.code == "Request_ResourceNotFound"

    schema = await job_builder(graph, app).schema.get()
    result = await job_builder(graph, app).provision_on_demand.post(
        ProvisionOnDemandPostRequestBody(
            parameters=[
                SynchronizationJobApplicationParameters(
                    rule_id=schema.synchronization_rules[0].id,
                    subjects=[SynchronizationJobSubject(object_id=person, object_type_name="User")],
                )
            ]
        )
    )
    assert json.loads(result.value)["action"] == "Create"
    await adapter.send_no_response_content_async(beta_request(fresh, "POST", f"{job}/start"), errors)
    assert (await job_builder(graph, app).get()).status.code != SynchronizationStatusCode.Paused

    relinked = json.loads(await adapter.send_primitive_async(beta_request(fresh, "GET", connection), "bytes", errors))
    assert relinked["targetAnchor"] != stale

    # The v1.0 endpoint has no object connections.
    v1 = beta_request(fresh, "GET", connection)
    v1.url = f"{fresh.base_url}/v1.0{connection}"
    try:
        await adapter.send_primitive_async(v1, "bytes", errors)
        raise AssertionError("v1.0 has no objectConnections")
    except ODataError as e:
        assert e.response_status_code == 400
