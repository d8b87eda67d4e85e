"""The candlestick pattern catalogue: `PatternSpec`, `PATTERNS`, validation, `detect`.

Each pattern is declared once, with the `pattern` decorator on its Numba kernel (in
`single`, `double` and `multi`). Results equal TA-Lib's ``CDL*`` functions bar for bar:
an ``int32`` array with 0 (no pattern), +100 / -100 (bullish / bearish), ±80 for TA-Lib's
weaker engulfing and harami forms and ±200 for a confirmed hikkake. The first
``lookback()`` bars are 0.

Inputs follow TA-Lib's Python wrapper, as the indicator catalogue does: leading bars where
any of open/high/low/close is NaN are skipped (and are 0 in the output); a NaN inside the
series is passed to the kernel, where every comparison with it is false and the running
averages it enters stay NaN, as in TA-Lib. ``+inf`` / ``-inf`` are refused.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chitti.compute.candles._core import AVG_PERIOD, SETTING_NAMES
from chitti.compute.indicators.catalog import Param, float_param
from chitti.errors import BadRequest

__all__ = ["PATTERNS", "PatternSpec", "detect", "detect_all", "direction", "get_pattern"]

INPUTS = ("open", "high", "low", "close")


@dataclass(frozen=True)
class PatternSpec:
    """A candlestick pattern: its names, parameters, warm-up and kernel.

    ``settings`` are the candle settings (see `CANDLE_SETTINGS`) the pattern measures
    candles with, ``span`` how many candles before the current one it looks at; the
    warm-up is the longest averaging period among the settings plus the span.
    ``fn(open, high, low, close, lookback, *params)`` is the Numba kernel (or a thin wrapper
    around a kernel that variants share). ``directional`` is False for the patterns TA-Lib
    always reports as +100 (the dojis, rickshaw man, takuri): their sign means "found", not
    "bullish".
    """

    name: str
    display_name: str
    talib: str
    params: tuple[Param, ...]
    settings: tuple[str, ...]
    span: int
    fn: Callable[..., np.ndarray] = field(repr=False, compare=False)
    description: str = ""
    min_period: int = 0
    directional: bool = True

    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def resolve(self, params: Mapping[str, Any]) -> dict[str, float]:
        """Return the full parameter set: defaults for missing ones, each value checked."""
        by_name = {p.name: p for p in self.params}
        unknown = [k for k in params if k not in by_name]
        if unknown:
            known = ", ".join(by_name) or "none"
            raise BadRequest(f"{self.name}: unknown parameter(s) {unknown}; known: {known}")
        return {
            p.name: p.check(self.name, params[p.name]) if p.name in params else p.default
            for p in self.params
        }

    def lookback(self, params: Mapping[str, Any] | None = None) -> int:
        """Return how many leading bars are always 0 (TA-Lib's ``TA_CDL*_Lookback``)."""
        self.resolve(params or {})  # the warm-up does not depend on them, but check them
        periods = [int(AVG_PERIOD[SETTING_NAMES.index(s)]) for s in self.settings]
        return max([self.min_period, *periods]) + self.span

    def run(self, o: np.ndarray, h: np.ndarray, low: np.ndarray, c: np.ndarray,
            params: Mapping[str, Any]) -> np.ndarray:
        """Run the kernel on validated, NaN-trimmed float64 arrays."""
        p = self.resolve(params)
        out: np.ndarray = self.fn(o, h, low, c, self.lookback(), *p.values())
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able description."""
        return {
            "name": self.name,
            "display_name": self.display_name,
            "description": self.description,
            "talib": self.talib,
            "inputs": list(INPUTS),
            "params": [p.to_dict() for p in self.params],
            "settings": list(self.settings),
            "directional": self.directional,
            "lookback_default": self.lookback(),
        }


#: Every pattern, keyed by TA-Lib's function name in lower case ("cdlengulfing").
PATTERNS: dict[str, PatternSpec] = {}


def penetration(default: float) -> Param:
    return float_param("penetration", default, 0.0, 3e37,
                       "how far (fraction of the first body) the last candle must reach into it")


def pattern(name: str, display_name: str, *, settings: tuple[int, ...] = (), span: int,
            params: tuple[Param, ...] = (), min_period: int = 0, directional: bool = True
            ) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    """Register the decorated kernel as pattern ``name`` (its docstring describes it)."""

    def deco(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        if name in PATTERNS:
            raise ValueError(f"pattern {name!r} registered twice")
        doc = (getattr(fn, "__doc__", None) or "").strip()
        PATTERNS[name] = PatternSpec(
            name=name, display_name=display_name, talib=name.upper(), params=params,
            settings=tuple(SETTING_NAMES[s] for s in settings), span=span, fn=fn,
            description=doc.split("\n\n")[0].replace("\n", " "), min_period=min_period,
            directional=directional,
        )
        return fn

    return deco


def get_pattern(name: str) -> PatternSpec:
    """Return the spec of ``name`` (case-insensitive, "CDL" prefix optional)."""
    if not isinstance(name, str):
        raise BadRequest(f"pattern name must be a string, got {name!r}")
    key = name.strip().lower()
    spec = PATTERNS.get(key) or PATTERNS.get("cdl" + key)
    if spec is None:
        close = difflib.get_close_matches(key, list(PATTERNS), n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see PATTERNS for the list"
        raise BadRequest(f"unknown candlestick pattern {name!r}{hint}")
    return spec


def _validate(where: str, arrays: tuple[Any, ...]) -> list[np.ndarray]:
    out = []
    for key, value in zip(INPUTS, arrays, strict=True):
        try:
            a = np.ascontiguousarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"{where}: input {key!r} is not numeric ({exc})") from None
        if a.ndim != 1:
            raise BadRequest(f"{where}: input {key!r} must be a 1-D series, got shape {a.shape}")
        if not a.flags.writeable:  # one array flavour for the kernels (no second compile)
            a = a.copy()
        bad = np.flatnonzero(np.isinf(a))
        if bad.size:
            raise BadRequest(
                f"{where}: input {key!r} has a non-finite value {a[bad[0]]} at index "
                f"{bad[0]}; only NaN (a missing bar) is accepted"
            )
        out.append(a)
    n = out[0].shape[0]
    for key, a in zip(INPUTS, out, strict=True):
        if a.shape[0] != n:
            raise BadRequest(
                f"{where}: inputs have unequal lengths: 'open' has {n} bars, {key!r} has "
                f"{a.shape[0]}"
            )
    return out


def _first_valid(arrays: list[np.ndarray]) -> int:
    ok = ~np.isnan(arrays[0])
    for a in arrays[1:]:
        ok &= ~np.isnan(a)
    idx = np.flatnonzero(ok)
    return int(idx[0]) if idx.size else arrays[0].shape[0]


def _run(spec: PatternSpec, arrays: list[np.ndarray], params: Mapping[str, Any]) -> np.ndarray:
    n = arrays[0].shape[0]
    beg = _first_valid(arrays)
    if beg == 0:
        return spec.run(arrays[0], arrays[1], arrays[2], arrays[3], params)
    out = np.zeros(n, dtype=np.int32)
    if beg < n:
        o, h, lo, c = (a[beg:] for a in arrays)
        out[beg:] = spec.run(o, h, lo, c, params)
    return out


def detect(name: str, open: Any, high: Any, low: Any, close: Any,  # noqa: A002
           **params: Any) -> np.ndarray:
    """Return pattern ``name`` at every bar (int32: 0, ±100, ±80 or ±200), as TA-Lib does.

    Missing parameters take TA-Lib's defaults; the first ``lookback()`` bars are 0.
    """
    spec = get_pattern(name)
    spec.resolve(params)
    return _run(spec, _validate(spec.name, (open, high, low, close)), params)


def detect_all(open: Any, high: Any, low: Any, close: Any) -> dict[str, np.ndarray]:  # noqa: A002
    """Return every pattern with its default parameters, ``{name: int32 array}``."""
    arrays = _validate("detect_all", (open, high, low, close))
    return {name: _run(spec, arrays, {}) for name, spec in PATTERNS.items()}


def direction(value: Any) -> Any:
    """Return the sign of pattern values: 1 bullish, -1 bearish, 0 none (int or int8 array).

    For patterns whose spec is not ``directional`` the sign only says "found".
    """
    if np.ndim(value) == 0:
        return int(np.sign(value))
    return np.sign(np.asarray(value)).astype(np.int8)
