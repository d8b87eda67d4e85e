"""The research routes as a user meets them over HTTP: a training is a job whose progress
moves and whose result is the registered model with its fold table; the model is listed and
serves predictions; portfolio and risk replies match their declared models, and impossible
requests are 400s that say what to change."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.harness import System

from chitti.compute.research_schemas import ModelList, PortfolioReply, RiskReply
from chitti.gateway.schemas import JobInfo

DEMO = ["TCS", "INFY", "HDFCBANK", "ITC", "RELIANCE", "SBIN"]


def follow(system: System, job_id: str, timeout_s: float = 600) -> tuple[dict[str, Any],
                                                                          list[float]]:
    seen: list[float] = []
    deadline = time.monotonic() + timeout_s
    while True:
        job = system.http.get(f"/api/jobs/{job_id}").json()
        seen.append(job["progress"])
        if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return job, seen
        time.sleep(0.2)


def test_training_is_a_job_with_progress_and_a_registered_model(system: System) -> None:
    unknown = system.http.post("/api/ml/train", json={"name": "x", "symbols": DEMO,
                                                      "features": ["ret_6d"]})
    assert unknown.status_code == 400, unknown.text  # refused before anything is queued
    assert "ret_5d" in unknown.json()["error"]["message"]
    bad_param = system.http.post("/api/ml/train", json={
        "name": "x", "symbols": DEMO, "estimator": "random_forest", "params": {"leaves": 3}})
    assert bad_param.status_code == 400, bad_param.text
    assert "params" in bad_param.json()["error"]["message"]
    queued = system.http.post("/api/ml/train", json={
        "name": "api_model", "symbols": DEMO, "start": "2012-01-01", "folds": 2,
        "params": {"num_iterations": 30}, "news": False})
    assert queued.status_code == 202, queued.text
    job, seen = follow(system, queued.json()["id"])
    JobInfo.model_validate(job)
    assert job["state"] == "done", job
    assert seen == sorted(seen) and job["progress"] == 1
    result = job["result"]
    assert result["model"]["name"] == "api_model" and result["model"]["version"] == "1"
    assert {"momentum_12_1", "reversal_5d"} <= set(result["report"]["baselines"])
    models = ModelList.model_validate(system.http.get("/api/ml/models").json()).models
    assert "api_model" in {m.name for m in models}
    predicted = system.http.post("/api/ml/predict", json={"model": "api_model",
                                                          "symbols": ["TCS", "INFY"]})
    assert predicted.status_code == 200, predicted.text
    assert {p["symbol"] for p in predicted.json()["predictions"]} == {"TCS", "INFY"}
    unknown = system.http.post("/api/ml/predict", json={"model": "nope", "symbols": ["TCS"]})
    assert unknown.status_code == 400 and "api_model" in unknown.json()["error"]["message"]


def test_portfolio_and_risk_replies_and_their_400s(system: System) -> None:
    weights = system.http.post("/api/portfolio/optimize", json={
        "symbols": DEMO, "method": "hierarchical_risk_parity"})
    assert weights.status_code == 200, weights.text
    reply = PortfolioReply.model_validate(weights.json())
    assert abs(sum(reply.weights.values()) - 1) < 1e-9
    infeasible = system.http.post("/api/portfolio/optimize", json={
        "symbols": DEMO[:3], "method": "min_volatility", "min_weight": 0.5})
    assert infeasible.status_code == 400, infeasible.text
    assert "weight" in infeasible.json()["error"]["message"]
    one = system.http.post("/api/portfolio/optimize", json={"symbols": ["TCS"]})
    assert one.status_code == 400, one.text
    risk = system.http.post("/api/risk", json={"weights": {"TCS": 0.5, "INFY": 0.5},
                                               "value_inr": 1_000_000})
    assert risk.status_code == 200, risk.text
    RiskReply.model_validate(risk.json())
    over = system.http.post("/api/risk", json={"weights": {"TCS": 0.8, "INFY": 0.8}})
    assert over.status_code == 400 and "weights" in over.json()["error"]["message"]
    short = system.http.post("/api/risk", json={"weights": {"TCS": 0.5, "INFY": 0.5},
                                                "end": "2005-03-01"})  # TCS listed 2004-08
    assert short.status_code == 400, short.text
    assert "days" in short.json()["error"]["message"]


def test_a_cancelled_training_registers_nothing(system: System) -> None:
    queued = system.http.post("/api/ml/train", json={
        "name": "cancelled_model", "symbols": DEMO, "start": "2012-01-01", "folds": 2,
        "params": {"num_iterations": 30}, "news": False}).json()
    deadline = time.monotonic() + 60
    while system.http.get(f"/api/jobs/{queued['id']}").json()["state"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert system.http.delete(f"/api/jobs/{queued['id']}").json()["state"] == "cancelled"
    time.sleep(15)  # longer than the whole training takes
    models = system.http.get("/api/ml/models").json()["models"]
    assert "cancelled_model" not in {m["name"] for m in models}
