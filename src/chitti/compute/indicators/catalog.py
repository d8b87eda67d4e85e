"""The indicator catalogue: spec types, the registry, validation and the generic `compute`.

Every indicator is declared exactly once, with `register` (through the `indicator` decorator
in its group module). The service, the HTTP API, the panel and the streaming forms all read
the specs from here; there is no second list.

NaN handling (the one non-finite value accepted in inputs) follows TA-Lib's Python wrapper,
so results stay comparable bar for bar:

* leading bars where any input is NaN are skipped: the indicator starts at the first bar
  where every input is a number, and the skipped bars are NaN in every output;
* a NaN inside the series is fed to the kernel as TA-Lib's C code would see it. Running
  sums (SMA, Wilder smoothing, EMA...) then stay NaN from there on, exactly as TA-Lib's do.
  Drop or fill gaps first if that is not what you want.

``+inf`` / ``-inf`` are refused with `BadRequest` naming the input and the bar.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from chitti.errors import BadRequest

__all__ = [
    "INPUT_NAMES",
    "IndicatorSpec",
    "Param",
    "catalog",
    "compute",
    "get_spec",
    "register",
]

INPUT_NAMES = ("open", "high", "low", "close", "volume", "periods")
GROUPS = (
    "overlap",
    "momentum",
    "volatility",
    "volume",
    "price_transform",
    "statistic",
    "trend",
    "support_resistance",
    "pattern",
)
MAX_PERIOD = 100_000
REAL_MAX = 3e37

Kernel = Callable[..., tuple[np.ndarray, ...]]


@dataclass(frozen=True)
class Param:
    """One parameter of an indicator: its type, default and inclusive valid range."""

    name: str
    type: str  # "int" | "float"
    default: int | float
    min: int | float
    max: int | float
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "min": self.min,
            "max": self.max,
            "description": self.description,
        }

    def check(self, indicator: str, value: Any) -> int | float:
        """Return ``value`` coerced to this parameter's type, or raise `BadRequest`."""
        where = f"{indicator}: parameter {self.name!r}"
        valid = f"valid range is {self.min}..{self.max}"
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise BadRequest(f"{where} must be {self.type}, got {value!r}; {valid}")
        if self.type == "int":
            if isinstance(value, float | np.floating):
                if not float(value).is_integer():
                    raise BadRequest(f"{where} must be an integer, got {value!r}; {valid}")
            v: int | float = int(value)
        else:
            v = float(value)
            if not np.isfinite(v):
                raise BadRequest(f"{where} must be a finite number, got {value!r}; {valid}")
        if not (self.min <= v <= self.max):
            raise BadRequest(f"{where} = {value!r} is out of range; {valid}")
        return v


def int_param(name: str, default: int, lo: int = 2, hi: int = MAX_PERIOD, doc: str = "") -> Param:
    return Param(name, "int", default, lo, hi, doc)


def float_param(
    name: str, default: float, lo: float = -REAL_MAX, hi: float = REAL_MAX, doc: str = ""
) -> Param:
    return Param(name, "float", default, lo, hi, doc)


@dataclass(frozen=True)
class IndicatorSpec:
    """A catalogue entry: everything the service, the API and the docs need to know.

    ``fn`` takes the input arrays (float64, in ``inputs`` order, leading NaNs already
    skipped) and the parameters as keywords, and returns one array per output.
    ``talib`` names the TA-Lib function this one equals (None for indicators TA-Lib lacks).
    """

    name: str
    group: str
    display_name: str
    inputs: tuple[str, ...]
    params: tuple[Param, ...]
    outputs: tuple[str, ...]
    fn: Kernel = field(repr=False, compare=False)
    lookback_fn: Callable[[dict[str, Any]], int] = field(repr=False, compare=False)
    talib: str | None = None
    streaming: bool = False
    description: str = ""

    def defaults(self) -> dict[str, int | float]:
        return {p.name: p.default for p in self.params}

    def resolve(self, params: Mapping[str, Any]) -> dict[str, int | float]:
        """Return the full parameter set: defaults for missing ones, each value checked."""
        by_name = {p.name: p for p in self.params}
        unknown = [k for k in params if k not in by_name]
        if unknown:
            known = ", ".join(by_name) or "none"
            raise BadRequest(f"{self.name}: unknown parameter(s) {unknown}; known: {known}")
        if not params:
            return {p.name: p.default for p in self.params}
        out = {}
        for p in self.params:
            out[p.name] = p.check(self.name, params[p.name]) if p.name in params else p.default
        return out

    def lookback(self, params: Mapping[str, Any] | None = None) -> int:
        """Return how many leading bars are NaN (warm-up) for these parameters."""
        return int(self.lookback_fn(self.resolve(params or {})))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able description (the body of ``GET /api/indicators``)."""
        return {
            "name": self.name,
            "group": self.group,
            "display_name": self.display_name,
            "description": self.description,
            "inputs": list(self.inputs),
            "params": [p.to_dict() for p in self.params],
            "outputs": list(self.outputs),
            "lookback_default": self.lookback(),
            "talib": self.talib,
            "streaming": self.streaming,
        }


_REGISTRY: dict[str, IndicatorSpec] = {}


def register(spec: IndicatorSpec) -> IndicatorSpec:
    if spec.name in _REGISTRY:
        raise ValueError(f"indicator {spec.name!r} registered twice")
    if spec.name != spec.name.lower():
        raise ValueError(f"indicator name {spec.name!r} must be lower-case")
    if spec.group not in GROUPS:
        raise ValueError(f"{spec.name}: unknown group {spec.group!r}")
    bad = [i for i in spec.inputs if i not in INPUT_NAMES]
    if bad:
        raise ValueError(f"{spec.name}: unknown inputs {bad}")
    _REGISTRY[spec.name] = spec
    return spec


def indicator(
    name: str,
    group: str,
    display_name: str,
    *,
    inputs: Sequence[str],
    params: Sequence[Param] = (),
    outputs: Sequence[str] | None = None,
    lookback: Callable[[dict[str, Any]], int],
    talib: str | None = None,
    streaming: bool = False,
) -> Callable[[Kernel], Kernel]:
    """Register the decorated function as indicator ``name`` (its docstring describes it)."""

    def deco(fn: Kernel) -> Kernel:
        doc = (fn.__doc__ or "").strip()
        register(
            IndicatorSpec(
                name=name,
                group=group,
                display_name=display_name,
                inputs=tuple(inputs),
                params=tuple(params),
                outputs=tuple(outputs or (name,)),
                fn=fn,
                lookback_fn=lookback,
                talib=talib,
                streaming=streaming,
                description=doc.split("\n\n")[0].replace("\n", " "),
            )
        )
        return fn

    return deco


def catalog() -> list[IndicatorSpec]:
    """Return every indicator, sorted by group then name."""
    _load_all()
    return sorted(_REGISTRY.values(), key=lambda s: (s.group, s.name))


def get_spec(name: str) -> IndicatorSpec:
    """Return the spec of ``name`` (case-insensitive); `BadRequest` naming close matches."""
    _load_all()
    if not isinstance(name, str):
        raise BadRequest(f"indicator name must be a string, got {name!r}")
    spec = _REGISTRY.get(name.strip().lower())
    if spec is None:
        close = difflib.get_close_matches(name.strip().lower(), list(_REGISTRY), n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see catalog() for the list"
        raise BadRequest(f"unknown indicator {name!r}{hint}")
    return spec


_loaded = False


def _load_all() -> None:
    # The group modules register on import; importing them here (not at module import)
    # keeps catalog.py importable by them without a cycle.
    global _loaded
    if not _loaded:
        from chitti.compute.indicators import (  # noqa: F401
            extra,
            momentum,
            overlap,
            patterns,
            price_transform,
            statistic,
            volatility,
            volume,
        )

        _loaded = True


_EXP = 0x7FF0000000000000


@njit(cache=True, nogil=True, error_model="numpy")
def _scan(a: np.ndarray) -> tuple[int, int]:
    """Return (index of the first +-inf or -1, index of the first non-NaN or len)."""
    u = a.view(np.int64)
    n = u.shape[0]
    special = 0
    for i in range(n):  # integer OR-reduction: vectorises, ~1 ns per 4 bars
        special |= (u[i] & _EXP) == _EXP
    if not special:
        return -1, 0
    first_inf = -1
    first_valid = n
    for i in range(n):
        v = a[i]
        if v != v:
            continue
        if first_valid == n:
            first_valid = i
        if v - v != 0.0:
            first_inf = i
            break
    return first_inf, first_valid


@njit(cache=True, nogil=True, error_model="numpy")
def _first_all_valid(arrays: tuple, start: int) -> int:  # type: ignore[type-arg]
    # TA-Lib's wrapper: the first bar where no input is NaN, else the last bar.
    n = arrays[0].shape[0]
    for i in range(start, n):
        ok = True
        for a in arrays:
            if a[i] != a[i]:
                ok = False
                break
        if ok:
            return int(i)
    return int(n - 1)


def _as_array(spec: IndicatorSpec, key: str, value: Any, ndim: int) -> np.ndarray:
    try:
        arr = np.ascontiguousarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{spec.name}: input {key!r} is not numeric ({exc})") from None
    if not arr.flags.writeable:
        # one array flavour for the kernels: a read-only view would compile them all twice
        arr = arr.copy()
    if arr.ndim != ndim:
        shape = "1-D series" if ndim == 1 else "2-D panel (symbols x time)"
        raise BadRequest(f"{spec.name}: input {key!r} must be a {shape}, got shape {arr.shape}")
    return arr


def validate_inputs(
    spec: IndicatorSpec, inputs: Mapping[str, Any], ndim: int = 1
) -> tuple[list[np.ndarray], int]:
    """Return the inputs as float64 arrays in spec order and TA-Lib's first bar, or raise.

    The first bar is the first where no input is NaN (for 2-D panels it is not computed and
    returned as 0: `run` finds it per row).
    """
    if not isinstance(inputs, Mapping):
        raise BadRequest(f"{spec.name}: inputs must be a mapping of {', '.join(spec.inputs)}")
    arrays = []
    beg = 0
    shape = None
    for k in spec.inputs:
        if k not in inputs:
            missing = [m for m in spec.inputs if m not in inputs]
            raise BadRequest(
                f"{spec.name}: missing input(s) {', '.join(missing)}; "
                f"this indicator needs {', '.join(spec.inputs)}"
            )
        a = _as_array(spec, k, inputs[k], ndim)
        if shape is None:
            shape = a.shape
        elif a.shape != shape:
            raise BadRequest(
                f"{spec.name}: inputs have unequal shapes: {spec.inputs[0]!r} is {shape}, "
                f"{k!r} is {a.shape}"
            )
        flat = a.reshape(-1)
        bad, first = _scan(flat)
        if bad >= 0:
            where = np.unravel_index(bad, a.shape)
            at = f"index {where[0]}" if ndim == 1 else f"row {where[0]}, column {where[1]}"
            raise BadRequest(
                f"{spec.name}: input {k!r} has a non-finite value {flat[bad]} at {at}; "
                "only NaN (a missing bar) is accepted"
            )
        beg = max(beg, first)
        arrays.append(a)
    if ndim == 1:
        n = arrays[0].shape[0]
        if beg >= n:
            beg = max(n - 1, 0)
        if beg and len(arrays) > 1:
            beg = _first_all_valid(tuple(arrays), beg)
    else:
        beg = 0
    return arrays, beg


def run(
    spec: IndicatorSpec, arrays: list[np.ndarray], params: dict[str, Any], beg: int | None = None
) -> list[np.ndarray]:
    """Run ``spec`` on validated 1-D arrays, with TA-Lib's leading-NaN convention.

    ``beg`` is the first bar where no input is NaN (computed here when not given).
    """
    n = arrays[0].shape[0]
    if n == 0:
        return [np.empty(0) for _ in spec.outputs]
    if beg is None:
        beg = 0
        for a in arrays:
            beg = max(beg, _scan(a)[1])
        beg = min(beg, n - 1)
        if beg and len(arrays) > 1:
            beg = _first_all_valid(tuple(arrays), beg)
    if beg:
        arrays = [a[beg:] for a in arrays]
    res = spec.fn(*arrays, **params)
    if beg:
        padded = []
        for r in res:
            full = np.empty(n)
            full[:beg] = np.nan
            full[beg:] = r
            padded.append(full)
        return padded
    return list(res)


def compute(name: str, inputs: Mapping[str, Any], **params: Any) -> dict[str, np.ndarray]:
    """Compute indicator ``name`` on 1-D series and return ``{output name: float64 array}``.

    ``inputs`` maps ``open``/``high``/``low``/``close``/``volume`` to equal-length arrays
    (extra keys are ignored); missing parameters take their defaults. Warm-up bars are NaN,
    exactly as TA-Lib leaves them. See the module docstring for NaN handling.
    """
    spec = _REGISTRY.get(name) if isinstance(name, str) else None  # fast path: exact name
    if spec is None:
        spec = get_spec(name)
    p = spec.resolve(params) if params or spec.params else {}
    arrays, beg = validate_inputs(spec, inputs)
    return dict(zip(spec.outputs, run(spec, arrays, p, beg), strict=True))
