"""Every route's access rule, walked from the OpenAPI document of the running system: a new
route without a rule, or with a rule the server does not enforce, fails here."""

from __future__ import annotations

import base64
import json
import re
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from tests.e2e.harness import System
from tests.e2e.test_signals_api import USER_RULE

from chitti.config import PROJECT_ROOT

ROLES = ("viewer", "trader", "admin")
#: A value for each path parameter that names something plausible.
PATH_VALUES = {"symbol": "TCS", "name": "nobody-here", "key_id": "000000000000"}


def operations(system: System) -> Iterator[tuple[str, str, dict[str, Any]]]:
    spec = system.http.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "987654321"),
                         path)
            yield method.upper(), url, op


def call(system: System, method: str, url: str, headers: dict[str, str]) -> httpx.Response:
    """The request with a body no route accepts: whatever passes the access check stops at
    validation (400), so nothing runs (no ingest of every feed, no backtest)."""
    body = {"not-a-field": 1} if method in ("POST", "PUT", "PATCH") else None
    with httpx.Client(base_url=system.url, timeout=30) as client, client.stream(
            method, url, json=body, headers=headers) as response:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            response.read()  # a stream that opened is left unread: it never ends
        return response


@pytest.fixture(scope="module")
def keys(system: System) -> dict[str, str]:
    made = {role: system.add_user(f"access-{role}", role) for role in ROLES}
    return {**made, "trader2": system.add_user("access-trader2", "trader")}


def test_every_route_has_a_rule_and_the_readme_lists_it(system: System) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    for path, ops in system.http.get("/openapi.json").json()["paths"].items():
        for method, op in ops.items():
            rule = op.get("x-access")
            assert rule is not None, f"{method} {path} has no access rule"
            row = f"| `{method.upper()} {path}` | {rule['role']} | {rule['limit']} |"
            assert row in readme, f"README's route table lacks {row}"


def test_no_credentials_is_401_on_every_protected_route(system: System) -> None:
    checked = 0
    for method, url, op in operations(system):
        if op["x-access"]["role"] == "public":
            continue
        response = call(system, method, url, {})
        assert response.status_code == 401, (method, url, response.text)
        assert response.json()["error"]["code"] == "unauthorized"
        checked += 1
    assert checked >= 35


def test_a_lower_role_is_403_and_the_right_role_passes(system: System,
                                                         keys: dict[str, str]) -> None:
    for method, url, op in operations(system):
        needed = op["x-access"]["role"]
        if needed == "public":
            continue
        for role in ROLES:
            response = call(system, method, url, {"X-API-Key": keys[role]})
            if ROLES.index(role) < ROLES.index(needed):
                assert response.status_code == 403, (role, method, url, response.text)
                assert needed in response.json()["error"]["message"]
            else:
                assert response.status_code not in (401, 403), (role, method, url,
                                                                 response.text)


def _token_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    def decode(part: str) -> dict[str, Any]:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # type: ignore[no-any-return]
    return decode(header), decode(payload), signature


def _encode(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_forged_expired_and_revoked_tokens_are_401(system: System,
                                                   keys: dict[str, str]) -> None:
    password = "a long test password"
    system.http.patch("/api/auth/users/access-viewer", json={"password": password})
    token = system.login("access-viewer", password)
    key = bytes.fromhex((system.var_dir / "jwt.key").read_text())
    header, claims, signature = _token_parts(token)
    admin_claims = {**claims, "role": "admin"}
    with warnings.catch_warnings():  # PyJWT warns that 32 bytes are short for HS512
        warnings.simplefilter("ignore")
        hs512 = jwt.encode(admin_claims, key, algorithm="HS512")
    forged = {
        "tampered role": f"{_encode(header)}.{_encode(admin_claims)}.{signature}",
        "alg none": f"{_encode({'alg': 'none', 'typ': 'JWT'})}.{_encode(admin_claims)}.",
        "RS256 header": f"{_encode({'alg': 'RS256', 'typ': 'JWT'})}.{_encode(admin_claims)}."
                        + signature,
        "HS512 with the right key": hs512,
        "another key": jwt.encode(admin_claims, b"x" * 32, algorithm="HS256"),
        "expired": jwt.encode({**claims, "iat": int(time.time()) - 7200,
                               "exp": int(time.time()) - 3600}, key, algorithm="HS256"),
        "not a token": "abc.def",
    }
    assert call(system, "GET", "/api/auth/me", {"Authorization": f"Bearer {token}"}
                ).json()["role"] == "viewer"
    protected = [(m, u) for m, u, op in operations(system)
                 if op["x-access"]["role"] != "public"]
    for what, bad in forged.items():  # on every route, as header and as cookie
        for method, url in protected:
            for headers in ({"Authorization": f"Bearer {bad}"},
                            {"Cookie": f"chitti_access={bad}"}):
                response = call(system, method, url, headers)
                assert response.status_code == 401, (what, method, url, response.text)
    # the right key and algorithm with the claims untouched still work: the forgeries
    # above failed for what was forged, not for how the test encodes
    resigned = jwt.encode(claims, key, algorithm="HS256")
    assert call(system, "GET", "/api/auth/me",
                {"Authorization": f"Bearer {resigned}"}).status_code == 200
    assert call(system, "POST", "/api/auth/logout",
                {"Authorization": f"Bearer {token}"}).status_code == 204
    for method, url in protected:  # the revoked token, on every route
        assert call(system, method, url, {"Authorization": f"Bearer {token}"}
                    ).status_code == 401, (method, url)
    assert call(system, "GET", "/api/auth/me", {"X-API-Key": keys["viewer"] + "x"}
                ).status_code == 401


def test_another_users_watchlist_is_404(system: System, keys: dict[str, str]) -> None:
    mine = httpx.post(system.url + "/api/watchlists", headers={"X-API-Key": keys["trader"]},
                      json={"name": "banks", "symbols": ["HDFCBANK", "SBIN", "ICICIBANK"]})
    assert mine.status_code in (201, 409), mine.text
    listed = httpx.get(system.url + "/api/watchlists",
                       headers={"X-API-Key": keys["trader"]}).json()["watchlists"]
    banks = next(w for w in listed if w["name"] == "banks")
    assert banks["symbols"] == ["HDFCBANK", "SBIN", "ICICIBANK"]
    other = {"X-API-Key": keys["trader2"]}
    url = f"{system.url}/api/watchlists/{banks['id']}"
    assert httpx.get(url, headers=other).status_code == 404
    assert httpx.put(url, headers=other, json={"name": "mine now"}).status_code == 404
    assert httpx.delete(url, headers=other).status_code == 404
    assert banks["id"] not in [w["id"] for w in httpx.get(
        system.url + "/api/watchlists", headers=other).json()["watchlists"]]
    assert httpx.get(url, headers={"X-API-Key": keys["trader"]}).json()["name"] == "banks"
    admin = system.http.get(f"/api/watchlists/{banks['id']}")
    assert admin.status_code == 200 and admin.json()["owner"] == "access-trader"


def test_another_users_backtests_and_rules_are_404(system: System,
                                                    keys: dict[str, str]) -> None:
    mine, other = {"X-API-Key": keys["trader"]}, {"X-API-Key": keys["trader2"]}
    run = httpx.post(system.url + "/api/backtest", headers=mine, timeout=120, json={
        "strategy": "sma_crossover", "symbols": ["TCS"], "start": "2019-01-01",
        "end": "2019-12-31", "benchmark": None})
    assert run.status_code == 200, run.text
    url = f"{system.url}/api/backtest/results/{run.json()['id']}"
    stored = httpx.get(url, headers=mine).json()
    assert (stored["owner"], stored["adjust"], stored["interval"]) == (
        "access-trader", "split", "1d")
    assert httpx.get(url, headers=other).status_code == 404
    assert system.http.get(url).status_code == 200  # an admin reaches it
    listed = httpx.get(system.url + "/api/backtest/results", headers=mine).json()
    assert run.json()["id"] in [b["id"] for b in listed["backtests"]]
    assert run.json()["id"] not in [b["id"] for b in httpx.get(
        system.url + "/api/backtest/results", headers=other).json()["backtests"]]

    rule = {**USER_RULE, "name": "mine_rsi_low"}
    added = httpx.post(system.url + "/api/signals/rules", headers=mine,
                       json={"definition": rule})
    assert added.status_code == 201, added.text
    assert added.json()["rule"]["owner"] == "access-trader"
    taken = httpx.post(system.url + "/api/signals/rules", headers=other,
                       json={"definition": rule})
    assert taken.status_code == 409
    names = {r["name"] for r in httpx.get(system.url + "/api/signals/rules",
                                          headers=other).json()["user"]}
    assert "mine_rsi_low" not in names
    assert httpx.delete(system.url + "/api/signals/rules/mine_rsi_low",
                        headers=other).status_code == 404
    assert httpx.delete(system.url + "/api/signals/rules/mine_rsi_low",
                        headers=mine).status_code == 204
