"""Serve the built dashboard (``dashboard/dist``) at ``/``, or say how to build it.

The dashboard is a single-page app: ``/chart/RELIANCE?range=1Y`` is a route of the page, not
a file, so any path that is neither a file nor under ``/api`` gets ``index.html``. Hashed
assets are cached for a year; ``index.html`` never is, so a rebuilt dashboard is picked up
on the next load.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope

from chitti.config import DASHBOARD_DIR

#: Paths that are never page routes: an unknown one stays a 404 instead of the page.
NOT_PAGES = ("api/", "docs", "redoc", "openapi.json", "health", "metrics", "assets/")

NOT_BUILT = (
    "<!doctype html><meta charset='utf-8'><title>Trading-Chitti</title>"
    "<h1>Trading-Chitti</h1><p>The API is running, but the dashboard is not built.</p>"
    "<p>It needs Node.js 20 and npm: install them (Debian: <code>apt-get install nodejs "
    "npm</code>), then run <code>make dashboard</code> (or <code>make run</code>, which "
    "builds it when npm is present) and reload this page.</p>"
    "<p>Meanwhile: the API documentation at <a href='/docs'>/docs</a>, "
    "<a href='/health'>/health</a>, and the <a href='/api/market/symbols?with_prices=true'>"
    "symbols with prices</a>.</p>")


class DashboardFiles(StaticFiles):
    """Static files with the single-page fallback and cache headers described above; while
    there is no build, pages say how to make one (checked per request, so a build made
    while the gateway runs is served at once)."""

    async def check_config(self) -> None:
        if Path(str(self.directory)).is_dir():  # a missing build is a page, not an error
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not (Path(str(self.directory)) / "index.html").exists():
            if _not_a_page(path):
                raise HTTPException(404)
            return HTMLResponse(NOT_BUILT, headers={"Cache-Control": "no-cache"})
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or _not_a_page(path):
                raise
            response = await super().get_response("index.html", scope)
        if path.startswith("assets/") and response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers.setdefault("Cache-Control", "no-cache")
        return response


def _not_a_page(path: str) -> bool:
    return path.startswith(NOT_PAGES) or "." in Path(path).name


def mount_dashboard(app: FastAPI, directory: Path = DASHBOARD_DIR) -> None:
    """Serve the build in ``directory`` at ``/`` (see :class:`DashboardFiles`)."""
    app.mount("/", DashboardFiles(directory=directory, html=True, check_dir=False),
              name="dashboard")
