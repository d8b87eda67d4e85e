"""Request models of the compute actions, shared by the service and the gateway."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: An NSE trading symbol as typed by a user: trimmed and upper-cased (``m&m`` -> ``M&M``).
Symbol = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                          min_length=1, max_length=32,
                                          pattern=r"^[A-Z0-9&\-_. ]+$")]


class SmaRequest(BaseModel):
    """Prices in, simple moving average out (NaN warm-up, as TA-Lib)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    prices: list[float] = Field(min_length=1, max_length=5_000_000)
    period: int = Field(default=20, ge=2, le=100_000)


class OhlcvRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    symbol: Symbol
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> OhlcvRequest:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class SymbolsRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    q: str | None = Field(default=None, max_length=64)
    index: str | None = Field(default=None, max_length=32)
    with_prices: bool = False
    limit: int = Field(default=100, ge=1, le=5000)
    offset: int = Field(default=0, ge=0)
