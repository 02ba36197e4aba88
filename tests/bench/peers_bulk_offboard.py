"""The bulk_offboard benchmark's peer: Microsoft's msgraph-sdk for Python doing the same work as
Provisioning Desk's bulk offboard (disable sign-in, then revoke sessions, for every user), one
request at a time, against the same training tenant.

Usage: .venv-peers/bin/python tests/bench/peers_bulk_offboard.py BASE_URL IDS_FILE
IDS_FILE holds one object id per line. Prints one JSON line: {"seconds", "rows", "failedRows"}.
Called by crates/playbooks/benches/bulk_offboard.rs; the token comes from the tenant's token
endpoint with the automation client's credentials (GET /_training/scenario)."""

import asyncio
import json
import sys
import time
import urllib.parse
import urllib.request

from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.user import User


class StaticToken(AccessTokenProvider):
    def __init__(self, token: str):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator(["127.0.0.1"])


def app_token(base_url: str) -> str:
    with urllib.request.urlopen(base_url + "/_training/scenario", timeout=30) as r:
        scenario = json.load(r)
    form = {
        "client_id": scenario["automationClientId"],
        "client_secret": scenario["automationClientSecret"],
        "grant_type": "client_credentials",
        "scope": "https://graph.microsoft.com/.default",
    }
    req = urllib.request.Request(
        f"{base_url}/{scenario['tenantId']}/oauth2/v2.0/token",
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["access_token"]


async def main(base_url: str, ids: list[str]) -> dict:
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(app_token(base_url))))
    adapter.base_url = f"{base_url}/v1.0"
    graph = GraphServiceClient(request_adapter=adapter)
    failed = 0
    started = time.perf_counter()
    for user_id in ids:
        # Same order as the desk: no session revocation for someone who could not be disabled.
        try:
            await graph.users.by_user_id(user_id).patch(User(account_enabled=False))
            await graph.users.by_user_id(user_id).revoke_sign_in_sessions.post()
        except Exception as error:  # the SDK's own retry handler has already given up
            failed += 1
            print(f"row {user_id}: {error}", file=sys.stderr)
    return {"seconds": time.perf_counter() - started, "rows": len(ids), "failedRows": failed}


if __name__ == "__main__":
    base, ids_file = sys.argv[1], sys.argv[2]
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    print(json.dumps(asyncio.run(main(base, ids))))
