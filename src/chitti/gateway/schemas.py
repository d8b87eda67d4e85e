"""Response models of the gateway, for OpenAPI (request models live with their domain)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from chitti.compute.research_schemas import TrainResult
from chitti.compute.schemas import SweepReport, WalkForwardReport
from chitti.gateway.auth import MAX_KEY_DAYS, Role
from chitti.marketdata.adjust import Adjust
from chitti.schemas import REQUEST_CONFIG, request_config
from chitti.signals.schemas import AlertStreamFilter


class ComponentHealth(BaseModel):
    #: "warming": a service compiling its kernels after a start on a stale cache
    status: Literal["ok", "warming", "down"]
    latency_ms: float | None = None
    error: str | None = None
    detail: dict[str, Any] | None = None


class HealthReport(BaseModel):
    status: Literal["ok", "warming", "down"]
    version: str
    uptime_s: float
    db: ComponentHealth
    services: dict[str, ComponentHealth]


class SmaResult(BaseModel):
    period: int
    sma: list[float | None]


class AppliedAction(BaseModel):
    """A corporate action of the symbol and what the adjustment did with it."""

    ex_date: str
    kind: str
    purpose: str
    price_factor: float = Field(description="prices before ex_date were multiplied by this")
    volume_factor: float = Field(description="volumes before ex_date were multiplied by this")
    applied: bool
    note: str | None = Field(description="why the action was not applied")


class OhlcvResult(BaseModel):
    symbol: str
    interval: str = Field(description="bar length: 1d, or an intraday interval")
    adjust: Adjust = Field(description="the adjustment these prices carry")
    count: int
    ts: list[str]
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    volume: list[int]
    actions: list[AppliedAction] = Field(
        description="every corporate action of the symbol, applied or not")
    warnings: list[str] = Field(
        description="where the bars do not cover the requested range (late start, early "
                    "end, holes of over 10 days)")


class PriceGap(BaseModel):
    symbol: str
    ex_date: str
    prev_close: float
    close: float
    change_pct: float
    observed_ratio: float = Field(description="prev_close / close")
    proposed_ratio: float | None = Field(description="the NSE share ratio that would explain "
                                                     "the gap (null: none does)")
    proposal: str | None


class BadBar(BaseModel):
    where: str
    problem: str


class PriceCheck(BaseModel):
    adjust: Adjust
    checked: int
    gaps: list[PriceGap]
    bad_bars: list[BadBar]
    missing: list[str] = Field(description="symbols asked for that have no stored bars")


class SymbolInfo(BaseModel):
    symbol: str
    name: str
    isin: str | None
    sector: str | None
    indices: list[str]
    first_date: str | None
    last_date: str | None
    bar_count: int


class SymbolList(BaseModel):
    symbols: list[SymbolInfo]
    count: int = Field(description="symbols in this page")
    total: int = Field(description="symbols matching the query in all (page with offset)")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = Field(
        default=None, description="for invalid requests: each field, what is wrong with it")


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid request: the message names the field"},
    413: {"model": ErrorBody, "description": "The body is over CHITTI_MAX_BODY_BYTES"},
    503: {"model": ErrorBody, "description": "A service or the database is unavailable"},
    504: {"model": ErrorBody, "description": "A service did not answer in time"},
}


class StreamQuery(AlertStreamFilter):
    """The alert stream's filter, and the single-use ticket that may open it."""

    ticket: str | None = Field(default=None, max_length=200,
                               description="from POST /api/stream-ticket (browsers)")

    def alert_filter(self) -> AlertStreamFilter:
        return AlertStreamFilter(**self.model_dump(exclude={"ticket"}))


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not found: the message names what"}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The name is taken: choose another"}}


# -- auth ------------------------------------------------------------------------------

UserName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]
#: A name a user gives (a key, a watchlist): one line of text.
Label = Annotated[str, StringConstraints(min_length=1, max_length=100,
                                         pattern=r"^[^\x00-\x1f]+$")]


class TokenReply(BaseModel):
    """A login: the access token (also set as the HttpOnly ``chitti_access`` cookie) and the
    refresh token that gets the next one (also the ``chitti_refresh`` cookie)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="seconds the access token is valid")
    refresh_token: str = Field(description="single use: each refresh returns a new one")
    user: str
    role: Role


class RefreshBody(BaseModel):
    model_config = request_config(
        {"refresh_token": "the refresh_token of the last login or refresh"})
    refresh_token: str | None = Field(
        default=None, max_length=200,
        description="the last refresh token (browsers may rely on the cookie instead)")


class Me(BaseModel):
    id: int
    name: str
    role: Role
    via: Literal["token", "api_key", "single_user"]
    auth: Literal["on", "off"] = Field(description="off: single-user mode, no login")


class StreamTicket(BaseModel):
    ticket: str = Field(description="pass as ?ticket= to /api/alerts/stream or /api/ws once")
    expires_in: int


class UserInfo(BaseModel):
    id: int
    name: str
    role: Role
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None


class UserList(BaseModel):
    users: list[UserInfo]


class NewUser(BaseModel):
    model_config = request_config(
        {"name": "asha", "role": "trader", "password": "a long passphrase"})
    name: UserName
    role: Role = "viewer"
    password: str = Field(min_length=10, max_length=1024)


class UserChange(BaseModel):
    model_config = request_config({"disabled": True})
    role: Role | None = None
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=1024)


class ApiKeyInfo(BaseModel):
    id: str
    name: str
    role: Role
    user_name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyList(BaseModel):
    keys: list[ApiKeyInfo]


class NewApiKey(BaseModel):
    model_config = request_config(
        {"name": "nightly script", "user": "asha", "role": "viewer", "expires_days": 90})
    name: Label
    user: UserName | None = Field(default=None, description="whose key (default: yours)")
    role: Role | None = Field(default=None, description="at most the user's role "
                                                        "(default: the user's role)")
    expires_days: int | None = Field(default=None, ge=1, le=MAX_KEY_DAYS,
                                     description="null: the key does not expire")


class ApiKeyCreated(ApiKeyInfo):
    key: str = Field(description="the key itself: shown this once, stored only as a hash")


# -- watchlists --------------------------------------------------------------------------

WatchSymbol = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9&.\- ]{1,32}$")]


class Watchlist(BaseModel):
    id: int
    name: str
    position: int = Field(description="order among the owner's lists (0 first)")
    symbols: list[str] = Field(description="in the owner's order")
    owner: str
    created_at: datetime
    updated_at: datetime


class WatchlistList(BaseModel):
    watchlists: list[Watchlist]


class WatchlistBody(BaseModel):
    model_config = REQUEST_CONFIG
    name: Label
    symbols: list[WatchSymbol] = Field(default_factory=list, max_length=500,
                                       examples=[["TCS", "INFY", "HDFCBANK"]])
    position: int | None = Field(default=None, ge=0, le=10_000,
                                 description="null: after the user's other lists")


class WatchlistChange(BaseModel):
    model_config = request_config({"symbols": ["INFY", "TCS", "WIPRO"]})
    name: Label | None = None
    symbols: list[WatchSymbol] | None = Field(default=None, max_length=500)
    position: int | None = Field(default=None, ge=0, le=10_000)


# -- jobs ------------------------------------------------------------------------------

class JobInfo(BaseModel):
    """A long job: its state, and its result once done."""

    id: str = Field(description="the job id (a UUID)")
    kind: Literal["sweep", "walk_forward", "train"]
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(ge=0, le=1, description="how far it is (a sweep: 0 until it "
                                                    "finishes, then 1)")
    message: str | None = Field(default=None, description="what a running job is doing")
    owner: str
    attempts: int = Field(description="runs started (a job whose gateway died is re-run)")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: ErrorDetail | None = Field(description="why a failed job failed")
    result: SweepReport | WalkForwardReport | TrainResult | None = Field(
        default=None, description="the sweep's, walk-forward's or training's report, once "
                                  "done")


class JobList(BaseModel):
    jobs: list[JobInfo]
