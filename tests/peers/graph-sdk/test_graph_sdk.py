"""Microsoft's msgraph-sdk against the training tenant: every endpoint part 1 serves."""

import base64
import json

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.directory.deleted_items.graph_user.graph_user_request_builder import (
    GraphUserRequestBuilder,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.user import User
from msgraph.generated.service_principals.service_principals_request_builder import (
    ServicePrincipalsRequestBuilder,
)
from msgraph.generated.users.item.app_role_assignments.app_role_assignments_request_builder import (
    AppRoleAssignmentsRequestBuilder,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem


def users_query(**kwargs):
    config = RequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(**kwargs)
    )
    return config


def person(tenant, key):
    p = tenant.scenario["people"][key]
    return p["id"], p["userPrincipalName"]


async def test_list_users_with_paging_select_and_count(graph, fresh):
    page = await graph.users.get(users_query(select=["id", "displayName", "accountEnabled"], top=50))
    seen = set()
    while True:
        for u in page.value:
            assert u.id not in seen
            seen.add(u.id)
            assert u.account_enabled in (True, False)
        if not page.odata_next_link:
            break
        page = await graph.users.with_url(page.odata_next_link).get()
    assert len(seen) >= 200

    config = users_query(filter="accountEnabled eq false", count=True, top=5)
    config.headers.add("ConsistencyLevel", "eventual")
    disabled = await graph.users.get(config)
    assert disabled.odata_count and disabled.odata_count > 5
    assert len(disabled.value) == 5

    # Default property set: accountEnabled only when selected.
    default = await graph.users.get(users_query(top=1))
    assert default.value[0].account_enabled is None
    assert default.value[0].user_principal_name


async def test_filters_with_quotes_and_functions(graph, fresh):
    _, obrien_upn = person(fresh, "obrien")
    res = await graph.users.get(users_query(filter="surname eq 'O''Brien'"))
    assert [u.user_principal_name for u in res.value] == [obrien_upn]
    res = await graph.users.get(
        users_query(filter=f"userPrincipalName eq '{obrien_upn}' or startswith(displayName,'<img')")
    )
    assert len(res.value) == 2
    assert any(u.display_name == "<img src=x onerror=alert(1)>" for u in res.value)


async def test_get_update_revoke(graph, fresh):
    user_id, upn = person(fresh, "leaver-today")
    user = await graph.users.by_user_id(upn).get()
    assert user.id == user_id
    await graph.users.by_user_id(user_id).patch(User(account_enabled=False))
    config = RequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=["accountEnabled", "signInSessionsValidFromDateTime"]
        )
    )
    user = await graph.users.by_user_id(user_id).get(config)
    assert user.account_enabled is False
    result = await graph.users.by_user_id(user_id).revoke_sign_in_sessions.post()
    assert result.value is True
    user = await graph.users.by_user_id(user_id).get(config)
    assert user.sign_in_sessions_valid_from_date_time is not None


async def test_soft_delete_restore_and_permanent_delete(graph, fresh):
    user_id, upn = person(fresh, "leaver-today")
    await graph.users.by_user_id(user_id).delete()
    deleted = await graph.directory.deleted_items.graph_user.get()
    mine = [u for u in deleted.value if u.id == user_id]
    assert mine and mine[0].user_principal_name == user_id.replace("-", "") + upn
    item = await graph.directory.deleted_items.by_directory_object_id(user_id).get()
    assert item.id == user_id and item.odata_type == "#microsoft.graph.user"
    restored = await graph.directory.deleted_items.by_directory_object_id(user_id).restore.post()
    assert restored.id == user_id
    assert (await graph.users.by_user_id(user_id).get()).user_principal_name == upn

    await graph.users.by_user_id(user_id).delete()
    await graph.directory.deleted_items.by_directory_object_id(user_id).delete()
    with pytest.raises(ODataError) as err:
        await graph.directory.deleted_items.by_directory_object_id(user_id).get()
    assert err.value.response_status_code == 404
    assert err.value.error.code == "Request_ResourceNotFound"


async def test_deleted_items_filter_and_count(graph, fresh):
    config = RequestConfiguration(
        query_parameters=GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            count=True, select=["id", "userPrincipalName", "deletedDateTime"]
        )
    )
    config.headers.add("ConsistencyLevel", "eventual")
    deleted = await graph.directory.deleted_items.graph_user.get(config)
    assert deleted.odata_count == 3
    assert all(u.deleted_date_time is not None for u in deleted.value)


async def test_mail_only_lookup_via_filter(graph, fresh):
    """GET /users/{upn} resolves only the UPN; a mail, other e-mail or alias is found with $filter
    (any() on the string collections), as Microsoft's SDK asks for it."""
    domain = fresh.scenario["tenantDomain"]
    select = ["id", "userPrincipalName", "mail", "otherMails", "proxyAddresses"]
    amelia_id, amelia_upn = person(fresh, "renamed")
    found = await graph.users.get(users_query(filter=f"mail eq 'amelia.hart@{domain}'", select=select))
    assert [(u.id, u.user_principal_name) for u in found.value] == [(amelia_id, amelia_upn)]
    assert amelia_upn != found.value[0].mail

    intern_id, _ = person(fresh, "intern-returning")
    found = await graph.users.get(
        users_query(filter="otherMails/any(x:x eq 'ivy.intern.home@example.net')", select=select)
    )
    assert [u.id for u in found.value] == [intern_id]
    assert found.value[0].other_mails == ["ivy.intern.home@example.net"]

    sanjay_id, _ = person(fresh, "second-domain")
    found = await graph.users.get(
        users_query(filter="proxyAddresses/any(x:x eq 'SMTP:Sanjay.Patel@contoso-sales.example')", select=select)
    )
    assert [u.id for u in found.value] == [sanjay_id]
    assert "smtp:sanjay.patel@contoso-sales.example" in found.value[0].proxy_addresses

    # A guest: found by the address he was invited with; his #EXT# UPN works as a key.
    guest_id, guest_upn = person(fresh, "guest")
    assert "#EXT#@" in guest_upn
    found = await graph.users.get(users_query(filter="mail eq 'gabriel.gast@fabrikam.com'", select=select))
    assert [u.user_principal_name for u in found.value] == [guest_upn]
    assert (await graph.users.by_user_id(guest_upn).get()).id == guest_id

    # endsWith on a collection is an advanced query: refused without the header, served with it.
    ends = "proxyAddresses/any(x:endswith(x,'@contoso-sales.example'))"
    with pytest.raises(ODataError) as err:
        await graph.users.get(users_query(filter=ends))
    assert err.value.response_status_code == 400
    assert err.value.error.code == "Request_UnsupportedQuery"
    config = users_query(filter=ends, count=True, select=select)
    config.headers.add("ConsistencyLevel", "eventual")
    found = await graph.users.get(config)
    assert found.odata_count == 1 and found.value[0].id == sanjay_id

    # The recycle bin keeps a deleted person's aliases.
    tomas_id, _ = person(fresh, "alias-recycled")
    config = RequestConfiguration(
        query_parameters=GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            filter="proxyAddresses/any(x:x eq 'smtp:t.binns@contoso-sales.example')", select=select
        )
    )
    deleted = await graph.directory.deleted_items.graph_user.get(config)
    assert [u.id for u in deleted.value] == [tomas_id]


async def test_service_principals_and_assignments(graph, fresh):
    apps = {a["key"]: a for a in fresh.scenario["apps"]}
    floorplan = apps["floorplan"]
    config = RequestConfiguration(
        query_parameters=ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(
            filter="displayName eq 'Floorplan'"
        )
    )
    sps = await graph.service_principals.get(config)
    assert [s.app_id for s in sps.value] == [floorplan["appId"]]
    sp = await graph.service_principals.by_service_principal_id(floorplan["servicePrincipalId"]).get()
    assert sp.display_name == "Floorplan" and sp.app_roles
    sp = await graph.service_principals_with_app_id(floorplan["appId"]).get()
    assert sp.id == floorplan["servicePrincipalId"]
    assigned = await graph.service_principals.by_service_principal_id(sp.id).app_role_assigned_to.get()
    types = {a.principal_type for a in assigned.value}
    assert {"User", "Group"} <= types

    rehired_id, _ = person(fresh, "rehired")
    config = RequestConfiguration(
        query_parameters=AppRoleAssignmentsRequestBuilder.AppRoleAssignmentsRequestBuilderGetQueryParameters(
            filter=f"resourceId eq {sp.id}"
        )
    )
    mine = await graph.users.by_user_id(rehired_id).app_role_assignments.get(config)
    assert len(mine.value) >= 1 and all(str(a.resource_id) == sp.id for a in mine.value)


async def test_groups_and_members(graph, fresh):
    groups = await graph.groups.get()
    interns = next(g for g in groups.value if g.display_name == "Interns")
    members = await graph.groups.by_group_id(interns.id).members.get()
    before = len(members.value)
    assert before > 0
    obrien_id, _ = person(fresh, "obrien")
    await graph.groups.by_group_id(interns.id).members.ref.post(
        ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{obrien_id}")
    )
    members = await graph.groups.by_group_id(interns.id).members.get()
    assert len(members.value) == before + 1
    await graph.groups.by_group_id(interns.id).members.by_directory_object_id(obrien_id).ref.delete()
    members = await graph.groups.by_group_id(interns.id).members.get()
    assert len(members.value) == before


async def test_batch(graph, fresh):
    user_id, _ = person(fresh, "leaver-today")
    content = BatchRequestContent()
    get_item = BatchRequestItem(request_information=graph.users.by_user_id(user_id).to_get_request_information())
    patch_item = BatchRequestItem(
        request_information=graph.users.by_user_id(user_id).to_patch_request_information(User(account_enabled=False))
    )
    patch_item.set_depends_on([get_item])
    missing = BatchRequestItem(
        request_information=graph.users.by_user_id("00000000-0000-0000-0000-0000000000aa").to_get_request_information()
    )
    content.add_request(get_item.id, get_item)
    content.add_request(patch_item.id, patch_item)
    content.add_request(missing.id, missing)
    response = await graph.batch.post(batch_request_content=content)
    statuses = {k: v.status for k, v in response.responses.items()}
    assert statuses[get_item.id] == 200
    assert statuses[patch_item.id] == 204
    assert statuses[missing.id] == 404


async def test_me_and_role_errors(fresh):
    helpdesk = fresh.client(fresh.user_token(fresh.demo("User Administrator")))
    me = await helpdesk.me.get()
    assert me.user_principal_name == fresh.demo("User Administrator")

    reader = fresh.client(fresh.user_token(fresh.demo("Reports Reader")))
    obrien_id, _ = person(fresh, "obrien")
    assert (await reader.users.by_user_id(obrien_id).get()).id == obrien_id
    with pytest.raises(ODataError) as err:
        await reader.users.by_user_id(obrien_id).patch(User(account_enabled=False))
    assert err.value.response_status_code == 403
    assert err.value.error.code == "Authorization_RequestDenied"


def demo_by_name(tenant, local: str) -> str:
    for account in tenant.scenario["demoAccounts"]:
        if account["userPrincipalName"].startswith(local + "@"):
            return account["userPrincipalName"]
    raise KeyError(local)


async def test_administrative_unit_role_is_enforced_per_member(fresh):
    """A User Administrator for the administrative unit Interns: Graph allows changes to the unit's
    members and answers 403 Authorization_RequestDenied for everyone else, though the role is not
    in the token's wids (access-token-claims-reference.md; admin-units-assign-roles.md)."""
    token = fresh.user_token(demo_by_name(fresh, "interns.helpdesk"))
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert "fe930be7-5e62-47db-91af-98c3a49a38b1" not in claims.get("wids", [])
    unit_admin = fresh.client(token)
    ivy_id, _ = person(fresh, "intern-returning")
    await unit_admin.users.by_user_id(ivy_id).patch(User(account_enabled=True))
    leo_id, _ = person(fresh, "leaver-today")
    with pytest.raises(ODataError) as err:
        await unit_admin.users.by_user_id(leo_id).patch(User(account_enabled=False))
    assert err.value.response_status_code == 403
    assert err.value.error.code == "Authorization_RequestDenied"
    admin = fresh.client(fresh.app_token())
    query = RequestConfiguration(
        query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
            select=["accountEnabled"]
        )
    )
    assert (await admin.users.by_user_id(ivy_id).get(query)).account_enabled is True
    assert (await admin.users.by_user_id(leo_id).get(query)).account_enabled is True


async def test_bad_token_and_bad_query(fresh):
    anonymous = fresh.client("not-a-token")
    with pytest.raises(ODataError) as err:
        await anonymous.users.get()
    assert err.value.response_status_code == 401
    assert err.value.error.code == "InvalidAuthenticationToken"

    graph = fresh.client(fresh.app_token())
    with pytest.raises(ODataError) as err:
        await graph.users.get(users_query(filter="not(accountEnabled eq true)"))
    assert err.value.response_status_code == 400
    assert err.value.error.code == "Request_UnsupportedQuery"
    with pytest.raises(ODataError) as err:
        await graph.users.by_user_id("nobody@contoso-training.onmicrosoft.com").get()
    assert err.value.error.code == "Request_ResourceNotFound"
    assert err.value.error.inner_error is not None


async def test_page_iterator_and_count_segment(graph, fresh):
    from msgraph_core import PageIterator

    first = await graph.users.get(users_query(select=["id"], top=25))
    seen = []

    def collect(user):
        seen.append(user.id)
        return True

    iterator = PageIterator(first, graph.request_adapter)
    await iterator.iterate(collect)
    assert len(seen) == len(set(seen)) >= 200

    config = RequestConfiguration()
    config.headers.add("ConsistencyLevel", "eventual")
    count = await graph.users.count.get(config)
    assert count == len(seen)
