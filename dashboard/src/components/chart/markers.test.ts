import { describe, expect, it } from "vitest";
import { toBarSet, type Ohlcv } from "./data";
import { CANDLE_GROUP } from "../../lib/alerts";
import { barOf, buildMarkers, chartAlerts, eventsByBar, type Alert, type Article } from "./markers";

function bars(ts: string[], interval = "1d") {
  const n = ts.length;
  const same = Array.from({ length: n }, () => 100);
  const r: Ohlcv = { symbol: "TCS", interval, adjust: "split", count: n, ts, open: same, high: same, low: same,
    close: same, volume: same, actions: [], warnings: [] };
  return toBarSet(r);
}

function alert(id: number, ts: string, direction: Alert["direction"] = "bullish"): Alert {
  return { id, created_at: ts, ts, symbol: "TCS", kind: "technical", rule: "rsi_oversold", direction,
    impact: 0.5, confidence: 0.5, explanation: `alert ${id}`, sources: {} } as Alert;
}

function story(id: number, published: string | null, sentiment: Article["sentiment"] = "positive"): Article {
  return { id, title: `story ${id}`, summary: "", link: null, publisher: "ET", publishers: ["ET"], duplicate_count: 0,
    published_at: published, fetched_at: "2021-05-01T00:00:00Z", sentiment, sentiment_score: null,
    sentiment_confidence: null, symbols: ["TCS"] };
}

// Thu 29 Apr, Fri 30 Apr, Mon 3 May 2021
const daily = bars(["2021-04-29", "2021-04-30", "2021-05-03"]);

describe("the bar of an event (IST day)", () => {
  it("puts a daily close (15:30 IST = 10:00 UTC) on its day", () => {
    expect(barOf(daily, "2021-04-30T10:00:00Z")).toBe(1);
  });

  it("uses the IST day, not the UTC one", () => {
    // 29 Apr 20:00 UTC is 30 Apr 01:30 IST
    expect(barOf(daily, "2021-04-29T20:00:00Z")).toBe(1);
    // 30 Apr 18:00 UTC is 30 Apr 23:30 IST: after the close, still that day
    expect(barOf(daily, "2021-04-30T18:00:00Z")).toBe(1);
  });

  it("moves weekend news to the next session, and drops events outside the bars", () => {
    expect(barOf(daily, "2021-05-01T06:00:00Z")).toBe(2); // Saturday → Monday
    expect(barOf(daily, "2021-04-01T06:00:00Z")).toBeNull(); // long before the first bar
    expect(barOf(daily, "2024-08-02T10:35:00Z")).toBeNull(); // after the last bar
  });

  const intraday = bars([
    "2024-06-27T15:25:00+05:30",
    "2024-06-28T09:15:00+05:30", "2024-06-28T09:20:00+05:30", "2024-06-28T15:25:00+05:30",
  ], "5m");

  it("puts an intraday event in the bar it happened in", () => {
    expect(barOf(intraday, "2024-06-28T03:45:00Z")).toBe(1); // 09:15 IST, the bar's opening instant
    expect(barOf(intraday, "2024-06-28T03:52:00Z")).toBe(2); // 09:22 IST
  });

  it("puts pre-open news on the day's first bar and after-close news on its last", () => {
    expect(barOf(intraday, "2024-06-28T02:00:00Z")).toBe(1); // 07:30 IST
    expect(barOf(intraday, "2024-06-28T12:00:00Z")).toBe(3); // 17:30 IST
  });
});

describe("markers", () => {
  const events = eventsByBar(daily, [
    alert(1, "2021-04-30T10:00:00Z", "bullish"),
    alert(2, "2021-04-30T10:00:00Z", "bullish"),
    alert(3, "2021-04-29T10:00:00Z", "bearish"),
    alert(4, "2021-05-03T10:00:00Z", "neutral"),
    alert(5, "2030-01-01T10:00:00Z"),
  ], [
    story(10, "2021-05-01T06:00:00Z", "negative"),
    story(11, "2021-05-02T06:00:00Z", "negative"),
    story(12, "2021-05-03T06:00:00Z", "positive"),
    story(13, null),
  ]);

  it("groups events by bar and leaves out the unplaceable", () => {
    expect([...events.keys()].sort()).toEqual([0, 1, 2]);
    expect(events.get(1)!.alerts.map((a) => a.id)).toEqual([1, 2]);
    expect(events.get(2)!.news.map((a) => a.id)).toEqual([10, 11, 12]);
  });

  it("draws arrows by direction, a square for neutral and a circle for news by prevailing sentiment", () => {
    const colours = { up: "green", down: "red", neutral: "grey" };
    const markers = buildMarkers(daily.times, events, colours, 2);
    expect(markers).toEqual([
      { id: "alert-down-0", time: "2021-04-29", position: "aboveBar", shape: "arrowDown", color: "red", text: undefined, size: 1 },
      { id: "alert-up-1", time: "2021-04-30", position: "belowBar", shape: "arrowUp", color: "green", text: "2", size: 2 },
      { id: "alert-neutral-2", time: "2021-05-03", position: "aboveBar", shape: "square", color: "grey", text: undefined, size: 1 },
      { id: "news-2", time: "2021-05-03", position: "aboveBar", shape: "circle", color: "red", text: "3" },
    ]);
  });
});

describe("the alerts marked on a chart: stored and live", () => {
  const tcs = (id: number, ts = "2024-06-28T04:00:00Z", rule = "rsi_oversold") => ({ ...alert(id, ts), rule });
  const infy = (id: number) => ({ ...alert(id, "2024-06-28T04:00:00Z"), symbol: "INFY" });
  const none = new Set<string>();
  const ids = (list: Alert[]) => list.map((a) => a.id);

  it("adds this symbol's live alerts to the stored ones, once each, newest first", () => {
    const list = chartAlerts({
      symbol: "TCS", stored: [tcs(3), tcs(1)], live: [infy(6), tcs(5), tcs(3)], muted: none, focusId: null, since: null,
    });
    expect(ids(list)).toEqual([5, 3, 1]);
  });

  it("puts a new live alert on its bar", () => {
    const intraday = bars(["2024-06-28T09:15:00+05:30", "2024-06-28T09:20:00+05:30"], "5m");
    const list = chartAlerts({ symbol: "TCS", stored: [], live: [tcs(7, "2024-06-28T03:52:00Z")], muted: none, focusId: null, since: null });
    expect(eventsByBar(intraday, list, []).get(1)!.alerts.map((a) => a.id)).toEqual([7]);
  });

  it("leaves out muted rules, stored or live, but not the alert being looked at", () => {
    const muted = new Set([CANDLE_GROUP, "macd_cross"]);
    const stored = [tcs(1, undefined, "candle_doji"), tcs(2, undefined, "macd_cross"), tcs(3)];
    const live = [tcs(4, undefined, "candle_hammer"), tcs(5, undefined, "rsi_overbought")];
    expect(ids(chartAlerts({ symbol: "TCS", stored, live, muted, focusId: null, since: null }))).toEqual([5, 3]);
    expect(ids(chartAlerts({ symbol: "TCS", stored, live, muted, focusId: 4, since: null }))).toEqual([5, 4, 3]);
  });

  it("takes live alerts only from the IST day the stored ones start at", () => {
    const live = [tcs(8, "2024-06-27T18:00:00Z"), tcs(9, "2024-06-27T17:00:00Z")]; // 23:30 IST 27th; 22:30 IST 27th
    expect(ids(chartAlerts({ symbol: "TCS", stored: [], live, muted: none, focusId: null, since: "2024-06-27" }))).toEqual([9, 8]);
    expect(ids(chartAlerts({ symbol: "TCS", stored: [], live: [tcs(10, "2024-06-27T19:00:00Z")], muted: none, focusId: null, since: "2024-06-28" })))
      .toEqual([10]); // 00:30 IST on the 28th
    expect(ids(chartAlerts({ symbol: "TCS", stored: [], live, muted: none, focusId: null, since: "2024-06-28" }))).toEqual([]);
  });

  it("adds the alert being looked at when neither list has it, if it is about this symbol", () => {
    expect(ids(chartAlerts({ symbol: "TCS", stored: [tcs(1)], live: [], muted: none, focusId: 42, focus: tcs(42), since: null }))).toEqual([42, 1]);
    expect(ids(chartAlerts({ symbol: "TCS", stored: [tcs(1)], live: [], muted: none, focusId: 43, focus: infy(43), since: null })))
      .toEqual([1]);
  });
});
