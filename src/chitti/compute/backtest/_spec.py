"""The declarative strategy spec: JSON in, validated, versioned.

A spec names indicator calls and four optional rules (entry/exit, long/short) written in the
rule language of :mod:`chitti.compute.conditions` (comparisons, crosses and AND/OR/NOT over
price fields, indicator outputs, ``ml.<model>`` predictions and constants; the grammar is in
that package's docstring).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chitti.compute.conditions import (
    ML,
    IndicatorCall,
    Number,
    Rule,
    check_indicators,
    check_operands,
    describe_errors,
    ml_models,
    warmup_bars,
)
from chitti.errors import BadRequest

SPEC_VERSION = 1
RULES = ("entry_long", "exit_long", "entry_short", "exit_short")
#: The namespaced series a spec may read (their values are supplied to the backtest).
SPEC_NAMESPACES = (ML,)

_FROZEN = ConfigDict(frozen=True, extra="forbid")


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
        check_indicators(self.indicators, params=self.params, namespaces=SPEC_NAMESPACES)
        needs = {"long": ("entry_long",), "short": ("entry_short",),
                 "both": ("entry_long", "entry_short")}[self.direction]
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"{name}: required for direction {self.direction!r}")
        for name in RULES:
            rule = getattr(self, name)
            if rule is not None:
                check_operands(rule, name, params=self.params, indicators=self.indicators,
                               namespaces=SPEC_NAMESPACES)
        return self

    def rules(self) -> tuple[Rule | None, ...]:
        """Return (entry_long, exit_long, entry_short, exit_short)."""
        return tuple(getattr(self, name) for name in RULES)

    def ml_models(self) -> tuple[str, ...]:
        """Return the models whose predictions the rules read (``ml.<model>``): the series a
        backtest of this spec must be given."""
        return ml_models(*self.rules())

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
        return warmup_bars(self.indicators, self.rules(), {**self.params, **(params or {})})

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
            raise BadRequest(describe_errors(exc, "strategy spec")) from exc
