"""The research actions over the demo data in a real PostgreSQL: risk and optimisation read
adjusted closes (checked against pandas and PyPortfolioOpt on the closes the OHLCV path
reads), features round-trip through ml.features, and `chitti ml train` trains, registers and
stores scores that `predict` serves equal to LightGBM's own predict."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pytest
from pypfopt import EfficientFrontier, risk_models

from chitti.compute import features as feat
from chitti.compute import ml
from chitti.compute.research_schemas import (
    FeaturePanelReply,
    FeaturesRequest,
    ModelList,
    OptimizeRequest,
    PortfolioReply,
    PredictRequest,
    PredictResult,
    RiskReply,
    RiskRequest,
)
from chitti.compute.research_service import ResearchActions
from chitti.config import Settings
from chitti.errors import BadRequest, NotFound
from chitti.marketdata import store as md_store
from chitti.runtime import service_context

pytestmark = pytest.mark.usefixtures("demo_db")


async def call(url: str, action: str, request: Any) -> dict[str, Any]:
    async with service_context("compute", Settings(database_url=url)) as ctx:
        return dict(await getattr(ResearchActions(ctx), action)(request))


async def closes(url: str, symbols: list[str]) -> pd.DataFrame:
    """Split-adjusted closes as GET /ohlcv reads them, one column per symbol."""
    columns = {}
    async with await psycopg.AsyncConnection.connect(url) as conn:
        for symbol in symbols:
            block, _ = await md_store.fetch_ohlcv(conn, symbol, None, None, "split")
            columns[symbol] = pd.Series(block["close"], index=pd.to_datetime(block["ts"]))
    return pd.DataFrame(columns)


async def test_risk_volatility_equals_pandas_on_adjusted_closes(demo_db: str) -> None:
    weights = {"TCS": 0.3, "INFY": 0.3, "HDFCBANK": 0.4}  # HDFCBANK splits 2019-09-19
    reply = await call(demo_db, "risk", RiskRequest(weights=weights, value_inr=1e6))
    RiskReply.model_validate(reply)
    returns = (await closes(demo_db, list(weights))).dropna().pct_change().dropna()
    window = returns.iloc[-500:]
    expected = float((window @ pd.Series(weights)).std(ddof=1) * np.sqrt(252))
    assert reply["annual_volatility_fraction"] == pytest.approx(expected, rel=1e-9)
    assert reply["window"]["end"] == window.index[-1].date().isoformat()
    stress = {s["name"]: s for s in reply["stress"]}
    assert any("2020" in name for name in stress)


async def test_risk_refuses_a_holding_without_bars(demo_db: str) -> None:
    with pytest.raises(NotFound, match="ZZZZ"):
        await call(demo_db, "risk", RiskRequest(weights={"TCS": 0.5, "ZZZZ": 0.5}))


async def test_min_volatility_equals_pypfopt_on_adjusted_closes(demo_db: str) -> None:
    symbols = ["TCS", "INFY", "HDFCBANK", "ITC", "RELIANCE"]
    reply = await call(demo_db, "optimize_portfolio", OptimizeRequest(
        symbols=symbols, method="min_volatility", covariance="sample",
        start=date(2018, 1, 1), end=date(2020, 12, 31)))
    PortfolioReply.model_validate(reply)
    prices = (await closes(demo_db, symbols)).loc["2018-01-01":"2020-12-31"].dropna()
    frontier = EfficientFrontier(None, risk_models.sample_cov(prices))
    expected = frontier.min_volatility()
    for symbol in symbols:
        assert reply["weights"][symbol] == pytest.approx(expected[symbol], abs=1e-4)


async def test_sector_caps_need_known_sectors(demo_db: str) -> None:
    with pytest.raises(BadRequest, match="sector"):
        await call(demo_db, "optimize_portfolio", OptimizeRequest(
            symbols=["TCS", "INFY"], sector_caps={"IT": 0.5}))


async def test_features_equal_pandas_and_round_trip_through_ml_features(demo_db: str) -> None:
    request = FeaturesRequest(symbols=["TCS", "INFY"], start=date(2020, 1, 1),
                              names=["ret_5d", "vol_20d"], store_as="test_set")
    reply = await call(demo_db, "features", request)
    FeaturePanelReply.model_validate(reply)
    close = (await closes(demo_db, ["INFY"]))["INFY"]
    expected = close.pct_change(5).loc["2020-01-01":]
    got = np.array(reply["values"]["INFY"]["ret_5d"], dtype=float)
    infy_days = pd.to_datetime(reply["dates"])
    assert np.allclose(got[infy_days.isin(expected.index)], expected.to_numpy(), rtol=1e-12)
    async with await psycopg.AsyncConnection.connect(demo_db) as conn:
        cur = await conn.execute("SELECT vals FROM ml.features WHERE feature_set = 'test_set'"
                                 " AND symbol = 'INFY' ORDER BY ts")
        stored = np.array([row[0] for row in await cur.fetchall()], dtype=float)
    assert np.allclose(stored[:, 0], expected.to_numpy(), rtol=1e-12)
    back = await call(demo_db, "features", FeaturesRequest(symbols=["TCS", "INFY", "ZZZZ"],
                                                           from_set="test_set"))
    FeaturePanelReply.model_validate(back)
    assert back["missing"] == ["ZZZZ"] and back["names"] == reply["names"]
    assert back["dates"] == reply["dates"]
    assert back["values"] == reply["values"]  # NaN stored and read back as None


def test_ml_train_cli_registers_a_model_that_predict_serves(demo_db: str) -> None:
    env = {**os.environ, "CHITTI_DATABASE_URL": demo_db}
    run = subprocess.run(
        [sys.executable, "-m", "chitti.cli", "ml", "train", "cli_model", "--start",
         "2010-01-01", "--folds", "3", "--param", "num_iterations=40", "--quiet"],
        env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    for baseline in ml.BASELINES:
        assert baseline in run.stdout
    assert "registered ml.cli_model version 1" in run.stdout

    import asyncio

    async def check() -> None:
        models = ModelList.model_validate(await call(demo_db, "list_models", {})).models
        (model,) = [m for m in models if m.name == "cli_model"]
        reply = await call(demo_db, "predict", PredictRequest(
            model="cli_model", symbols=["TCS", "INFY", "ITC"]))
        PredictResult.model_validate(reply)
        async with await psycopg.AsyncConnection.connect(demo_db) as conn:
            cur = await conn.execute("SELECT artifact FROM ml.models WHERE id = %s",
                                     (model.id,))
            (artefact,) = await cur.fetchone()  # type: ignore[misc]
        served = ml.from_bytes(bytes(artefact))
        # the oracle: LightGBM's own predict on the feature rows of the last day
        async with service_context("compute", Settings(database_url=demo_db)) as ctx:
            actions = ResearchActions(ctx)
            async with ctx.pool.connection() as conn:
                inputs = await actions._inputs(conn, ["TCS", "INFY", "ITC"], None, "split",
                                               news=True)
        panel = feat.compute_features(inputs.prices, names=list(model.features),
                                      news=inputs.news)
        rows = np.ascontiguousarray(panel.values[-1])
        native = served.estimator.predict(rows)
        got = {p["symbol"]: p["score"] for p in reply["predictions"]}
        for j, symbol in enumerate(panel.symbols):
            assert got[symbol] == pytest.approx(float(native[j]), abs=1e-6)
        with pytest.raises(BadRequest, match="cli_model"):
            await call(demo_db, "predict", PredictRequest(model="no_such_model",
                                                          symbols=["TCS"]))

    asyncio.run(check())
