"""Long jobs as a user meets them: a job left running by a gateway that died is run again,
finished jobs stay as they are, other users' jobs are not found, the per-user limit holds,
and the owner's WebSocket hears each change of state."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import psycopg
from psycopg.types.json import Jsonb
from tests.e2e.harness import System
from tests.e2e.test_websocket import receive, ws_url
from websockets.asyncio.client import connect

SWEEP = {"strategy": "sma_crossover", "symbol": "TCS", "start": "2012-01-01",
         "end": "2016-12-31", "grid": {"fast": [5, 10], "slow": [50, 100]},
         "metric": "total_return_pct"}


def wait_done(system: System, job_id: str, headers: dict[str, str] | None = None,
              timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job = httpx.get(f"{system.url}/api/jobs/{job_id}",
                        headers=headers or {"X-API-Key": system.admin_key}).json()
        if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return job  # type: ignore[no-any-return]
        time.sleep(0.1)


def insert_job(system: System, user: str, state: str, heartbeat_age_s: float) -> str:
    job_id = str(uuid.uuid4())
    with psycopg.connect(system.admin_db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO auth.jobs (id, user_id, kind, request, state, runner, heartbeat_at,"
            " attempts, started_at) SELECT %s, id, 'sweep', %s, %s, 'gateway-gone', "
            "now() - %s * interval '1 second', 1, now() FROM auth.users WHERE name = %s",
            (job_id, Jsonb(SWEEP), state, heartbeat_age_s, user))
    return job_id


def test_a_job_whose_gateway_died_is_run_again(system: System) -> None:
    job_id = insert_job(system, "admin", "running", heartbeat_age_s=3600)
    job = wait_done(system, job_id)
    assert job["state"] == "done" and job["attempts"] == 2, job
    assert job["result"]["combination_count"] == 4
    fresh = system.http.post("/api/backtest/sweep", json=SWEEP).json()
    assert wait_done(system, fresh["id"])["result"]["best"] == job["result"]["best"]


def test_finished_and_foreign_jobs(system: System) -> None:
    job = system.http.post("/api/backtest/sweep", json=SWEEP).json()
    assert wait_done(system, job["id"])["state"] == "done"
    assert system.http.delete(f"/api/jobs/{job['id']}").json()["state"] == "done"
    other = {"X-API-Key": system.add_user("job-other", "trader")}
    assert httpx.get(f"{system.url}/api/jobs/{job['id']}", headers=other).status_code == 404
    assert httpx.delete(f"{system.url}/api/jobs/{job['id']}", headers=other
                        ).status_code == 404
    assert job["id"] not in [j["id"] for j in httpx.get(
        f"{system.url}/api/jobs", headers=other).json()["jobs"]]
    assert system.http.get("/api/jobs/not-a-uuid").status_code == 400


def test_the_per_user_job_limit_holds(system: System) -> None:
    key = system.add_user("job-busy", "trader")
    busy = [insert_job(system, "job-busy", "running", heartbeat_age_s=0) for _ in range(2)]
    refused = httpx.post(f"{system.url}/api/backtest/sweep", json=SWEEP,
                         headers={"X-API-Key": key})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    for job_id in busy:
        cancelled = httpx.delete(f"{system.url}/api/jobs/{job_id}",
                                 headers={"X-API-Key": key}).json()
        assert cancelled["state"] == "cancelled"
    accepted = httpx.post(f"{system.url}/api/backtest/sweep", json=SWEEP,
                          headers={"X-API-Key": key})
    assert accepted.status_code == 202
    assert wait_done(system, accepted.json()["id"], {"X-API-Key": key})["state"] == "done"


def test_the_owner_hears_job_states_on_the_websocket(system: System) -> None:
    async def run() -> list[str]:
        async with connect(ws_url(system),
                           additional_headers={"X-API-Key": system.admin_key}) as ws:
            await receive(ws, "connected")
            queued = await asyncio.to_thread(
                system.http.post, "/api/backtest/sweep", json=SWEEP)
            job_id = queued.json()["id"]
            states = []
            while not states or states[-1] not in ("done", "failed"):
                message = await receive(ws, "job")
                if message["id"] == job_id:
                    states.append(message["state"])
            return states

    assert asyncio.run(run()) == ["queued", "running", "done"]
