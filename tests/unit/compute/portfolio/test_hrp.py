"""Hierarchical risk parity against PyPortfolioOpt's HRPOpt and López de Prado's own code.

The reference below transcribes Snippets 1-4 of López de Prado (2016), "Building
diversified portfolios that outperform out of sample" (getIVP, getClusterVar,
getQuasiDiag, getRecBipart, correlDist), ported to Python 3 / pandas 3 (``//`` for the
halving, ``pd.concat`` for ``Series.append``, float weights). One deliberate change: the
paper passes the square distance DataFrame to ``sch.linkage``, which SciPy reads as
observation vectors (Euclidean distances between rows of the distance matrix); the text
defines the distance between two assets as d(i, j), so the reference passes the condensed
d(i, j), as PyPortfolioOpt does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.cluster.hierarchy as sch
from pypfopt import HRPOpt
from scipy.spatial.distance import squareform

from chitti.compute.portfolio import (
    complete_returns,
    hierarchical_risk_parity,
    ledoit_wolf_covariance,
    sample_covariance,
)

from .conftest import Universe, synthetic_universe


def get_ivp(cov: pd.DataFrame) -> np.ndarray:
    ivp = 1.0 / np.diag(cov)
    return ivp / ivp.sum()


def get_cluster_var(cov: pd.DataFrame, c_items: list[str]) -> float:
    cov_ = cov.loc[c_items, c_items]
    w_ = get_ivp(cov_).reshape(-1, 1)
    return float(np.dot(np.dot(w_.T, cov_), w_)[0, 0])


def get_quasi_diag(link: np.ndarray) -> list[int]:
    link = link.astype(int)
    sort_ix = pd.Series([link[-1, 0], link[-1, 1]])
    num_items = link[-1, 3]
    while sort_ix.max() >= num_items:
        sort_ix.index = range(0, sort_ix.shape[0] * 2, 2)
        df0 = sort_ix[sort_ix >= num_items]
        i, j = df0.index, df0.values - num_items
        sort_ix[i] = link[j, 0]
        df0 = pd.Series(link[j, 1], index=i + 1)
        sort_ix = pd.concat([sort_ix, df0]).sort_index()
        sort_ix.index = range(sort_ix.shape[0])
    return [int(v) for v in sort_ix.tolist()]


def get_rec_bipart(cov: pd.DataFrame, sort_ix: list[str]) -> pd.Series:
    w = pd.Series(1.0, index=sort_ix)
    c_items = [sort_ix]
    while len(c_items) > 0:
        c_items = [i[j:k] for i in c_items
                   for j, k in ((0, len(i) // 2), (len(i) // 2, len(i))) if len(i) > 1]
        for i in range(0, len(c_items), 2):
            c_items0, c_items1 = c_items[i], c_items[i + 1]
            c_var0 = get_cluster_var(cov, c_items0)
            c_var1 = get_cluster_var(cov, c_items1)
            alpha = 1 - c_var0 / (c_var0 + c_var1)
            w[c_items0] *= alpha
            w[c_items1] *= 1 - alpha
    return w


def lopez_de_prado_hrp(cov: pd.DataFrame) -> pd.Series:
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    dist = ((1 - corr) / 2.0) ** 0.5
    link = sch.linkage(squareform(dist.to_numpy(), checks=False), "single")
    sort_ix = corr.index[get_quasi_diag(link)].tolist()
    return get_rec_bipart(cov, sort_ix)


def test_hrp_equals_pypfopt_hrpopt_on_returns(universe: Universe) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    ours = hierarchical_risk_parity(sample_covariance(r), assets=universe.assets)
    opt = HRPOpt(returns=universe.returns)
    expected = pd.Series(opt.optimize())[universe.assets].to_numpy()
    assert np.max(np.abs(ours.weights - expected)) <= 1e-10


def test_hrp_equals_pypfopt_hrpopt_on_a_shrunk_covariance(universe: Universe) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    cov, _ = ledoit_wolf_covariance(r)
    ours = hierarchical_risk_parity(cov, assets=universe.assets)
    frame = pd.DataFrame(cov, index=universe.assets, columns=universe.assets)
    expected = pd.Series(HRPOpt(cov_matrix=frame).optimize())[universe.assets].to_numpy()
    assert np.max(np.abs(ours.weights - expected)) <= 1e-10


def test_hrp_equals_lopez_de_prado_reference(universe: Universe) -> None:
    r = complete_returns(universe.prices.to_numpy(), assets=universe.assets)
    cov = sample_covariance(r)
    ours = hierarchical_risk_parity(cov, assets=universe.assets)
    frame = pd.DataFrame(cov, index=universe.assets, columns=universe.assets)
    expected = lopez_de_prado_hrp(frame)
    assert np.max(np.abs(ours.weights - expected[universe.assets].to_numpy())) <= 1e-10
    assert ours.details["order"] == ",".join(expected.index)


def test_hrp_on_the_papers_setup_of_correlated_blocks() -> None:
    # López de Prado's numerical example: 10 series, 5 of them noisy copies of others
    rng = np.random.default_rng(12345)
    x = rng.normal(0, 1, (10_000, 5))
    cols = rng.integers(0, 5, 5)
    y = x[:, cols] + rng.normal(0, 0.25 * 1.0, (10_000, 5))
    data = pd.DataFrame(np.hstack((x, y)), columns=[f"A{i}" for i in range(10)])
    cov = data.cov()
    ours = hierarchical_risk_parity(cov.to_numpy(), assets=list(cov.index))
    expected = lopez_de_prado_hrp(cov)[list(cov.index)].to_numpy()
    assert np.max(np.abs(ours.weights - expected)) <= 1e-12


def test_hrp_accepts_a_singular_covariance() -> None:
    u = synthetic_universe()
    r = complete_returns(u.prices.to_numpy(), assets=u.assets)[:10]   # 10 days, 24 assets
    cov = sample_covariance(r)
    assert np.linalg.matrix_rank(cov) < len(u.assets)
    ours = hierarchical_risk_parity(cov, assets=u.assets)
    frame = pd.DataFrame(cov, index=u.assets, columns=u.assets)
    assert ours.weights == pytest.approx(lopez_de_prado_hrp(frame)[u.assets].to_numpy(),
                                         abs=1e-12)
