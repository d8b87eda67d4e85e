"""SQL of the compute service beyond market data: bars as the actions read them, stored
backtests (``signals.backtests``), and the ML registry, features and predictions (``ml``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from chitti.errors import BadRequest, NotFound
from chitti.marketdata import store as md_store
from chitti.marketdata.adjust import Adjust
from chitti.marketdata.series import Bars


async def read_bars(conn: AsyncConnection[Any], symbols: list[str], start: Any, end: Any,
                    adjust: Adjust, *, interval: str = "1d", require: bool = True
                    ) -> dict[str, Bars]:
    """Bars of ``symbols`` in the range, warmed up on every earlier bar (indicators then
    equal a chart of the whole history); NotFound for an unknown symbol, and, with
    ``require``, for one without bars in the range."""
    bars = await md_store.fetch_bars(conn, symbols, start, end, adjust=adjust,
                                     warmup=None, interval=interval)
    for symbol in symbols:
        if symbol in bars:
            continue
        if not await md_store.symbol_exists(conn, symbol):
            raise NotFound(f"unknown symbol {symbol!r}; see GET /api/market/symbols")
        if require:
            raise NotFound(f"{symbol} has no bars between {start} and {end}")
    return bars


async def save_backtest(
    conn: AsyncConnection[Any], *, strategy: str, spec: dict[str, Any], params: dict[str, Any],
    symbols: list[str], start: date | None, end: date | None, result: dict[str, Any],
    owner: str | None, run: dict[str, Any],
) -> int:
    """Store a backtest (spec, parameters, range, metrics, equity, trades, and ``run``: its
    adjustment, bar length and warnings) for ``owner``; return its id."""
    cur = await conn.execute(
        "INSERT INTO signals.backtests (strategy, spec, params, symbols, start_date, end_date,"
        " metrics, equity, trades, owner) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " RETURNING id",
        (strategy, Jsonb(spec), Jsonb(params), symbols, start, end,
         Jsonb({"metrics": result["metrics"], "config": result["config"],
                "cost_schedule": result.get("cost_schedule", []), **run}),
         Jsonb(result.get("equity_curve", {})), Jsonb(result["trades"]), owner))
    row = await cur.fetchone()
    assert row is not None
    return int(row["id"])


async def get_backtest(conn: AsyncConnection[Any], backtest_id: int,
                       owner: str | None) -> dict[str, Any]:
    """One stored backtest of ``owner`` (None: anyone's); NotFound otherwise."""
    cur = await conn.execute(
        "SELECT id, created_at, strategy, spec, params, symbols, start_date, end_date, metrics,"
        " equity, trades, owner FROM signals.backtests WHERE id = %(id)s"
        " AND (%(owner)s::text IS NULL OR owner = %(owner)s OR owner IS NULL)",
        {"id": backtest_id, "owner": owner})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no backtest with id {backtest_id}")
    out = dict(row)
    stored = out.pop("metrics")
    out["metrics"], out["config"] = stored["metrics"], stored["config"]
    out["cost_schedule"] = stored.get("cost_schedule", [])
    out["equity_curve"] = out.pop("equity")
    for key, default in RUN_DEFAULTS.items():
        out[key] = stored.get(key, default)
    return out


#: What a stored backtest says of its run (rows stored before it was kept: unknown).
RUN_DEFAULTS: dict[str, Any] = {"adjust": None, "interval": None, "warnings": []}


async def list_backtests(conn: AsyncConnection[Any], owner: str | None, limit: int,
                         before_id: int | None) -> list[dict[str, Any]]:
    """``owner``'s stored backtests (None: everyone's), newest first, without curves."""
    cur = await conn.execute(
        "SELECT id, created_at, strategy, symbols, start_date, end_date, owner,"
        " metrics->'metrics' AS metrics, metrics->>'adjust' AS adjust,"
        " metrics->>'interval' AS interval FROM signals.backtests"
        " WHERE (%(owner)s::text IS NULL OR owner = %(owner)s OR owner IS NULL)"
        " AND (%(before)s::bigint IS NULL OR id < %(before)s) ORDER BY id DESC LIMIT %(limit)s",
        {"owner": owner, "before": before_id, "limit": limit})
    return [dict(row) for row in await cur.fetchall()]


# --- machine learning: the model registry, stored features, predictions ------------------

#: Columns of a registered model that listings show (the artefact is read only to serve).
_MODEL_COLUMNS = ("id, name, version, kind, target, horizon_days, features, symbols,"
                  " data_start, data_end, params, metrics, owner, created_at")


async def save_model(conn: AsyncConnection[Any], *, name: str, kind: str, target: str,
                     horizon_days: int, features: list[str], symbols: list[str],
                     data_start: date, data_end: date, params: dict[str, Any],
                     metrics: dict[str, Any], artefact: bytes, owner: str | None
                     ) -> dict[str, Any]:
    """Register a trained model as the next version of ``name`` (1, 2, ...); return its row.

    Versions of one name are numbered under a transaction-scoped advisory lock, so two
    trainings finishing together get consecutive versions instead of a unique violation.
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ml.models:' || %s))",
                           (name,))
        cur = await conn.execute(
            "INSERT INTO ml.models (name, version, kind, target, horizon_days, features,"  # noqa: S608
            " symbols, data_start, data_end, params, metrics, artifact, owner)"
            " SELECT %(name)s, (coalesce(max(version::int), 0) + 1)::text, %(kind)s,"
            " %(target)s, %(horizon)s, %(features)s, %(symbols)s, %(start)s, %(end)s,"
            " %(params)s, %(metrics)s, %(artefact)s, %(owner)s"
            " FROM ml.models WHERE name = %(name)s"
            f" RETURNING {_MODEL_COLUMNS}",
            {"name": name, "kind": kind, "target": target, "horizon": horizon_days,
             "features": features, "symbols": symbols, "start": data_start, "end": data_end,
             "params": Jsonb(params), "metrics": Jsonb(metrics), "artefact": artefact,
             "owner": owner})
        row = await cur.fetchone()
    assert row is not None
    return dict(row)


async def list_models(conn: AsyncConnection[Any], name: str | None = None
                      ) -> list[dict[str, Any]]:
    """Registered models (every version), newest first; without artefacts."""
    cur = await conn.execute(
        f"SELECT {_MODEL_COLUMNS} FROM ml.models"  # noqa: S608 (constant columns)
        " WHERE %(name)s::text IS NULL OR name = %(name)s ORDER BY name, version::int DESC",
        {"name": name})
    return [dict(row) for row in await cur.fetchall()]


async def load_model(conn: AsyncConnection[Any], name: str,
                     version: str | None = None) -> dict[str, Any]:
    """A registered model with its artefact: ``version``, or the newest. A model that is not
    there is a bad ``model`` field of the request (400) naming the models there are."""
    cur = await conn.execute(
        f"SELECT {_MODEL_COLUMNS}, artifact FROM ml.models"  # noqa: S608 (constant columns)
        " WHERE name = %(name)s AND (%(version)s::text IS NULL OR version = %(version)s)"
        " ORDER BY version::int DESC LIMIT 1", {"name": name, "version": version})
    row = await cur.fetchone()
    if row is None:
        cur = await conn.execute("SELECT DISTINCT name FROM ml.models ORDER BY name")
        known = [r["name"] for r in await cur.fetchall()]
        what = f"model {name!r}" + (f" version {version}" if version else "")
        raise BadRequest(f"model: no {what}; registered models: {', '.join(known) or 'none'} "
                         "(train one with `chitti ml train` or POST /api/ml/train)")
    return dict(row)


async def save_predictions(conn: AsyncConnection[Any], model_id: int, horizon_days: int,
                           rows: list[tuple[str, date, float]]) -> int:
    """Upsert (symbol, day, score) predictions of a model; return how many were written."""
    if not rows:
        return 0
    async with conn.transaction():
        await conn.execute("CREATE TEMP TABLE predictions_stage (symbol text, ts date,"
                           " value double precision) ON COMMIT DROP")
        async with conn.cursor().copy(
                "COPY predictions_stage (symbol, ts, value) FROM STDIN") as copy:
            for row in rows:
                await copy.write_row(row)
        await conn.execute(
            "INSERT INTO ml.predictions (model_id, symbol, ts, horizon_days, value)"
            " SELECT %s, symbol, ts, %s, value FROM predictions_stage"
            " ON CONFLICT (model_id, symbol, ts, horizon_days)"
            " DO UPDATE SET value = EXCLUDED.value, created_at = now()",
            (model_id, horizon_days))
    return len(rows)


async def read_predictions(conn: AsyncConnection[Any], names: list[str], symbol: str,
                           start: date | None = None) -> dict[str, list[tuple[date, float]]]:
    """The stored predictions of the newest version of each model in ``names`` for
    ``symbol`` (days from ``start``), oldest first: the ``ml.<name>`` series of rules."""
    cur = await conn.execute(
        """
        SELECT m.name, p.ts, p.value FROM (
            SELECT DISTINCT ON (name) id, name FROM ml.models WHERE name = ANY(%(names)s)
            ORDER BY name, version::int DESC) m
        JOIN ml.predictions p ON p.model_id = m.id
        WHERE p.symbol = %(symbol)s AND (%(start)s::date IS NULL OR p.ts >= %(start)s)
        ORDER BY m.name, p.ts
        """, {"names": names, "symbol": symbol, "start": start})
    out: dict[str, list[tuple[date, float]]] = {name: [] for name in names}
    for row in await cur.fetchall():
        out[row["name"]].append((row["ts"], float(row["value"])))
    return out


async def save_feature_panel(conn: AsyncConnection[Any], feature_set: str,
                             names: list[str],
                             rows: list[tuple[str, date, list[float]]]) -> int:
    """Store a feature panel under ``feature_set``: the names once, then one row per
    (symbol, day) with the values in that order. Storing a set again replaces the rows of
    the same (symbol, day) and refuses a different feature list (name a new set instead)."""
    async with conn.transaction():
        cur = await conn.execute(
            "INSERT INTO ml.feature_sets (name, features) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET updated_at = now() RETURNING features",
            (feature_set, names))
        row = await cur.fetchone()
        assert row is not None
        if list(row["features"]) != names:
            raise BadRequest(f"feature_set: {feature_set!r} holds {len(row['features'])} other "
                             "features; store these under a new name")
        await conn.execute("CREATE TEMP TABLE features_stage (symbol text, ts date,"
                           " vals double precision[]) ON COMMIT DROP")
        async with conn.cursor().copy("COPY features_stage (symbol, ts, vals) FROM STDIN"
                                      ) as copy:
            for item in rows:
                await copy.write_row(item)
        await conn.execute(
            "INSERT INTO ml.features (feature_set, symbol, ts, vals)"
            " SELECT %s, symbol, ts, vals FROM features_stage"
            " ON CONFLICT (feature_set, symbol, ts) DO UPDATE SET vals = EXCLUDED.vals",
            (feature_set,))
    return len(rows)


async def read_feature_panel(conn: AsyncConnection[Any], feature_set: str,
                             symbols: list[str], start: date | None, end: date | None
                             ) -> tuple[list[str], list[dict[str, Any]]]:
    """A stored feature set: its feature names and rows (symbol, ts, vals) in the range."""
    cur = await conn.execute("SELECT features FROM ml.feature_sets WHERE name = %s",
                             (feature_set,))
    found = await cur.fetchone()
    if found is None:
        raise NotFound(f"no stored feature set {feature_set!r}; store one with "
                       "POST /api/features and \"store_as\"")
    cur = await conn.execute(
        "SELECT symbol, ts, vals FROM ml.features WHERE feature_set = %(set)s"
        " AND symbol = ANY(%(symbols)s) AND ts >= coalesce(%(start)s::date, '-infinity')"
        " AND ts <= coalesce(%(end)s::date, 'infinity') ORDER BY symbol, ts",
        {"set": feature_set, "symbols": symbols, "start": start, "end": end})
    return list(found["features"]), [dict(row) for row in await cur.fetchall()]


async def news_items(conn: AsyncConnection[Any], symbols: list[str], start: date | None,
                     end: date | None) -> list[dict[str, Any]]:
    """Each stored article about one of ``symbols`` published in [start, end + 1 day):
    its time, the company's sentiment score and direction, and its story (articles of one
    story share ``story``): the raw material of news features."""
    cur = await conn.execute(
        """
        SELECT coalesce(a.published_at, a.fetched_at) AS published_at, d.symbol,
               d.score, d.direction, coalesce(a.story_key, a.link_hash) AS story
        FROM news.sentiments d JOIN news.articles a ON a.id = d.article_id
        WHERE d.symbol = ANY(%(symbols)s)
          AND coalesce(a.published_at, a.fetched_at) >= coalesce(%(start)s::date, '-infinity')
          AND coalesce(a.published_at, a.fetched_at) < coalesce(%(end)s::date + 1, 'infinity')
        ORDER BY 1
        """, {"symbols": symbols, "start": start, "end": end})
    return [dict(row) for row in await cur.fetchall()]


async def symbol_sectors(conn: AsyncConnection[Any], symbols: list[str]) -> dict[str, str]:
    """The sector of each of ``symbols`` that ``md.symbols`` knows (sector caps, features)."""
    cur = await conn.execute("SELECT symbol, sector FROM md.symbols WHERE symbol = ANY(%s)"
                             " AND sector IS NOT NULL", (symbols,))
    return {row["symbol"]: row["sector"] for row in await cur.fetchall()}
