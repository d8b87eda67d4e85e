"""The series a compiled program reads, as rows of one float64 matrix over one symbol's bars."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from chitti.compute.conditions._compiler import Program
from chitti.compute.conditions._indicators import indicator
from chitti.compute.conditions._model import PRICE_FIELDS, IndicatorCall, Number
from chitti.errors import BadRequest
from chitti.marketdata.series import Bars

#: Computes the values of a namespaced series (``"bar.change_pct"``) over the bank's bars.
Provider = Callable[["SeriesBank", str], np.ndarray]


def _as_param(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


class SeriesBank:
    """Rows of price fields, indicator outputs and namespaced series over one symbol's bars,
    each computed once and shared by every program (and parameter combination) reading it.

    A series name resolves, in this order, to a price field; an output of a declared
    indicator (``"rsi"``, ``"bb.upperband"``; computed once per function, source and
    parameter values, so two declarations of RSI(14) share a row); an array the caller
    supplies in ``series`` (``{"ml.momentum_lgbm": predictions}``, aligned to the bars, NaN
    where there is no value); or the ``providers`` entry of its namespace (the part before
    the first ``.``). A name with none of these raises BadRequest: a rule that reads a series
    nobody supplied must not silently be false.
    """

    def __init__(self, bars: Bars, *, series: Mapping[str, ArrayLike] | None = None,
                 providers: Mapping[str, Provider] | None = None) -> None:
        self.bars = bars
        self._inputs = {f: getattr(bars, f) for f in PRICE_FIELDS}
        self._supplied: dict[str, np.ndarray] = {}
        self._providers = dict(providers or {})
        self._rows: list[np.ndarray] = []
        self._index: dict[object, int] = {}
        self._outputs: dict[object, dict[str, np.ndarray]] = {}
        self.supply(series or {})

    def supply(self, series: Mapping[str, ArrayLike]) -> None:
        """Add namespaced series the caller computed (``{"ml.x": values}``, one value per
        bar, NaN where none); a series already read keeps the values it was read with."""
        for name, values in series.items():
            self._supplied[name] = _supplied(name, values, len(self.bars))

    def indicator(self, fn: str, source: str, params: Mapping[str, float | int]
                  ) -> dict[str, np.ndarray]:
        """Return every output of indicator ``fn`` fed ``source`` as its main input (computed
        on first use, then shared)."""
        key = (fn, source, tuple(sorted(params.items())))
        out = self._outputs.get(key)
        if out is None:
            inputs = dict(self._inputs)
            inputs["close"] = self._inputs[source]
            out = indicator(fn, inputs, params)
            self._outputs[key] = out
        return out

    def row(self, name: str, *, indicators: Mapping[str, IndicatorCall],
            params: Mapping[str, Number]) -> int:
        """Return the matrix row of series ``name`` for these declarations and parameter
        values, computing it on first use."""
        head, _, output = name.partition(".")
        if name in PRICE_FIELDS:
            return self._add((name,), self._inputs[name])
        if head in indicators:
            return self._indicator_row(head, output, indicators[head], params)
        if name in self._supplied:
            return self._add((name,), self._supplied[name])
        provider = self._providers.get(head)
        if provider is None or not output:
            raise BadRequest(f"series.{name}: no values were supplied for it; pass them "
                             "aligned to the bars (NaN where there is none), e.g. a model's "
                             "stored predictions as series={'ml.<model>': values}")
        key = (name,)
        idx = self._index.get(key)
        return idx if idx is not None else self._add(key, provider(self, name))

    def rows(self, program: Program, *, indicators: Mapping[str, IndicatorCall],
             params: Mapping[str, Number]) -> np.ndarray:
        """Return, per series slot of ``program``, its matrix row (the evaluator's ``rows``)."""
        return np.array([self.row(s, indicators=indicators, params=params)
                         for s in program.series], dtype=np.int64)

    def values(self, row: int) -> np.ndarray:
        """Return the values of matrix row ``row``."""
        return self._rows[row]

    def matrix(self) -> np.ndarray:
        """Return the rows as one contiguous (rows, bars) matrix (the evaluator's ``bank``)."""
        if not self._rows:
            return np.zeros((1, len(self.bars)))
        return np.ascontiguousarray(np.stack(self._rows))

    def _add(self, key: tuple[object, ...], values: np.ndarray) -> int:
        idx = self._index.get(key)
        if idx is None:
            idx = len(self._rows)
            self._rows.append(np.ascontiguousarray(values, dtype=np.float64))
            self._index[key] = idx
        return idx

    def _indicator_row(self, ind_id: str, output: str, call: IndicatorCall,
                       params: Mapping[str, Number]) -> int:
        resolved = {k: _as_param(params[v[1:]]) if isinstance(v, str) else _as_param(v)
                    for k, v in call.params.items()}
        key = (call.fn, call.source, tuple(sorted(resolved.items())), output)
        if key in self._index:
            return self._index[key]
        try:
            outputs = self.indicator(call.fn, call.source, resolved)
        except BadRequest as exc:
            raise BadRequest(f"indicators.{ind_id}: {exc.message}") from exc
        name = f"{ind_id}.{output}" if output else ind_id
        if not output:
            if len(outputs) != 1:
                raise BadRequest(
                    f"series {name!r}: indicator {call.fn!r} has outputs {sorted(outputs)}; "
                    f"refer to one as '{ind_id}.<output>'"
                )
            values = next(iter(outputs.values()))
        elif output not in outputs:
            raise BadRequest(
                f"series {name!r}: indicator {call.fn!r} has no output {output!r}; "
                f"outputs: {sorted(outputs)}"
            )
        else:
            values = outputs[output]
        if values.shape != (len(self.bars),):
            raise BadRequest(f"indicators.{ind_id}: output length {values.shape} != bars")
        return self._add(key, values)


def _supplied(name: str, values: ArrayLike, n: int) -> np.ndarray:
    if name in PRICE_FIELDS or "." not in name:
        raise BadRequest(f"series.{name}: supply namespaced series only (such as "
                         "'ml.<model>'); prices come from the bars, indicators from their "
                         "declarations")
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadRequest(f"series.{name}: values must be numbers (NaN where none)") from None
    if arr.shape != (n,):
        got = arr.shape[0] if arr.ndim == 1 else arr.shape
        raise BadRequest(f"series.{name}: {got} values for {n} bars; give one value per bar, "
                         "aligned to the bars (NaN where there is none)")
    return arr
