"""Runs the scim2-tester compliance suite against every SCIM app of a running training tenant.

Usage: check_apps.py BASE_URL CONTROL_TOKEN (the tenant prints both at start; the token is
sent as X-Training-Control to renew an app's token). Apps whose bearer token has expired on purpose (the quarantine
story) are checked after the tenant issues them a new token. Exits non-zero on any ERROR or
CRITICAL result."""

import json
import sys
import urllib.request

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILING = {Status.ERROR, Status.CRITICAL}

# Deviations that *are* an app's personality (PLAYBOOKS.md): a soft-deleting app keeps returning
# a deleted user with active=false, which the suite's deletion check reports.
PERSONALITY = {"softDeletes": {"object_deletion"}}


def main(base_url: str, control_token: str) -> int:
    with urllib.request.urlopen(f"{base_url}/_training/scenario", timeout=30) as r:
        apps = json.load(r)["scimApps"]
    failures = 0
    for app in apps:
        token = app["bearerToken"]
        if app["personality"].get("tokenExpired"):
            req = urllib.request.Request(
                f"{base_url}/_training/scim-apps/{app['key']}/renew-token",
                data=b"{}",
                headers={"Content-Type": "application/json", "X-Training-Control": control_token},
                method="POST",
            )
            with urllib.request.urlopen(req, timeout=30) as r:
                token = json.load(r)["bearerToken"]
        http = Client(base_url=app["scimBaseUrl"], headers={"Authorization": f"Bearer {token}"})
        client = SyncSCIMClient(http)
        client.discover()
        results = check_server(client)
        expected = set().union(*(v for k, v in PERSONALITY.items() if app["personality"].get(k)))
        for r in results:
            if r.status in FAILING and r.title in expected:
                print(f"  expected ({app['key']} personality): {r.title}: {r.reason}")
        bad = [r for r in results if r.status in FAILING and r.title not in expected]
        print(f"{app['key']}: {len(results)} checks, {len(bad)} failing")
        for r in bad:
            print(f"  {r.status.name} {r.title}: {r.reason}")
        failures += len(bad)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
