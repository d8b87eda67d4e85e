"""Every refusal is a BadRequest that names the input at fault and what to change."""

from __future__ import annotations

import re

import numpy as np
import pytest

from chitti.compute.portfolio import (
    PortfolioConstraints,
    complete_returns,
    efficient_return,
    efficient_risk,
    equal_risk_contribution,
    max_sharpe,
    min_volatility,
    optimize_portfolio,
    sample_covariance,
)
from chitti.errors import BadRequest

from .conftest import real_universe, synthetic_universe

ASSETS = ["AAA", "BBB", "CCC", "DDD"]
COV = np.array([[0.040, 0.006, 0.004, 0.002],
                [0.006, 0.030, 0.005, 0.003],
                [0.004, 0.005, 0.050, 0.001],
                [0.002, 0.003, 0.001, 0.020]])
MU = np.array([0.12, 0.10, 0.15, 0.06])


def refused(*phrases: str) -> pytest.RaisesContext[BadRequest]:
    return pytest.raises(BadRequest, match=".*".join(re.escape(p) for p in phrases))


def test_perfectly_correlated_assets_are_named_with_the_fix() -> None:
    cov = COV.copy()
    cov[3] = cov[:, 3] = 2.0 * cov[0]            # DDD = 2 x AAA
    cov[3, 3] = 4.0 * COV[0, 0]
    with refused("singular", "AAA and DDD", "perfectly correlated", "ledoit_wolf"):
        min_volatility(cov, assets=ASSETS)


def test_fewer_days_than_assets_is_singular_and_suggests_ledoit_wolf() -> None:
    u = synthetic_universe()
    r = complete_returns(u.prices.to_numpy(), assets=u.assets)[:12]
    with refused("covariance is singular", "ledoit_wolf"):
        max_sharpe(r.mean(axis=0) * 252, sample_covariance(r), assets=u.assets)


def test_an_asset_that_never_moves_is_named() -> None:
    cov = COV.copy()
    cov[1] = cov[:, 1] = 0.0
    with refused("zero variance for BBB"):
        equal_risk_contribution(cov, assets=ASSETS)


@pytest.mark.parametrize(("bounds", "phrases"), [
    ((0.0, 0.2), ("weight_bounds", "upper bounds sum to 0.8 < 1", "raise them", "0.25")),
    ((0.3, 1.0), ("weight_bounds", "lower bounds sum to 1.2 > 1", "lower them")),
    ([(0, 1), (0.5, 0.4), (0, 1), (0, 1)], ("BBB has lower bound 0.5 above its upper "
                                             "bound 0.4",)),
    ([(0, 1)] * 3, ("weight_bounds", "one pair per asset (4)",)),
])
def test_infeasible_bounds(bounds: object, phrases: tuple[str, ...]) -> None:
    with refused(*phrases):
        min_volatility(COV, assets=ASSETS,
                       constraints=PortfolioConstraints(weight_bounds=bounds))  # type: ignore[arg-type]


def test_sector_caps_that_leave_less_than_the_whole_portfolio() -> None:
    c = PortfolioConstraints(weight_bounds=(0.0, 0.4), sectors=["x", "x", "y", "z"],
                             sector_caps={"x": 0.2, "y": 0.1})
    with refused("sector_caps", "at most 0.7 < 1", "raise a cap"):
        max_sharpe(MU, COV, assets=ASSETS, constraints=c)


def test_sector_cap_below_its_lower_bounds() -> None:
    c = PortfolioConstraints(weight_bounds=(0.1, 1.0), sectors=["x", "x", "y", "z"],
                             sector_caps={"x": 0.15})
    with refused("'x' is capped at 0.15", "lower bounds of its assets sum to 0.2"):
        min_volatility(COV, assets=ASSETS, constraints=c)


def test_sector_cap_naming_no_asset() -> None:
    c = PortfolioConstraints(sectors=["x", "x", "y", "z"], sector_caps={"energy": 0.2})
    with refused("no asset is in sector 'energy'", "x, y, z"):
        min_volatility(COV, assets=ASSETS, constraints=c)


def test_turnover_too_small_to_meet_the_other_constraints() -> None:
    c = PortfolioConstraints(weight_bounds=(0.0, 0.3), current_weights=[0.7, 0.1, 0.1, 0.1],
                             max_turnover=0.2)
    with refused("max_turnover", "needs a turnover of at least 0.8", "raise max_turnover"):
        min_volatility(COV, assets=ASSETS, constraints=c)


def test_turnover_without_current_weights() -> None:
    with refused("current_weights", "today's weights"):
        min_volatility(COV, assets=ASSETS, constraints=PortfolioConstraints(max_turnover=0.1))


def test_target_return_above_the_reachable_range() -> None:
    c = PortfolioConstraints(weight_bounds=(0.0, 0.5))
    # the best is 0.5 x CCC + 0.5 x AAA = 0.135
    with refused("target_return: 0.2 is above", "allow (0.135)", "choose a value between"):
        efficient_return(MU, COV, assets=ASSETS, target_return=0.2, constraints=c)


def test_target_volatility_below_the_minimum() -> None:
    with refused("target_volatility: 0.05 is below the least volatility", "choose a value"):
        efficient_risk(MU, COV, assets=ASSETS, target_volatility=0.05)


def test_max_sharpe_when_no_asset_beats_the_risk_free_rate() -> None:
    with refused("risk_free_rate", "no asset's expected return exceeds it", "CCC at 0.15",
                 "min_volatility"):
        max_sharpe(MU, COV, assets=ASSETS, risk_free_rate=0.16)


def test_max_sharpe_when_the_constraints_keep_every_portfolio_below_the_rate() -> None:
    c = PortfolioConstraints(weight_bounds=[(0, 1), (0, 1), (0, 0.1), (0.8, 1)])
    # at best 0.8 x 0.06 + 0.1 x 0.15 + 0.1 x 0.12 = 0.075
    with refused("no portfolio these constraints allow", "0.075", "relax the constraints"):
        max_sharpe(MU, COV, assets=ASSETS, risk_free_rate=0.08, constraints=c)


def test_a_universe_of_one() -> None:
    u = real_universe()
    with refused("at least 2 assets", "got 1 (INFY)", "add symbols"):
        optimize_portfolio(u.prices[["INFY"]].to_numpy(), assets=["INFY"])


def test_too_little_history_says_how_much_is_needed_and_who_is_short() -> None:
    u = real_universe()
    prices = u.prices.to_numpy().copy()[:40]
    prices[:25, 4] = np.nan                      # INFY "listed" late
    with refused("14 days on which all 9 assets have a return", "need at least 18",
                 "drop the assets with the fewest returns: INFY (14)"):
        optimize_portfolio(prices, assets=u.assets)


def test_risk_parity_methods_refuse_constraints() -> None:
    u = real_universe()
    c = PortfolioConstraints(weight_bounds=(0.0, 0.2))
    for method in ("equal_risk_contribution", "hierarchical_risk_parity"):
        with refused("constraints", method, "takes no weight bounds", "min_volatility"):
            optimize_portfolio(u.prices.to_numpy(), assets=u.assets, method=method,  # type: ignore[arg-type]
                               constraints=c)


def test_missing_targets_and_model_returns() -> None:
    u = real_universe()
    p = u.prices.to_numpy()
    with refused("target_return", "needs a target annual return"):
        optimize_portfolio(p, assets=u.assets, method="efficient_return")
    with refused("target_volatility", "needs a target annual volatility"):
        optimize_portfolio(p, assets=u.assets, method="efficient_risk")
    with refused("model_returns", "one expected annual return per asset"):
        optimize_portfolio(p, assets=u.assets, expected_returns="model")
    with refused("expected_returns", "one annual return per asset (9)"):
        optimize_portfolio(p, assets=u.assets, expected_returns="model", model_returns=[0.1])


def test_non_positive_prices_are_refused() -> None:
    u = real_universe()
    p = u.prices.to_numpy().copy()
    p[10, 2] = 0.0
    with refused("prices", "HINDUNILVR has a close <= 0", "use NaN for a missing bar"):
        optimize_portfolio(p, assets=u.assets)
