"""The feature catalogue: one `FeatureSpec` per named feature, registered once.

Every feature is declared exactly once, in its group module, through the `feature`
decorator; `compute_features`, the service and ``GET /api/features`` all read the specs
from here. Specs are grouped into *blocks*: one compute function produces several features
that share work (all returns from one close array, beta and correlation from one pass of
co-moments), so one panel call stays fast.

Conventions (every name follows them):

* Windows count **the symbol's own bars** (trading days it has a bar), suffix ``d``:
  ``ret_20d`` is the return over the symbol's last 20 bars, whatever the calendar did.
* Returns, distances, volatilities and ratios are **fractions** (0.01 = 1 %); volatilities
  are per day, not annualised. Other units are in the name (``_crore``, ``_inr``,
  ``_days``); oscillators keep their textbook scale (RSI 0-100), said in the description.
* A value at date *t* uses data at dates <= *t* only: a feature on day *t* is known at
  day *t*'s close. Cross-sectional features on *t* use the universe's values on *t*.
* A feature is NaN where it is undefined: before ``lookback`` bars of history, where the
  symbol has no bar that day, or where a denominator is zero.

``lookback`` is the number of bars of history needed before the first defined value: on a
gap-free series the first number appears at index ``lookback``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from chitti.errors import BadRequest

__all__ = [
    "GROUPS",
    "INPUTS",
    "Block",
    "FeatureDef",
    "FeatureSpec",
    "catalog",
    "feature",
    "get_block",
    "get_feature",
    "spec",
]

GROUPS = (
    "returns",
    "trend",
    "volatility",
    "indicators",
    "volume",
    "highs_lows",
    "gaps",
    "ranges",
    "calendar",
    "market",
    "cross_section",
    "news",
)
INPUTS = ("open", "high", "low", "close", "volume", "benchmark", "sectors", "news")
LAYOUTS = ("bars", "dates")

#: A block function: (context, names wanted from it) -> {name: array}.
BlockFn = Callable[[Any, frozenset[str]], Mapping[str, np.ndarray]]


class FeatureDef(NamedTuple):
    """What a group module declares for one feature (see `spec`)."""

    name: str
    lookback: int | None
    description: str
    depends: tuple[str, ...] = ()
    inputs: tuple[str, ...] | None = None


def spec(name: str, lookback: int | None, description: str, *, depends: Sequence[str] = (),
         inputs: Sequence[str] | None = None) -> FeatureDef:
    """Declare one feature of a block.

    ``lookback=None`` with ``depends`` takes the largest lookback of the features it is
    computed from (cross-sections); ``inputs`` overrides the block's inputs (the block's
    and the dependencies' inputs are used otherwise).
    """
    return FeatureDef(name, lookback, description, tuple(depends),
                      None if inputs is None else tuple(inputs))


@dataclass(frozen=True)
class FeatureSpec:
    """A catalogue entry: what ``GET /api/features`` shows and `compute_features` runs.

    ``block`` names the compute function that produces it (several features share one);
    ``depends`` lists catalogued features it is computed from (cross-sectional ranks of a
    base feature). ``lookback`` is the symbol's bars of history before the first defined
    value (exact: on a gap-free series the first number is at that index); for news
    features it is the trading days of articles read before the day (news counts are 0,
    not NaN, without history; see ``news.py``).
    """

    name: str
    group: str
    description: str
    inputs: tuple[str, ...]
    lookback: int
    block: str = field(repr=False)
    depends: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able description (the body of ``GET /api/features``)."""
        return {
            "name": self.name,
            "group": self.group,
            "description": self.description,
            "inputs": list(self.inputs),
            "lookback": self.lookback,
            "depends": list(self.depends),
        }


@dataclass(frozen=True)
class Block:
    """One compute function and the features it produces.

    ``layout="bars"``: ``fn(BarContext, wanted)`` returns arrays (symbols, bars) on each
    symbol's own bars; ``layout="dates"``: ``fn(DateContext, wanted)`` returns arrays
    (dates, symbols) and may read earlier features through the context.
    """

    name: str
    layout: str
    fn: BlockFn = field(repr=False, compare=False)
    features: tuple[str, ...]


_SPECS: dict[str, FeatureSpec] = {}
_BLOCKS: dict[str, Block] = {}
_PENDING: list[FeatureSpec] = []  # specs whose lookback/inputs come from their dependencies


def feature(defs: Sequence[FeatureDef], *, group: str, inputs: Sequence[str],
            layout: str = "bars") -> Callable[[BlockFn], BlockFn]:
    """Register the decorated function as the block computing the features ``defs``."""

    def deco(fn: BlockFn) -> BlockFn:
        name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        _register_block(name, fn, defs, group=group, inputs=inputs, layout=layout)
        return fn

    return deco


def _register_block(name: str, fn: BlockFn, defs: Sequence[FeatureDef], *, group: str,
                    inputs: Sequence[str], layout: str) -> None:
    # Used by `feature` and for the news features (declared in news.py).
    if group not in GROUPS:
        raise ValueError(f"{name}: unknown group {group!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"{name}: unknown layout {layout!r}")
    if name in _BLOCKS:
        raise ValueError(f"feature block {name!r} registered twice")
    for d in defs:
        own = d.inputs if d.inputs is not None else tuple(inputs)
        bad = [i for i in own if i not in INPUTS]
        if bad:
            raise ValueError(f"{d.name}: unknown inputs {bad}")
        if d.name in _SPECS or d.name != d.name.lower() or not d.description:
            raise ValueError(f"feature {d.name!r}: registered twice, not lower-case or "
                             "without a description")
        if d.lookback is None and not d.depends:
            raise ValueError(f"{d.name}: a lookback is needed when nothing is depended on")
        one = FeatureSpec(name=d.name, group=group, description=d.description, inputs=own,
                          lookback=-1 if d.lookback is None else d.lookback, block=name,
                          depends=d.depends)
        _SPECS[d.name] = one
        if d.depends:
            _PENDING.append(one)
    _BLOCKS[name] = Block(name=name, layout=layout, fn=fn, features=tuple(d.name for d in defs))


def catalog() -> list[FeatureSpec]:
    """Return every feature in a stable order: by group (``GROUPS``), then as declared."""
    _load_all()
    rank = {g: i for i, g in enumerate(GROUPS)}
    order = {name: i for i, name in enumerate(_SPECS)}
    return sorted(_SPECS.values(), key=lambda s: (rank[s.group], order[s.name]))


def get_feature(name: str) -> FeatureSpec:
    """Return the spec of ``name``; `BadRequest` naming close matches when unknown."""
    _load_all()
    if not isinstance(name, str):
        raise BadRequest(f"names: a feature name must be a string, got {name!r}")
    one = _SPECS.get(name.strip().lower())
    if one is None:
        close = difflib.get_close_matches(name.strip().lower(), list(_SPECS), n=5, cutoff=0.6)
        hint = (f"; did you mean {', '.join(close)}?" if close
                else "; GET /api/features lists them")
        raise BadRequest(f"names: unknown feature {name!r}{hint}")
    return one


def get_block(name: str) -> Block:
    """Return the block that computes feature ``name`` (which must be catalogued)."""
    return _BLOCKS[get_feature(name).block]


_loaded = False


def _load_all() -> None:
    # Group modules register on import; importing them here (not at module import) keeps
    # catalog.py importable by them without a cycle. Order matters only for readability:
    # cross-sections resolve their dependencies after every group is in.
    global _loaded
    if _loaded:
        return
    from chitti.compute.features import (  # noqa: F401
        cross_section,
        gaps,
        highs_lows,
        indicators,
        market,
        ranges,
        returns,
        seasonality,
        trend,
        volatility,
        volume,
    )

    _register_news()
    _resolve_dependents()
    _loaded = True


def _resolve_dependents() -> None:
    while _PENDING:
        one = _PENDING.pop(0)
        deps = [_SPECS[d] for d in one.depends]
        if any(d in _PENDING for d in deps):
            _PENDING.append(one)
            continue
        lookback = max(d.lookback for d in deps) if one.lookback < 0 else one.lookback
        inputs = list(one.inputs)
        for d in deps:
            inputs += [i for i in d.inputs if i not in inputs]
        ordered = tuple(i for i in INPUTS if i in inputs)
        _SPECS[one.name] = replace(one, lookback=lookback, inputs=ordered)


def _register_news() -> None:
    # The news features live in news.py (another module's job); the catalogue lists them
    # when that module is present. Any other import error is a bug and surfaces.
    try:
        from chitti.compute.features import news
    except ModuleNotFoundError as exc:
        if exc.name == "chitti.compute.features.news":
            return
        raise
    defs = [spec(name, int(days), desc) for name, desc, days in news.NEWS_FEATURES]
    _register_block("news.news_features", _news_block, defs, group="news", inputs=("news",),
                   layout="dates")


def _news_block(ctx: Any, wanted: frozenset[str]) -> Mapping[str, np.ndarray]:
    from chitti.compute.features import news

    items = ctx.news if ctx.news is not None else _no_news(news)
    out: Mapping[str, np.ndarray] = news.news_features(ctx.dates, ctx.symbols, items)
    return out


def _no_news(news: Any) -> Any:
    # Without news input the features are computed over an empty set of articles (zero
    # counts, NaN sentiment), so every panel carries the same names.
    return news.NewsItems(
        published_at=np.array([], dtype="datetime64[s]"),
        symbol=np.array([], dtype=object),
        score=np.array([], dtype=np.float64),
        direction=np.array([], dtype=np.int8),
        story=np.array([], dtype=np.int64),
    )
