"""One call, a whole universe: `compute_features` turns a `PricePanel` into a `FeaturePanel`.

How it runs: each symbol's bars are packed to the left of a (symbols, bars) array (its own
rows that have a bar, in date order), every time-series block runs once on all symbols at
once, and the results are scattered back onto the calendar with NaN where a symbol has no
bar. Calendar, cross-sectional and news blocks then run on the calendar (dates, symbols),
reading the features they depend on. Only the blocks the requested names need are run.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from chitti.compute.cluster import Executor, chunk_count, split
from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, DateContext
from chitti.compute.features.catalog import (
    Block,
    FeatureSpec,
    catalog,
    get_block,
    get_feature,
)
from chitti.compute.features.market import STALE_DATES
from chitti.errors import BadRequest
from chitti.marketdata.panel import PricePanel

if TYPE_CHECKING:  # news.py is imported lazily, by the catalogue, when present
    from chitti.compute.features.news import NewsItems

__all__ = ["FeaturePanel", "FeatureRows", "compute_features"]

_PRICES = ("open", "high", "low", "close")


class FeatureRows(NamedTuple):
    """Long format, one row per (date, symbol) with at least one defined feature."""

    dates: np.ndarray  # (rows,) datetime64[D]
    symbols: np.ndarray  # (rows,) object (str)
    values: np.ndarray  # (rows, features) float64, columns in FeaturePanel.names order


@dataclass(frozen=True, eq=False)
class FeaturePanel:
    """Features of a universe: ``values[t, j, f]`` is feature ``names[f]`` of ``symbols[j]``
    on ``dates[t]``, as known at that day's close; NaN where undefined (no bar that day,
    warm-up, zero denominator). ``values`` is read-only and may be a non-contiguous view
    (the panel is computed feature by feature); ``feature`` returns one feature's
    (dates, symbols) slice without copying.
    """

    dates: np.ndarray
    symbols: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        shape = (len(self.dates), len(self.symbols), len(self.names))
        if self.values.shape != shape or self.values.dtype != np.float64:
            raise BadRequest(f"values: float64 of shape {shape} expected (dates, symbols, "
                             f"names), got {self.values.dtype} {self.values.shape}")
        if len(set(self.names)) != len(self.names):
            raise BadRequest("names: each feature may appear once")
        view = self.values.view()
        view.flags.writeable = False
        object.__setattr__(self, "values", view)
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(self.names)})

    def feature(self, name: str) -> np.ndarray:
        """Return feature ``name`` as a (dates, symbols) array (a read-only view)."""
        i = self._index.get(name)
        if i is None:
            close = difflib.get_close_matches(name, list(self.names), n=5, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise BadRequest(f"feature: {name!r} is not in this panel{hint}")
        out: np.ndarray = self.values[:, :, i]
        return out

    def rows(self) -> FeatureRows:
        """Return the long format for storage: (date, symbol, feature vector) rows.

        Rows whose every feature is NaN (the symbol had no bar, or only warm-up) are left
        out: there is nothing to store for them.
        """
        n_dates, n_sym, n_feat = self.values.shape
        flat = np.ascontiguousarray(self.values).reshape(n_dates * n_sym, n_feat)
        keep = ~np.isnan(flat).all(axis=1) if n_feat else np.zeros(len(flat), dtype=bool)
        idx = np.flatnonzero(keep)
        syms = np.array(self.symbols, dtype=object)
        return FeatureRows(dates=np.asarray(self.dates)[idx // max(n_sym, 1)],
                           symbols=syms[idx % max(n_sym, 1)] if n_sym else syms[:0],
                           values=flat[idx])


def compute_features(panel: PricePanel, *, names: Sequence[str] | None = None,
                     news: NewsItems | None = None,
                     executor: Executor | None = None) -> FeaturePanel:
    """Compute catalogued features for every symbol and date of ``panel`` in one call.

    ``names`` selects features (default: the whole catalogue, in catalogue order); the
    result keeps the order given, and features they are computed from (the bases of
    cross-sectional ranks) are computed but not returned unless asked for. ``news`` is a
    ``chitti.compute.features.news.NewsItems``; without it the news features are computed
    over no articles (zero counts, NaN sentiment), so every panel has the same names.

    Point in time: a value on date *t* uses bars (and the benchmark) at dates <= *t* and
    news published before *t*'s close. Windows count each symbol's own bars. Prices must be
    adjusted for splits and bonuses, positive where present; volumes non-negative.

    ``executor`` (:mod:`chitti.compute.cluster`) runs the time-series blocks on chunks of
    symbols on a cluster; the calendar and cross-sectional blocks, which need the whole
    universe, run here. The result is the same as in process.

    Raises `BadRequest` for an unknown name (with suggestions) or invalid prices.
    """
    specs = _resolve(names)
    _check_prices(panel)
    needed = _with_dependencies(specs)
    has_bar = ~np.isnan(panel.close)
    n_dates, n_sym = has_bar.shape
    wanted = [s.name for s in specs]
    buffer = np.empty((len(wanted), n_dates, n_sym))  # every slot is written below
    slot = {name: buffer[i] for i, name in enumerate(wanted)}
    dctx = DateContext(dates=panel.dates, symbols=panel.symbols, has_bar=has_bar,
                       benchmark=panel.benchmark, sectors=panel.sectors, news=news)
    blocks = _blocks_in_order(needed)
    _run_bar_blocks(panel, [(b, n) for b, n in blocks if b.layout == "bars"], slot, dctx,
                    executor)
    for block, block_names in blocks:
        if block.layout == "dates":
            res = block.fn(dctx, frozenset(block_names))
            for name in block_names:
                out = slot.get(name, np.empty((n_dates, n_sym)))
                out[...] = res[name]
                out[~has_bar] = np.nan
                dctx.add(name, out)
    return FeaturePanel(dates=panel.dates, symbols=panel.symbols, names=tuple(wanted),
                        values=buffer.transpose(1, 2, 0))


def _run_bar_blocks(panel: PricePanel, bars: Sequence[tuple[Block, list[str]]],
                    slot: Mapping[str, np.ndarray], dctx: DateContext,
                    executor: Executor | None) -> None:
    # Run the time-series blocks on the packed bars and scatter each result onto the
    # calendar: into its slot of the result, or a scratch array for a dependency.
    has_bar = dctx.has_bar
    if not bars:
        return

    def target(name: str) -> np.ndarray:
        out = slot.get(name, np.empty(has_bar.shape))
        dctx.add(name, out)
        return out

    if not has_bar.any():
        for _, block_names in bars:
            for name in block_names:
                target(name)[...] = np.nan
        return
    # Every chunk is packed to the universe's longest history, so each symbol's row is
    # computed on the same array shape in a chunk as in the whole panel.
    n_bars = int(has_bar.sum(axis=0).max())
    parts = split(len(panel.symbols), 1 if executor is None else
                  chunk_count(len(panel.symbols), executor.workers, per_slot=2))
    if executor is None or len(parts) == 1:
        _bar_blocks_into(panel, has_bar, n_bars, bars, target)
        return
    wanted = [(names[0], names) for _, names in bars]
    results = executor.map(_bar_chunk, [_columns(panel, cols) for cols in parts], wanted,
                           n_bars)
    for _, block_names in bars:
        for name in block_names:
            out = target(name)
            for cols, res in zip(parts, results, strict=True):
                out[:, cols] = res[name]


def _bar_blocks_into(panel: PricePanel, has_bar: np.ndarray, n_bars: int,
                     bars: Sequence[tuple[Block, list[str]]],
                     target: Callable[[str], np.ndarray]) -> None:
    bctx = _bar_context(panel, has_bar, n_bars)
    src = k.scatter_index(has_bar, n_bars)
    for block, block_names in bars:
        res = block.fn(bctx, frozenset(block_names))
        for name in block_names:
            out = target(name)
            packed = np.ascontiguousarray(res[name], dtype=np.float64)
            if packed.shape != bctx.close.shape:
                raise RuntimeError(f"{block.name}: {name} has shape {packed.shape}, "
                                   f"expected {bctx.close.shape}")
            k.scatter(packed.reshape(-1), src, out.reshape(-1))


def _bar_chunk(panel: PricePanel, wanted: Sequence[tuple[str, list[str]]],
               n_bars: int) -> dict[str, np.ndarray]:
    # A task: the time-series features of a chunk of symbols, (dates, chunk symbols) each.
    # Blocks travel by the name of a feature they compute (functions are looked up here).
    has_bar = ~np.isnan(panel.close)
    out: dict[str, np.ndarray] = {}

    def target(name: str) -> np.ndarray:
        return out.setdefault(name, np.empty(has_bar.shape))

    _bar_blocks_into(panel, has_bar, n_bars,
                     [(get_block(first), names) for first, names in wanted], target)
    return out


def _columns(panel: PricePanel, cols: slice) -> PricePanel:
    return PricePanel(dates=panel.dates, symbols=panel.symbols[cols],
                      **{f: getattr(panel, f)[:, cols] for f in (*_PRICES, "volume")},
                      benchmark=panel.benchmark,
                      sectors=None if panel.sectors is None else panel.sectors[cols])


def _resolve(names: Sequence[str] | None) -> list[FeatureSpec]:
    if names is None:
        return catalog()
    if isinstance(names, str):
        raise BadRequest("names: give a list of feature names, not one string")
    specs = list({get_feature(n).name: get_feature(n) for n in names}.values())
    if not specs:
        raise BadRequest("names: give at least one feature name, or omit names for all")
    return specs


def _with_dependencies(specs: Sequence[FeatureSpec]) -> dict[str, FeatureSpec]:
    needed: dict[str, FeatureSpec] = {}
    todo = list(specs)
    while todo:
        one = todo.pop()
        if one.name not in needed:
            needed[one.name] = one
            todo.extend(get_feature(d) for d in one.depends)
    return needed


def _blocks_in_order(needed: Mapping[str, FeatureSpec]) -> list[tuple[Block, list[str]]]:
    # Blocks in catalogue order (dependencies come from earlier groups), each with the
    # features wanted from it.
    by_block: dict[str, list[str]] = {}
    for one in catalog():
        if one.name in needed:
            by_block.setdefault(one.block, []).append(one.name)
    return [(get_block(names[0]), names) for names in by_block.values()]


def _bar_context(panel: PricePanel, has_bar: np.ndarray, n_bars: int) -> BarContext:
    def pack(x: np.ndarray) -> np.ndarray:
        out: np.ndarray = k.compress(x, has_bar, n_bars)
        return out

    bench = None
    if panel.benchmark is not None:
        known = k.ffill(panel.benchmark, STALE_DATES)
        wide = np.broadcast_to(known[:, None], has_bar.shape)
        bench = pack(np.ascontiguousarray(wide))
    return BarContext(open=pack(panel.open), high=pack(panel.high), low=pack(panel.low),
                      close=pack(panel.close), volume=pack(panel.volume), benchmark=bench)


def _check_prices(panel: PricePanel) -> None:
    for name in (*_PRICES, "volume"):
        arr = getattr(panel, name)
        bad = np.isinf(arr) | (arr < 0 if name == "volume" else arr <= 0)
        if bad.any():
            t, j = np.argwhere(bad)[0]
            what = "non-negative" if name == "volume" else "positive"
            raise BadRequest(f"{name}: {arr[t, j]} for {panel.symbols[j]} on {panel.dates[t]}; "
                             f"values must be finite and {what} (NaN marks a missing bar)")
    if panel.benchmark is not None:
        b = panel.benchmark
        bad_b = np.isinf(b) | (b <= 0)
        if bad_b.any():
            t = int(np.argmax(bad_b))
            raise BadRequest(f"benchmark: {b[t]} on {panel.dates[t]}; the benchmark close must "
                             "be finite and positive (NaN where it has no bar)")
