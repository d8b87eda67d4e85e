"""The declarative strategy spec: JSON in, validated, versioned.

A spec names indicator calls and four optional rules (entry/exit, long/short) built from
comparisons, crosses and AND/OR/NOT over price fields, indicator outputs and constants.

Operands (``left``/``right``) are one of:
  * a number: ``30``;
  * ``"$name"``: the value of parameter ``name`` (from ``params``; swept by ``sweep``);
  * a series name: ``"close"`` (open/high/low/close/volume), an indicator id (``"fast"``)
    or ``"id.output"`` for multi-output indicators (``"bb.upperband"``);
  * ``{"ref": <series>, "shift": k}``: that series k bars ago (a lookback reference).

Rules: ``{"op": "gt"|"ge"|"lt"|"le", "left": a, "right": b}``,
``{"op": "cross_above"|"cross_below", "left": a, "right": b}`` (a crosses b on this bar:
``a[t] > b[t] and a[t-1] <= b[t-1]``; mirrored for below), ``{"op": "and"|"or",
"args": [rule, ...]}``, ``{"op": "not", "arg": rule}``. A comparison with a missing value
(indicator warm-up) is false.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chitti.compute.backtest._indicators import indicator_lookback, indicator_signature
from chitti.errors import BadRequest

PRICE_FIELDS = ("open", "high", "low", "close", "volume")
SPEC_VERSION = 1

_FROZEN = ConfigDict(frozen=True, extra="forbid")

Number = int | float


class SeriesRef(BaseModel):
    """A series value ``shift`` bars ago."""

    model_config = _FROZEN
    ref: str
    shift: int = Field(0, ge=0, le=10_000)


Operand = Union[Number, str, SeriesRef]  # noqa: UP007


class Compare(BaseModel):
    model_config = _FROZEN
    op: Literal["gt", "ge", "lt", "le"]
    left: Operand
    right: Operand


class Cross(BaseModel):
    model_config = _FROZEN
    op: Literal["cross_above", "cross_below"]
    left: Operand
    right: Operand


class AllOf(BaseModel):
    model_config = _FROZEN
    op: Literal["and"]
    args: tuple[Rule, ...] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = _FROZEN
    op: Literal["or"]
    args: tuple[Rule, ...] = Field(min_length=1)


class Not(BaseModel):
    model_config = _FROZEN
    op: Literal["not"]
    arg: Rule


Rule = Annotated[Union[Compare, Cross, AllOf, AnyOf, Not], Field(discriminator="op")]  # noqa: UP007
for _model in (AllOf, AnyOf, Not):
    _model.model_rebuild()


class IndicatorCall(BaseModel):
    """One indicator: ``fn`` (catalogue name, e.g. ``"sma"``), its parameters (numbers or
    ``"$param"``), and ``source``, the price field fed as the indicator's main input."""

    model_config = _FROZEN
    fn: str = Field(min_length=1)
    params: dict[str, Number | str] = Field(default_factory=dict)
    source: Literal["open", "high", "low", "close", "volume"] = "close"


class StrategySpec(BaseModel):
    """A versioned, declarative strategy (see the module docstring for the rule grammar)."""

    model_config = _FROZEN
    version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    direction: Literal["long", "short", "both"] = "long"
    params: dict[str, Number] = Field(default_factory=dict)
    indicators: dict[str, IndicatorCall] = Field(default_factory=dict)
    entry_long: Rule | None = None
    exit_long: Rule | None = None
    entry_short: Rule | None = None
    exit_short: Rule | None = None

    @model_validator(mode="after")
    def _check_references(self) -> StrategySpec:
        for ind_id, call in self.indicators.items():
            if ind_id in PRICE_FIELDS or "." in ind_id or not ind_id:
                raise ValueError(f"indicators.{ind_id}: id must not be a price field or hold '.'")
            try:
                param_names, _ = indicator_signature(call.fn)
            except BadRequest as exc:
                raise ValueError(f"indicators.{ind_id}.fn: {exc.message}") from None
            for key, val in call.params.items():
                if key not in param_names:
                    raise ValueError(f"indicators.{ind_id}.params.{key}: {call.fn} has no such "
                                     f"parameter; parameters: {list(param_names)}")
                if isinstance(val, str):
                    self._check_param(val, f"indicators.{ind_id}.params.{key}")
        needs = {"long": ("entry_long",), "short": ("entry_short",),
                 "both": ("entry_long", "entry_short")}[self.direction]
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"{name}: required for direction {self.direction!r}")
        for name in ("entry_long", "exit_long", "entry_short", "exit_short"):
            rule = getattr(self, name)
            if rule is not None:
                for operand, where in rule_operands(rule, name):
                    self._check_operand(operand, where)
        return self

    def _check_param(self, val: str, where: str) -> None:
        if not val.startswith("$") or val[1:] not in self.params:
            raise ValueError(
                f"{where}: {val!r} is not a parameter reference; use '$name' with name in "
                f"params ({sorted(self.params)})"
            )

    def _check_operand(self, operand: Any, where: str) -> None:
        if isinstance(operand, (int, float)):
            return
        name = operand.ref if isinstance(operand, SeriesRef) else operand
        if name.startswith("$"):
            if isinstance(operand, SeriesRef):
                raise ValueError(f"{where}.ref: a parameter cannot be shifted")
            self._check_param(name, where)
            return
        if name in PRICE_FIELDS:
            return
        ind_id, _, output = name.partition(".")
        if ind_id not in self.indicators:
            known = sorted((*PRICE_FIELDS, *self.indicators))
            raise ValueError(f"{where}: unknown series {name!r}; known: {known}")
        _, outputs = indicator_signature(self.indicators[ind_id].fn)
        if output and output not in outputs:
            raise ValueError(f"{where}: {ind_id} ({self.indicators[ind_id].fn}) has no output "
                             f"{output!r}; outputs: {list(outputs)}")
        if not output and len(outputs) > 1:
            raise ValueError(f"{where}: {ind_id} ({self.indicators[ind_id].fn}) has outputs "
                             f"{list(outputs)}; name one as '{ind_id}.<output>'")

    def with_params(self, **params: Number) -> StrategySpec:
        """Return a copy with some parameter values replaced."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise BadRequest(
                f"params: unknown parameter(s) {unknown}; known: {sorted(self.params)}"
            )
        return self.model_copy(update={"params": {**self.params, **params}})

    def warmup_bars(self, params: Mapping[str, Number] | None = None) -> int:
        """Return how many bars before the first trading bar the rules need to be defined:
        the longest indicator warm-up, plus the furthest ``shift``, plus one for a cross
        (which compares with the bar before)."""
        values = {**self.params, **(params or {})}
        lookback = max((indicator_lookback(call.fn, {
            k: values[v[1:]] if isinstance(v, str) else v for k, v in call.params.items()})
            for call in self.indicators.values()), default=0)
        shift = 0
        for name in ("entry_long", "exit_long", "entry_short", "exit_short"):
            if (rule := getattr(self, name)) is not None:
                shift = max([shift, *(o.shift for o, _ in rule_operands(rule, name)
                                      if isinstance(o, SeriesRef))])
        return lookback + shift + 1

    @classmethod
    def parse(cls, data: StrategySpec | Mapping[str, Any] | str | bytes) -> StrategySpec:
        """Validate a spec from a dict or JSON text; raise BadRequest naming the field."""
        if isinstance(data, StrategySpec):
            return data
        try:
            if isinstance(data, (str, bytes)):
                return cls.model_validate_json(data)
            return cls.model_validate(data)
        except ValidationError as exc:
            raise BadRequest(_describe(exc)) from exc


def rule_operands(rule: Any, where: str) -> Iterator[tuple[Any, str]]:
    """Yield every operand of a rule tree with its field path (``entry_long.args[0].left``),
    so validators check operands without walking the tree themselves."""
    if isinstance(rule, (Compare, Cross)):
        yield rule.left, f"{where}.left"
        yield rule.right, f"{where}.right"
    elif isinstance(rule, (AllOf, AnyOf)):
        for i, arg in enumerate(rule.args):
            yield from rule_operands(arg, f"{where}.args[{i}]")
    else:
        yield from rule_operands(rule.arg, f"{where}.arg")


def _describe(exc: ValidationError) -> str:
    errors = exc.errors()
    locs = [tuple(str(x) for x in e["loc"] if not _is_union_tag(x)) for e in errors]
    # keep the most specific error of a union (pydantic reports one per member)
    keep = [e for e, loc in zip(errors, locs, strict=True)
            if not any(len(o) > len(loc) and o[:len(loc)] == loc for o in locs)]
    parts = []
    for err in keep[:5]:
        loc = _loc(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = len(keep) - 5
    suffix = f" (and {more} more)" if more > 0 else ""
    return "invalid strategy spec: " + "; ".join(parts) + suffix


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for x in loc:
        if isinstance(x, int):
            out += f"[{x}]"
        elif not _is_union_tag(x):
            out += f".{x}" if out else x
    return out


def _is_union_tag(x: object) -> bool:
    # pydantic puts the chosen union member into error locations ("Compare", "int", ...)
    return isinstance(x, str) and (x[:1].isupper() or x in _TAGS)


_TAGS = frozenset({"int", "float", "str", "gt", "ge", "lt", "le", "cross_above", "cross_below",
                   "and", "or", "not"})
