"""The gateway serves the dashboard build: files as files, page routes as index.html, API
paths never as the page, immutable caching only for hashed assets; without a build, a page
that says how to get one."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chitti.gateway.dashboard import mount_dashboard

INDEX = "<!doctype html><div id=root></div>"


@pytest.fixture
def built(tmp_path: Path) -> TestClient:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    app = FastAPI()

    @app.get("/api/known")
    async def known() -> dict[str, int]:
        return {"ok": 1}

    mount_dashboard(app, tmp_path)
    return TestClient(app)


@pytest.mark.parametrize("path", ["/", "/chart/RELIANCE", "/chart/M%26M?range=5Y&ov=sma:20",
                                  "/backtest/12", "/system"])
def test_page_routes_get_the_page(built: TestClient, path: str) -> None:
    reply = built.get(path)
    assert reply.status_code == 200
    assert reply.text == INDEX
    assert reply.headers["cache-control"] == "no-cache"


def test_files_are_files_and_hashed_assets_are_immutable(built: TestClient) -> None:
    asset = built.get("/assets/index-abc123.js")
    assert asset.text == "console.log(1)"
    assert "immutable" in asset.headers["cache-control"]
    assert built.get("/favicon.svg").text == "<svg/>"


@pytest.mark.parametrize("path", ["/api/unknown", "/api/market/x/y", "/assets/gone.js",
                                  "/robots.txt", "/docs/missing", "/health/x"])
def test_unknown_files_and_api_paths_stay_404(built: TestClient, path: str) -> None:
    assert built.get(path).status_code == 404


def test_api_routes_are_not_shadowed(built: TestClient) -> None:
    assert built.get("/api/known").json() == {"ok": 1}


def test_without_a_build_pages_say_how_to_get_one_until_it_is_built(tmp_path: Path) -> None:
    app = FastAPI()
    dist = tmp_path / "dist"
    mount_dashboard(app, dist)
    client = TestClient(app)
    for path in ("/", "/chart/TCS"):
        reply = client.get(path)
        assert reply.status_code == 200
        assert "make dashboard" in reply.text and "Node.js" in reply.text
    assert client.get("/api/unknown").status_code == 404
    # a build made while the gateway runs is served without a restart
    dist.mkdir()
    (dist / "index.html").write_text(INDEX)
    assert client.get("/chart/TCS").text == INDEX
