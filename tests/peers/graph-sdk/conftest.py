"""Starts the training tenant binary and hands tests a configured msgraph-sdk client.

The tenant is reached the way Microsoft's SDK reaches Graph: over HTTP, with bearer tokens that the
tenant's own token endpoint issued (client credentials for the automation client, or the
authorization-code + PKCE flow for demo accounts)."""

import base64
import hashlib
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient

ROOT = Path(__file__).resolve().parents[3]


class StaticToken(AccessTokenProvider):
    """Hands the SDK a token we obtained ourselves from the tenant."""

    def __init__(self, token: str):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator(["127.0.0.1"])


class Tenant:
    def __init__(self, base_url: str, control_token: str):
        self.base_url = base_url
        # Sent as X-Training-Control on the tenant's /_training/ controls (reset, clock, ...).
        self.control_token = control_token
        self.scenario = self.get_json("/_training/scenario")
        self.tenant_id = self.scenario["tenantId"]

    def get_json(self, path: str):
        with urllib.request.urlopen(self.base_url + path, timeout=30) as r:
            return json.load(r)

    def post_json(self, path: str, body: dict):
        req = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Training-Control": self.control_token},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
            return json.loads(data) if data else None

    def token_request(self, form: dict) -> dict:
        req = urllib.request.Request(
            f"{self.base_url}/{self.tenant_id}/oauth2/v2.0/token",
            data=urllib.parse.urlencode(form).encode(),
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    def app_token(self) -> str:
        return self.token_request(
            {
                "client_id": self.scenario["automationClientId"],
                "client_secret": self.scenario["automationClientSecret"],
                "grant_type": "client_credentials",
                "scope": "https://graph.microsoft.com/.default",
            }
        )["access_token"]

    def user_token(self, upn: str) -> str:
        """Authorization code + PKCE, using the tenant's test-only auto-consent parameters."""
        verifier = base64.urlsafe_b64encode(os.urandom(40)).rstrip(b"=").decode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        redirect_uri = "http://localhost:53682/"
        query = urllib.parse.urlencode(
            {
                "client_id": self.scenario["publicClientId"],
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "scope": "openid offline_access https://graph.microsoft.com/.default",
                "state": "peer",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "training_login_hint": upn,
                "training_auto_consent": "1",
            }
        )

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(f"{self.base_url}/{self.tenant_id}/oauth2/v2.0/authorize?{query}", timeout=30)
            raise AssertionError("authorize did not redirect")
        except urllib.error.HTTPError as e:
            assert e.code in (302, 303), e.code
            location = e.headers["Location"]
        params = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
        assert params["state"] == ["peer"]
        return self.token_request(
            {
                "client_id": self.scenario["publicClientId"],
                "grant_type": "authorization_code",
                "code": params["code"][0],
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        )["access_token"]

    def demo(self, role: str) -> str:
        for account in self.scenario["demoAccounts"]:
            if role in account["roles"]:
                return account["userPrincipalName"]
        raise KeyError(role)

    def client(self, token: str) -> GraphServiceClient:
        auth = BaseBearerTokenAuthenticationProvider(StaticToken(token))
        adapter = GraphRequestAdapter(auth)
        adapter.base_url = f"{self.base_url}/v1.0"
        return GraphServiceClient(request_adapter=adapter)


@pytest.fixture(scope="session")
def tenant():
    binary = os.environ.get("TRAINING_TENANT_BIN", str(ROOT / "target" / "debug" / "training-tenant"))
    proc = subprocess.Popen(
        [binary, "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first_line = proc.stdout.readline().strip()
        assert first_line.startswith("http://127.0.0.1:"), f"unexpected first line: {first_line!r}"
        # The line after the URL is "control token: ...".
        second_line = proc.stdout.readline().strip()
        prefix = "control token: "
        assert second_line.startswith(prefix), f"unexpected second line: {second_line!r}"
        yield Tenant(first_line, second_line[len(prefix):])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def fresh(tenant):
    """Resets the tenant to its scenario before a test that changes state."""
    tenant.post_json("/_training/reset", {})
    return tenant


@pytest.fixture()
def graph(fresh):
    return fresh.client(fresh.app_token())
