"""News through the running system: ingest → stored articles with sentiment and symbols →
news alerts on the live stream within a second; NLP endpoints; feeds."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from tests.e2e.harness import System
from tests.e2e.test_alert_stream import sse
from tests.feed_server import FIXTURES, serve_feeds

from chitti.news.pipeline import MODEL_NAME

GOOGLE = (FIXTURES / "googlenews_in_markets.xml").read_text()
TIMEOUT_S = 120


def test_bullish_headline_becomes_an_alert_on_the_stream_within_a_second(
    system: System,
) -> None:
    with sse(system, "?symbol=HDFCBANK") as reader:
        ingest = system.http.post("/api/news/ingest", timeout=TIMEOUT_S,
                            json={"xml": GOOGLE, "source": "googlenews_in_markets.xml"})
        finished = time.monotonic()
        assert ingest.status_code == 200, ingest.text
        assert len(ingest.json()["new_article_ids"]) == 8
        _, alert = reader.next(timeout=1.0)
        assert time.monotonic() - finished < 1.0
    assert alert["symbol"] == "HDFCBANK" and alert["direction"] == "bullish"
    assert alert["kind"] == "news" and alert["rule"] == "news_results"
    assert alert["explanation"].startswith("HDFCBANK: bullish \u2014 HDFC Bank Q1 results")
    assert alert["sources"]["articles"] == ingest.json()["new_article_ids"][1:2]


def test_ingesting_again_adds_nothing_and_raises_no_alert(system: System) -> None:
    before = system.http.get("/api/alerts", params={"kind": "news"}).json()["count"]
    again = system.http.post("/api/news/ingest", json={"xml": GOOGLE}, timeout=TIMEOUT_S)
    assert again.json()["new_article_ids"] == []
    time.sleep(0.5)
    assert system.http.get("/api/alerts", params={"kind": "news"}).json()["count"] == before


def test_news_is_served_with_sentiment_and_symbols(system: System) -> None:
    articles = system.http.get("/api/news", params={"symbol": "hdfcbank"}).json()
    (hdfc,) = articles["articles"]
    assert hdfc["sentiment"] == "positive" and "HDFCBANK" in hdfc["symbols"]
    negative = system.http.get("/api/news", params={"q": "Tata Motors"}).json()
    assert {"TATASTEEL"} <= set(negative["articles"][0]["symbols"])
    reliance = system.http.get("/api/news", params={"q": "Jio tariff"}).json()
    assert reliance["articles"][0]["duplicate_count"] == 2


def test_nlp_endpoints(system: System) -> None:
    reply = system.http.post("/api/nlp/sentiment", json={
        "texts": ["Infosys Q2 profit jumps 20%, beats estimates",
                  "SEBI penalises the promoter for fraud; shares crash"],
        "targets": ["Infosys", "SEBI"]}).json()
    assert reply["model"] == MODEL_NAME  # the name stored with sentiment rows
    moods = reply["results"]
    assert [m["label"] for m in moods] == ["positive", "negative"]
    assert moods[0]["direction"]["label"] == "bullish"
    found = system.http.post("/api/nlp/entities", json={
        "text": "Airtel and RIL lift Sensex; HUL slips"}).json()["entities"]
    assert {e["symbol"] for e in found if e["kind"] == "company"} == {
        "BHARTIARTL", "RELIANCE", "HINDUNILVR"}


@pytest.mark.parametrize(("path", "body", "fragment"), [
    ("/api/nlp/sentiment", {"texts": []}, "texts"),
    ("/api/nlp/sentiment", {"texts": ["a", "b"], "targets": ["x"]}, "one target per text"),
    ("/api/news/ingest", {"xml": "<html>not a feed</html>"}, "feed"),
    ("/api/news/ingest", {"url": "ftp://example.com/x"}, "url"),
    ("/api/news/feeds", {"url": "not a url"}, "url"),
    ("/api/news/feeds", {"url": "https://%%%/feed"}, "no valid host name"),
    ("/api/news/feeds", {"url": "http://exa mple.com/rss"}, "url"),
    ("/api/news/feeds", {"url": "https://example.com:99999/rss"}, "invalid port"),
])
def test_bad_news_requests_are_400(system: System, path: str, body: dict[str, object],
                                   fragment: str) -> None:
    reply = system.http.post(path, json=body, timeout=TIMEOUT_S)
    assert reply.status_code == 400, reply.text
    assert fragment in reply.json()["error"]["message"]


def test_feeds_can_be_added_and_listed(system: System) -> None:
    added = system.http.post("/api/news/feeds", json={
        "url": "https://example.com/markets.rss", "poll_interval_s": 600})
    assert added.status_code == 201
    feeds = system.http.get("/api/news/feeds").json()["feeds"]
    urls = [f["url"] for f in feeds]
    assert "https://example.com/markets.rss" in urls
    assert sum(u.startswith("https://news.google.com/rss/search") for u in urls) == 4


def test_a_feed_can_be_disabled_enabled_and_deleted(system: System) -> None:
    feed = system.http.post("/api/news/feeds", json={
        "url": "https://example.com/to-delete.rss"}).json()["feed"]
    url = f"/api/news/feeds/{feed['id']}"
    assert system.http.patch(url, json={"enabled": False}).json()["feed"]["enabled"] is False
    listed = {f["id"]: f for f in system.http.get("/api/news/feeds").json()["feeds"]}
    assert listed[feed["id"]]["enabled"] is False
    changed = system.http.patch(url, json={"enabled": True, "poll_interval_s": 900}).json()
    assert changed["feed"]["enabled"] and changed["feed"]["poll_interval_s"] == 900
    assert system.http.delete(url).status_code == 204
    assert feed["id"] not in {f["id"] for f in system.http.get("/api/news/feeds").json()["feeds"]}
    assert system.http.delete(url).status_code == 404
    assert system.http.patch(url, json={"enabled": False}).status_code == 404


def test_the_feed_list_shows_each_feeds_last_poll_and_its_articles(system: System) -> None:
    with serve_feeds() as server:
        ids = {name: system.http.post("/api/news/feeds", json={
            "url": server.url(path), "poll_interval_s": 3600}).json()["feed"]["id"]
            for name, path in (("atom", "/feed/atom_markets.xml"), ("broken", "/status/404"))}
        started = datetime.now(UTC)
        reports = {name: system.http.post("/api/news/ingest", json={"feed_id": feed_id},
                                          timeout=TIMEOUT_S).json()["feeds"][0]
                   for name, feed_id in ids.items()}
        polled = datetime.now(UTC)
        listed = {f["id"]: f for f in system.http.get("/api/news/feeds").json()["feeds"]}
        again = system.http.post("/api/news/ingest", json={"feed_id": ids["atom"]},
                                 timeout=TIMEOUT_S).json()["feeds"][0]
    atom, broken = listed[ids["atom"]], listed[ids["broken"]]
    assert reports["atom"]["status"] == "ok" and reports["atom"]["new_article_ids"]
    assert (atom["last_status"], atom["last_error"], atom["failure_count"]) == ("ok", None, 0)
    assert atom["article_count"] == len(reports["atom"]["new_article_ids"])
    assert reports["broken"]["status"] == "error"
    assert (broken["last_status"], broken["failure_count"], broken["article_count"]) == (
        "error", 1, 0)
    assert broken["last_error"] == reports["broken"]["error"] == "HTTP 404"
    for feed in (atom, broken):
        assert started <= datetime.fromisoformat(feed["last_fetched_at"]) <= polled
    # polled again: nothing new (HTTP 304), the count stays
    assert again["status"] == "not_modified"
    now = {f["id"]: f for f in system.http.get("/api/news/feeds").json()["feeds"]}[ids["atom"]]
    assert (now["last_status"], now["last_error"], now["article_count"]) == (
        "not_modified", None, atom["article_count"])
    assert datetime.fromisoformat(now["last_fetched_at"]) > polled
