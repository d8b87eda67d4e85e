"""The catalogue against itself and the data: names, descriptions, lookbacks, selection,
errors, and the FeaturePanel's views."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from chitti.compute.features import GROUPS, FeaturePanel, catalog, compute_features, get_feature
from chitti.compute.features.catalog import INPUTS
from chitti.errors import BadRequest
from chitti.marketdata.panel import PricePanel

from .conftest import synthetic_panel

NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
HAS_NEWS = any(s.group == "news" for s in catalog())


@pytest.fixture(scope="module")
def gap_free() -> tuple[PricePanel, FeaturePanel]:
    # every symbol in a sector of two, so sector deviations are defined for all
    panel = synthetic_panel(600, 6, seed=4, gaps=False)
    panel = replace(panel, sectors=tuple(f"S{j // 2}" for j in range(6)))
    return panel, compute_features(panel)


@pytest.fixture(scope="module")
def gappy() -> tuple[PricePanel, FeaturePanel]:
    panel = synthetic_panel(320, 5, seed=8)
    return panel, compute_features(panel)


def test_the_catalogue_has_at_least_200_features() -> None:
    counts = Counter(s.group for s in catalog())
    assert len(catalog()) >= (200 if HAS_NEWS else 180), counts
    assert sum(n for g, n in counts.items() if g != "news") >= 200, counts


def test_every_entry_is_named_grouped_and_described() -> None:
    specs = catalog()
    names = [s.name for s in specs]
    assert len(names) == len(set(names))
    for s in specs:
        assert NAME.match(s.name), s.name
        assert s.group in GROUPS, s.name
        assert s.inputs and set(s.inputs) <= set(INPUTS), s.name
        assert s.description.endswith(".") and len(s.description.split()) >= 5, s.name
        assert isinstance(s.lookback, int) and s.lookback >= 0, s.name
        assert all(get_feature(d).name == d for d in s.depends), s.name
        body = json.loads(json.dumps(s.to_dict()))
        assert body == {"name": s.name, "group": s.group, "description": s.description,
                        "inputs": list(s.inputs), "lookback": s.lookback,
                        "depends": list(s.depends)}


def test_the_order_is_by_group_and_stable() -> None:
    first, again = catalog(), catalog()
    assert [s.name for s in first] == [s.name for s in again]
    ranks = [GROUPS.index(s.group) for s in first]
    assert ranks == sorted(ranks)


def test_cross_sectional_entries_inherit_inputs_and_lookback_of_their_bases() -> None:
    for s in catalog():
        if s.depends:
            bases = [get_feature(d) for d in s.depends]
            assert s.lookback == max(b.lookback for b in bases), s.name
            assert all(set(b.inputs) <= set(s.inputs) for b in bases), s.name


def test_lookback_is_where_the_first_value_appears_on_gap_free_bars(
        gap_free: tuple[PricePanel, FeaturePanel]) -> None:
    # On a series without gaps every price feature is NaN for exactly `lookback` bars and
    # defined from there on (random prices: no zero denominators).
    _, fp = gap_free
    wrong = {}
    for s in catalog():
        if s.group == "news":
            continue  # news lookbacks count the days read, not NaN warm-up (news.py)
        defined = ~np.isnan(fp.feature(s.name))
        first = defined.argmax(axis=0)
        if not (first == s.lookback).all() or not defined[s.lookback:].all():
            wrong[s.name] = (s.lookback, first.tolist(), int((~defined[s.lookback:]).sum()))
    assert not wrong, wrong


def test_features_are_nan_exactly_where_a_symbol_has_no_bar(
        gappy: tuple[PricePanel, FeaturePanel]) -> None:
    panel, fp = gappy
    no_bar = np.isnan(panel.close)
    assert no_bar.any()
    assert np.isnan(fp.values[no_bar]).all()


def test_unknown_names_get_suggestions() -> None:
    with pytest.raises(BadRequest, match=r"unknown feature 'ret_5'.*did you mean.*ret_5d"):
        get_feature("ret_5")
    with pytest.raises(BadRequest, match=r"names: unknown feature 'rsi14'.*rsi_14d"):
        compute_features(synthetic_panel(30, 2), names=["rsi14"])
    with pytest.raises(BadRequest, match="names: give a list"):
        compute_features(synthetic_panel(30, 2), names="ret_1d")
    with pytest.raises(BadRequest, match="at least one"):
        compute_features(synthetic_panel(30, 2), names=[])


@pytest.mark.parametrize("names", [
    ["ret_20d_cs_rank"], ["ret_60d_sector_dev", "beta_252d_cs_z"],
    ["universe_breadth_sma_50d", "rsi_14d", "trend_r2_60d"], ["bench_vol_20d", "month"],
    ["macd_hist_12_26_9_norm", "yang_zhang_20d", "amihud_60d", "dist_low_252d"],
])
def test_a_selection_equals_the_same_columns_of_the_full_panel(
        gappy: tuple[PricePanel, FeaturePanel], names: list[str]) -> None:
    panel, full = gappy
    part = compute_features(panel, names=[*names, names[0]])  # a repeat is dropped
    assert part.names == tuple(names)
    for name in names:
        np.testing.assert_array_equal(part.feature(name), full.feature(name), err_msg=name)


def test_the_panel_views_and_long_rows_agree(gappy: tuple[PricePanel, FeaturePanel]) -> None:
    panel, fp = gappy
    assert fp.values.shape == (panel.dates.size, len(panel.symbols), len(catalog()))
    assert not fp.values.flags.writeable
    with pytest.raises(BadRequest, match="did you mean ret_5d"):
        fp.feature("ret_5dd")
    rows = fp.rows()
    keep = ~np.isnan(fp.values).all(axis=2)
    assert len(rows.values) == int(keep.sum())
    t = np.searchsorted(panel.dates, rows.dates)
    j = np.array([panel.symbols.index(s) for s in rows.symbols])
    np.testing.assert_array_equal(rows.values, fp.values[t, j])


def test_without_a_benchmark_or_sectors_their_features_are_nan() -> None:
    panel = replace(synthetic_panel(300, 4, seed=2), benchmark=None, sectors=None)
    fp = compute_features(panel)
    for s in catalog():
        if "benchmark" in s.inputs or "sectors" in s.inputs:
            assert np.isnan(fp.feature(s.name)).all(), s.name
    assert not np.isnan(fp.feature("ret_1d")).all()


def test_an_empty_panel_gives_an_empty_result() -> None:
    panel = synthetic_panel(50, 3).select(slice(0, 0))
    fp = compute_features(panel, names=["ret_1d", "ret_1d_cs_rank", "month"])
    assert fp.values.shape == (0, 3, 3)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("close", 0.0, "close: 0.0 for SYM1 on"), ("high", -3.0, "high: -3.0 for SYM1"),
    ("open", np.inf, "open: inf"), ("volume", -1.0, "volume: -1.0 for SYM1"),
])
def test_invalid_prices_are_refused_naming_field_symbol_and_date(
        field: str, value: float, message: str) -> None:
    panel = synthetic_panel(40, 3, gaps=False)
    arr = np.array(getattr(panel, field))
    arr[7, 1] = value
    with pytest.raises(BadRequest, match=re.escape(message)):
        compute_features(replace(panel, **{field: arr}))


def test_an_invalid_benchmark_is_refused() -> None:
    panel = synthetic_panel(40, 3, gaps=False)
    bench = np.array(panel.benchmark)
    bench[3] = 0.0
    with pytest.raises(BadRequest, match="benchmark: 0.0 on"):
        compute_features(replace(panel, benchmark=bench))
