"""The acceptance property of the feature catalogue: no lookahead, for every feature.

Changing anything after day t - every field of every symbol, bars removed and added, the
benchmark, news published at or after t's close (15:30 IST) - never changes any feature
value at or before t, compared exactly (NaN equal to NaN). Cut points are drawn by
Hypothesis, with fixed examples in the warm-up (t = 0, 30) and at the end; the panel has
gaps, a late-listed symbol and benchmark holes. Dropping everything after t (a shorter
panel) must give the same values too.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chitti.compute.features import FeaturePanel, catalog, compute_features
from chitti.marketdata.panel import PricePanel

from .conftest import FIELDS, synthetic_panel

N_DATES = 400
N_SYM = 6
IST_CLOSE_UTC_S = 10 * 3600  # 15:30 IST = 10:00 UTC
CHECK = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


def _mutate_after(panel: PricePanel, t: int, rng: np.random.Generator) -> PricePanel:
    """Big random changes to every array after row t: values scaled by up to e^+-3, a
    quarter of the cells' presence flipped (bars removed, bars invented)."""
    later = np.arange(panel.dates.size) > t
    shape = panel.close.shape
    flip = later[:, None] & (rng.random(shape) < 0.25)
    fields = {}
    for f in FIELDS:
        x = np.array(getattr(panel, f))
        x[later] *= np.exp(rng.uniform(-3, 3, x[later].shape))
        invented = rng.lognormal(4 if f != "volume" else 12, 1.0, shape)
        x = np.where(flip & np.isnan(x), invented, np.where(flip, np.nan, x))
        fields[f] = x
    bench = np.array(panel.benchmark)
    bench[later] *= np.exp(rng.uniform(-3, 3, int(later.sum())))
    bflip = later & (rng.random(later.size) < 0.25)
    bench = np.where(bflip & np.isnan(bench), rng.lognormal(7, 1.0, later.size),
                     np.where(bflip, np.nan, bench))
    return PricePanel(dates=panel.dates, symbols=panel.symbols, benchmark=bench,
                      sectors=panel.sectors, **fields)


def _assert_same_up_to(base: FeaturePanel, other: FeaturePanel, t: int) -> None:
    assert base.names == other.names
    a, b = base.values[: t + 1], other.values[: t + 1]
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if not same.all():
        bad = np.argwhere(~same)
        day, sym, f = bad[0]
        leaking = sorted({base.names[i] for i in bad[:, 2]})
        raise AssertionError(
            f"lookahead at t={t}: {base.names[f]} of {base.symbols[sym]} on "
            f"{base.dates[day]} is {a[day, sym, f]!r} before the change after t and "
            f"{b[day, sym, f]!r} after it; features that changed: {leaking}")


@pytest.fixture(scope="module")
def panel() -> PricePanel:
    return synthetic_panel(N_DATES, N_SYM, seed=11)


@pytest.fixture(scope="module")
def base(panel: PricePanel) -> FeaturePanel:
    return compute_features(panel)


@CHECK
@given(t=st.integers(0, N_DATES - 2), seed=st.integers(0, 2**32 - 1))
@example(t=0, seed=1)
@example(t=30, seed=2)
@example(t=N_DATES - 2, seed=3)
def test_changing_bars_after_t_changes_no_feature_up_to_t(
        panel: PricePanel, base: FeaturePanel, t: int, seed: int) -> None:
    mutated = _mutate_after(panel, t, np.random.default_rng(seed))
    _assert_same_up_to(base, compute_features(mutated), t)


@CHECK
@given(t=st.integers(0, N_DATES - 2))
@example(t=0)
@example(t=250)
def test_a_panel_cut_at_t_gives_the_same_features_up_to_t(
        panel: PricePanel, base: FeaturePanel, t: int) -> None:
    _assert_same_up_to(base, compute_features(panel.select(slice(0, t + 1))), t)


def test_the_mutation_reaches_every_feature(panel: PricePanel, base: FeaturePanel) -> None:
    # The property has teeth: each feature does change after t when the data after t do.
    t = N_DATES // 2
    after = compute_features(_mutate_after(panel, t, np.random.default_rng(5)))
    a, b = base.values[t + 1:], after.values[t + 1:]
    changed = ((a != b) & ~(np.isnan(a) & np.isnan(b))).any(axis=(0, 1))
    unchanged = [n for n, c in zip(base.names, changed, strict=True)
                 if not c and not n.startswith("news_")]
    assert not unchanged, f"the mutation does not reach {unchanged}"


# -- news ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def news() -> ModuleType:
    return pytest.importorskip(
        "chitti.compute.features.news",
        reason="news features (chitti.compute.features.news) are not in this tree yet")


def _news_items(news: ModuleType, panel: PricePanel, rng: np.random.Generator,
                n: int = 1500) -> Any:
    start = panel.dates[0].astype("datetime64[s]").astype(np.int64) - 5 * 86400
    end = panel.dates[-1].astype("datetime64[s]").astype(np.int64) + 5 * 86400
    # a quarter of the articles on the close's exact second or a second either side of it
    instants = rng.integers(start, end, n)
    day = instants - instants % 86400
    edge = rng.random(n) < 0.25
    instants[edge] = day[edge] + IST_CLOSE_UTC_S + rng.integers(-1, 2, int(edge.sum()))
    symbols = np.array([*panel.symbols, "OTHER"], dtype=object)[rng.integers(0, N_SYM + 1, n)]
    return news.NewsItems(published_at=instants.astype("datetime64[s]"), symbol=symbols,
                          score=rng.uniform(-1, 1, n), direction=rng.integers(-1, 2, n)
                          .astype(np.int8), story=rng.integers(0, n // 3, n).astype(np.int64))


def _mutate_news_after(news: ModuleType, items: Any, t_close: np.datetime64,
                       rng: np.random.Generator, panel: PricePanel) -> Any:
    late = items.published_at >= t_close
    keep = ~late | (rng.random(len(items)) < 0.5)  # drop half the late articles
    extra = _news_items(news, panel, rng, 300)
    add = extra.published_at >= t_close  # and add new ones, all late
    score = np.where(late, rng.uniform(-1, 1, len(items)), items.score)
    direction = np.where(late, rng.integers(-1, 2, len(items)), items.direction).astype(np.int8)
    story = np.where(late, rng.integers(0, 50, len(items)), items.story).astype(np.int64)
    return news.NewsItems(
        published_at=np.concatenate([items.published_at[keep], extra.published_at[add]]),
        symbol=np.concatenate([items.symbol[keep], extra.symbol[add]]),
        score=np.concatenate([score[keep], extra.score[add]]),
        direction=np.concatenate([direction[keep], extra.direction[add]]),
        story=np.concatenate([story[keep], extra.story[add]]))


@CHECK
@given(t=st.integers(0, N_DATES - 2), seed=st.integers(0, 2**32 - 1))
@example(t=0, seed=1)
@example(t=N_DATES - 2, seed=2)
def test_changing_bars_and_news_after_t_changes_no_feature_up_to_t(
        news: ModuleType, panel: PricePanel, t: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    items = _news_items(news, panel, rng)
    t_close = panel.dates[t].astype("datetime64[s]") + np.timedelta64(IST_CLOSE_UTC_S, "s")
    before = compute_features(panel, news=items)
    after = compute_features(_mutate_after(panel, t, rng), news=_mutate_news_after(
        news, items, t_close, rng, panel))
    _assert_same_up_to(before, after, t)


def test_news_changes_reach_every_news_feature(news: ModuleType, panel: PricePanel) -> None:
    rng = np.random.default_rng(9)
    items = _news_items(news, panel, rng)
    t = N_DATES // 2
    t_close = panel.dates[t].astype("datetime64[s]") + np.timedelta64(IST_CLOSE_UTC_S, "s")
    names = [s.name for s in catalog() if s.group == "news"]
    a = compute_features(panel, names=names, news=items).values[t + 1:]
    b = compute_features(panel, names=names, news=_mutate_news_after(
        news, items, t_close, rng, panel)).values[t + 1:]
    changed = ((a != b) & ~(np.isnan(a) & np.isnan(b))).any(axis=(0, 1))
    assert changed.all(), [n for n, c in zip(names, changed, strict=True) if not c]


def test_the_catalogue_checked_here_has_at_least_200_features(news: ModuleType) -> None:
    assert len(catalog()) >= 200
