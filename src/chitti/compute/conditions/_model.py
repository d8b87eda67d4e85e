"""The language's syntax: operands, rules, indicator declarations, namespaces and their checks.

Strategy specs and alert rules hold these models and validate them with the checks here, so
an operand means the same thing, and is refused with the same message, in both.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chitti.compute.conditions._indicators import indicator_signature
from chitti.errors import BadRequest

PRICE_FIELDS = ("open", "high", "low", "close", "volume")

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


_MEMBER = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class Namespace:
    """A family of named series ``<name>.<member>`` beyond prices and indicator outputs.

    This is the language's extension point. A rule set (a strategy spec, an alert rule) lists
    the namespaces it accepts: its operands may then name ``<name>.<member>``, and no
    indicator id may be ``name``. ``members`` are the valid members, or None to accept any
    member of lowercase letters, digits and ``_`` (``ml.<model>``: any model name). The
    values come from whoever evaluates: a provider of :class:`SeriesBank` (computed from the
    bars, as the alert rules' ``bar.*`` are) or arrays the caller supplies (``series=``, as
    the stored ``ml.<model>`` predictions are).

    ``hint`` names the namespace's series in an "unknown series" message (``"'ml.<model>'"``);
    ``known`` says what to write instead of an invalid member.
    """

    name: str
    hint: str
    known: str
    members: Collection[str] | None = None

    def check(self, series: str, where: str) -> None:
        """Raise ValueError naming ``where`` unless ``series`` is one of this namespace's."""
        member = series.partition(".")[2]
        if self.members is None:
            if not _MEMBER.fullmatch(member):
                raise ValueError(f"{where}: {series!r} is not a valid {self.name} series; "
                                 f"{self.known}")
        elif member not in self.members:
            raise ValueError(f"{where}: unknown {self.name} series {series!r}; {self.known}")


#: Model predictions: ``ml.<model>`` is the stored prediction of that model for the symbol on
#: each bar, NaN where there is none. Supplied by the caller (the services load them).
ML = Namespace(name="ml", hint="'ml.<model>'",
               known="name a model as 'ml.<model>' with lowercase letters, digits and '_' "
                     "(e.g. 'ml.momentum_lgbm')")


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


def rule_series(*rules: Rule | None) -> tuple[tuple[str, int], ...]:
    """Return the (series name, shift) pairs ``rules`` read, in first-use order (numbers
    and ``"$param"`` left out; a series read at two shifts appears twice)."""
    out: dict[tuple[str, int], None] = {}
    for rule in rules:
        if rule is None:
            continue
        for operand, _ in rule_operands(rule, ""):
            if isinstance(operand, SeriesRef):
                out[(operand.ref, operand.shift)] = None
            elif isinstance(operand, str) and not operand.startswith("$"):
                out[(operand, 0)] = None
    return tuple(out)


def ml_models(*rules: Rule | None) -> tuple[str, ...]:
    """Return the model names ``rules`` read as ``ml.<model>`` series, in first-use order:
    the predictions a caller must load and supply before evaluating them."""
    names = (name for name, _ in rule_series(*rules))
    return tuple(dict.fromkeys(n[3:] for n in names if n.startswith("ml.")))


def check_indicators(indicators: Mapping[str, IndicatorCall], *,
                     params: Mapping[str, Number],
                     namespaces: Iterable[Namespace] = ()) -> None:
    """Check indicator declarations: ids, catalogue names, parameter names and ``"$param"``
    references. Raise ValueError naming the field (for a pydantic validator to report)."""
    spaces = [ns.name for ns in namespaces]
    for ind_id, call in indicators.items():
        if not ind_id or ind_id in PRICE_FIELDS or "." in ind_id or ind_id in spaces:
            raise ValueError(f"indicators.{ind_id}: id must not be a price field, a series "
                             f"namespace {spaces} or hold '.'")
        try:
            param_names, _ = indicator_signature(call.fn)
        except BadRequest as exc:
            raise ValueError(f"indicators.{ind_id}.fn: {exc.message}") from None
        for key, val in call.params.items():
            if key not in param_names:
                raise ValueError(f"indicators.{ind_id}.params.{key}: {call.fn} has no such "
                                 f"parameter; parameters: {list(param_names)}")
            if isinstance(val, str):
                _check_param(val, f"indicators.{ind_id}.params.{key}", params)


def check_operands(rule: Rule, where: str, *, params: Mapping[str, Number],
                   indicators: Mapping[str, IndicatorCall],
                   namespaces: Iterable[Namespace] = ()) -> None:
    """Check every operand of ``rule`` (``where`` is its field path): parameter references,
    price fields, declared indicator outputs and series of ``namespaces``. Raise ValueError
    naming the operand's field (for a pydantic validator to report)."""
    spaces = {ns.name: ns for ns in namespaces}
    for operand, at in rule_operands(rule, where):
        _check_operand(operand, at, params, indicators, spaces)


def _check_param(val: str, where: str, params: Mapping[str, Number]) -> None:
    if not val.startswith("$") or val[1:] not in params:
        raise ValueError(f"{where}: {val!r} is not a parameter reference; use '$name' with "
                         f"name in params ({sorted(params)})")


def _check_operand(operand: Any, where: str, params: Mapping[str, Number],
                   indicators: Mapping[str, IndicatorCall],
                   spaces: Mapping[str, Namespace]) -> None:
    if isinstance(operand, (int, float)):
        return
    name = operand.ref if isinstance(operand, SeriesRef) else operand
    if name.startswith("$"):
        if isinstance(operand, SeriesRef):
            raise ValueError(f"{where}.ref: a parameter cannot be shifted")
        _check_param(name, where, params)
        return
    if name in PRICE_FIELDS:
        return
    head, _, output = name.partition(".")
    if head in spaces:
        spaces[head].check(name, where)
        return
    if head not in indicators:
        known = sorted((*PRICE_FIELDS, *indicators))
        hints = "".join(f", {ns.hint}" for ns in spaces.values())
        raise ValueError(f"{where}: unknown series {name!r}; known: {known}{hints}")
    _, outputs = indicator_signature(indicators[head].fn)
    if output and output not in outputs:
        raise ValueError(f"{where}: {head} ({indicators[head].fn}) has no output "
                         f"{output!r}; outputs: {list(outputs)}")
    if not output and len(outputs) > 1:
        raise ValueError(f"{where}: {head} ({indicators[head].fn}) has outputs "
                         f"{list(outputs)}; name one as '{head}.<output>'")


def describe_errors(exc: ValidationError, subject: str) -> str:
    """Return one message for a pydantic ValidationError of a rule set: ``"invalid
    <subject>: <field path>: <problem>; ..."``, the most specific error of each union, at
    most five."""
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
    return f"invalid {subject}: " + "; ".join(parts) + suffix


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
