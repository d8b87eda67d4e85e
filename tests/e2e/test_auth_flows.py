"""Logins as a user and a browser make them: refresh rotation, cookies, stream tickets,
throttled guessing, disabled users, the CLI, rate limits shared by two gateways, and
single-user mode."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from tests.e2e.harness import System, extra_gateway, free_port

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def user(system: System) -> str:
    name = f"flow-{secrets.token_hex(3)}"
    reply = system.http.post("/api/auth/users",
                             json={"name": name, "role": "trader", "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    return name


def login(system: System, name: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(system.url + "/api/auth/token",
                      data={"username": name, "password": password})


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
        system: System, user: str) -> None:
    first = login(system, user).json()
    second = httpx.post(system.url + "/api/auth/refresh",
                        json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    tokens = second.json()
    assert tokens["refresh_token"] != first["refresh_token"]
    me = httpx.get(system.url + "/api/auth/me",
                   headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["name"] == user and me.json()["via"] == "token"
    # the first refresh token again: someone holds a copy, so the session ends for both
    reused = httpx.post(system.url + "/api/auth/refresh",
                        json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert httpx.post(system.url + "/api/auth/refresh",
                      json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert httpx.get(system.url + "/api/auth/me", headers={
        "Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401


def test_a_browser_session_lives_in_httponly_cookies(system: System, user: str) -> None:
    with httpx.Client(base_url=system.url) as browser:
        reply = browser.post("/api/auth/token", data={"username": user, "password": PASSWORD})
        cookies = reply.headers.get_list("set-cookie")
        assert all("HttpOnly" in c and "SameSite=strict" in c for c in cookies), cookies
        assert browser.get("/api/auth/me").json()["name"] == user
        assert browser.post("/api/auth/refresh").status_code == 200  # the refresh cookie
        with browser.stream("GET", "/api/alerts/stream") as stream:
            assert stream.status_code == 200
        assert browser.post("/api/auth/logout").status_code == 204
        assert browser.get("/api/auth/me").status_code == 401


def test_a_stream_ticket_opens_one_stream_once(system: System, user: str) -> None:
    token = login(system, user).json()["access_token"]
    ticket = httpx.post(system.url + "/api/stream-ticket",
                        headers={"Authorization": f"Bearer {token}"}).json()["ticket"]
    url = f"{system.url}/api/alerts/stream?ticket={ticket}"
    with httpx.stream("GET", url) as first:
        assert first.status_code == 200
    with httpx.stream("GET", url) as second:
        assert second.status_code == 401
    # a ticket opens streams only, not other routes
    other = httpx.post(system.url + "/api/stream-ticket",
                       headers={"Authorization": f"Bearer {token}"}).json()["ticket"]
    assert httpx.get(f"{system.url}/api/alerts?ticket={other}").status_code == 401


def test_guessing_a_password_is_throttled_and_not_logged(system: System, user: str) -> None:
    with extra_gateway(system, CHITTI_RATE_LIMIT_AUTH_PER_MIN="3") as url:
        statuses = [httpx.post(url + "/api/auth/token", data={
            "username": user, "password": f"guess-{i}-secret"}).status_code for i in range(5)]
        assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
        limited = httpx.post(url + "/api/auth/token",
                             data={"username": user, "password": PASSWORD})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert "guess-0-secret" not in system.log() and "guess-0" not in system.log()


def test_disabling_a_user_ends_their_tokens_and_keys(system: System) -> None:
    name = f"leaver-{secrets.token_hex(3)}"
    system.http.post("/api/auth/users", json={"name": name, "role": "viewer",
                                               "password": PASSWORD})
    token = login(system, name).json()["access_token"]
    key = system.new_key(name, "laptop", "viewer")
    assert httpx.get(system.url + "/api/auth/me", headers={"X-API-Key": key}).status_code == 200
    assert system.http.patch(f"/api/auth/users/{name}", json={"disabled": True}).json()[
        "disabled"]
    assert httpx.get(system.url + "/api/auth/me",
                     headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert httpx.get(system.url + "/api/auth/me", headers={"X-API-Key": key}).status_code == 401
    assert login(system, name).status_code == 401


def run_cli(system: System, *args: str, password: str | None = None
            ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHITTI_VAR_DIR": str(system.var_dir),
           "CHITTI_DATABASE_URL": system.admin_db_url}
    if password is not None:
        env["CHITTI_NEW_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "chitti.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def seconds_until_refused(system: System, headers: dict[str, str]) -> float:
    """How long the gateway kept accepting credentials revoked elsewhere (NOTIFY)."""
    started = time.monotonic()
    while httpx.get(system.url + "/api/auth/me", headers=headers).status_code != 401:
        assert time.monotonic() - started < 10, "revoked credentials still pass after 10 s"
        time.sleep(0.02)
    return time.monotonic() - started


def test_the_cli_manages_users_and_keys(system: System) -> None:
    name = f"cli-{secrets.token_hex(3)}"
    assert run_cli(system, "users", "add", name, "--role", "trader").returncode == 2  # no pw
    added = run_cli(system, "users", "add", name, "--role", "trader", password=PASSWORD)
    assert added.returncode == 0, added.stderr
    assert login(system, name).status_code == 200
    listed = run_cli(system, "users", "list").stdout
    assert any(line.split()[:3] == [name, "trader", "active"] for line in listed.splitlines())
    short = run_cli(system, "users", "reset-password", name, password="short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    for days in ("0", "-5", "99999999"):  # refused, not a traceback or a key born expired
        bad = run_cli(system, "keys", "add", "k" + days, "--user", name, "--expires-days", days)
        assert bad.returncode == 2 and "expires_days: give 1 to 3650 days" in bad.stderr
    made = run_cli(system, "keys", "add", "backtests", "--user", name)
    key = made.stdout.strip().splitlines()[-1]
    me = httpx.get(system.url + "/api/auth/me", headers={"X-API-Key": key}).json()
    assert me["name"] == name and me["via"] == "api_key"
    key_id = key.split("_")[1]
    assert run_cli(system, "keys", "revoke", key_id).returncode == 0
    assert seconds_until_refused(system, {"X-API-Key": key}) < 1.0
    assert run_cli(system, "users", "disable", name).returncode == 0
    assert login(system, name).status_code == 401
    assert run_cli(system, "users", "disable", "nobody-at-all").returncode == 2


def test_the_n_plus_first_request_is_429_across_two_gateways(system: System) -> None:
    env = {"CHITTI_RATE_LIMIT_STORE": "postgres", "CHITTI_RATE_LIMIT_READ_PER_MIN": "12"}
    key = system.add_user(f"limited-{secrets.token_hex(3)}", "viewer")
    with extra_gateway(system, **env) as first, extra_gateway(system, **env) as second:
        statuses = [httpx.get((first, second)[i % 2] + "/api/indicators",
                              headers={"X-API-Key": key}).status_code for i in range(13)]
        assert statuses[:12] == [200] * 12 and statuses[12] == 429
        refused = httpx.get(second + "/api/indicators", headers={"X-API-Key": key})
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 6


@pytest.fixture
def single_user_gateway(system: System) -> Iterator[str]:
    with extra_gateway(system, CHITTI_AUTH="off") as url:
        yield url


def test_single_user_mode_needs_no_login_on_loopback(single_user_gateway: str) -> None:
    me = httpx.get(single_user_gateway + "/api/auth/me").json()
    assert me == {**me, "name": "local", "role": "admin", "via": "single_user", "auth": "off"}
    made = httpx.post(single_user_gateway + "/api/watchlists", json={"name": "local list"})
    assert made.status_code in (201, 409)


def test_single_user_mode_is_refused_on_a_public_address(system: System) -> None:
    env = {**os.environ, "CHITTI_VAR_DIR": str(system.var_dir), "CHITTI_AUTH": "off",
           "CHITTI_GATEWAY_HOST": "0.0.0.0", "CHITTI_GATEWAY_PORT": str(free_port()),  # noqa: S104
           "CHITTI_DATABASE_URL": system.admin_db_url}
    done = subprocess.run([sys.executable, "-m", "chitti.cli", "gateway"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "CHITTI_AUTH=off (no login) is allowed only on a loopback address" in done.stderr


def test_the_cli_disables_and_deletes_feeds(system: System) -> None:
    feed = system.http.post("/api/news/feeds", json={
        "url": "https://example.com/cli-feed.rss"}).json()["feed"]
    assert run_cli(system, "feeds", "disable", str(feed["id"])).returncode == 0
    assert {f["id"]: f["enabled"] for f in system.http.get("/api/news/feeds").json()[
        "feeds"]}[feed["id"]] is False
    listed = run_cli(system, "feeds", "list").stdout
    assert any(line.split()[:2] == [str(feed["id"]), "off"] for line in listed.splitlines())
    assert run_cli(system, "feeds", "delete", str(feed["id"])).returncode == 0
    assert run_cli(system, "feeds", "delete", str(feed["id"])).returncode == 2
