/**
 * The chart page wired together in jsdom (the canvas mocked): markers and the keyboard list of
 * the bars in view come from the stored alerts plus the live stream, and feed links are checked.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { AlertsProvider, type Alert } from "../../lib/alerts";
import { json, renderPage } from "../../testing";
import Chart from "../../pages/Chart";

const markers = vi.hoisted(() => ({ last: [] as { id: string; text?: string }[] }));

// jsdom has no canvas: a chart that takes data and keeps the markers for the assertions
vi.mock("lightweight-charts", () => {
  let logical = { from: 0, to: 4 };
  const listeners: ((r: { from: number; to: number }) => void)[] = [];
  const timeScale = {
    getVisibleRange: () => null, setVisibleRange: () => {}, getVisibleLogicalRange: () => logical,
    setVisibleLogicalRange: (r: { from: number; to: number }) => { logical = r; listeners.forEach((l) => l(r)); },
    subscribeVisibleLogicalRangeChange: (l: (r: { from: number; to: number }) => void) => listeners.push(l),
    unsubscribeVisibleLogicalRangeChange: () => {},
  };
  const series = () => ({ setData: () => {}, applyOptions: () => {}, priceScale: () => ({ applyOptions: () => {} }) });
  return {
    ColorType: { Solid: "solid" }, CrosshairMode: { Normal: 0 }, TickMarkType: {},
    CandlestickSeries: "Candlestick", HistogramSeries: "Histogram", LineSeries: "Line",
    createSeriesMarkers: () => ({ setMarkers: (m: { id: string }[]) => { markers.last = m; } }),
    createChart: () => ({
      addSeries: series, removeSeries: () => {}, applyOptions: () => {}, timeScale: () => timeScale, remove: () => {},
      panes: () => [{ setStretchFactor: () => {}, getSeries: () => [], getHeight: () => 430 }],
      subscribeCrosshairMove: () => {}, unsubscribeCrosshairMove: () => {}, subscribeClick: () => {}, unsubscribeClick: () => {},
    }),
  };
});

const DAYS = ["2021-04-26", "2021-04-27", "2021-04-28", "2021-04-29", "2021-04-30"];

function alert(id: number, day: string, over: Partial<Alert> = {}): Alert {
  return {
    id, created_at: `${day}T10:00:00Z`, ts: `${day}T10:00:00Z`, symbol: "TCS", kind: "technical", rule: "rsi_oversold",
    direction: "bullish", impact: 0.5, confidence: 0.5, explanation: `alert number ${id}`, sources: {}, ...over,
  } as Alert;
}

/** The gateway; `push` sends an alert down the live stream. */
function gateway(stored: Alert[]) {
  let stream: ReadableStreamDefaultController<Uint8Array> | null = null;
  vi.stubGlobal("fetch", vi.fn(async (url: string) => {
    if (url === "/api/auth/me") return json({ id: 1, name: "asha", role: "viewer", via: "token", auth: "on" });
    if (url.startsWith("/api/alerts/stream")) {
      return new Response(new ReadableStream<Uint8Array>({ start(c) { stream = c; } }), { status: 200 });
    }
    if (url.startsWith("/api/alerts?")) {
      const mine = url.includes("symbol=TCS") ? stored : [];
      return json({ alerts: mine, count: mine.length, next_before_id: null });
    }
    if (url.startsWith("/api/market/TCS/ohlcv")) {
      const n = DAYS.length;
      const v = (x: number) => DAYS.map((_, i) => x + i);
      return json({ symbol: "TCS", interval: "1d", adjust: "split", count: n, ts: DAYS, open: v(100), high: v(110),
        low: v(90), close: v(105), volume: v(1000), actions: [], warnings: [] });
    }
    if (url.startsWith("/api/news")) {
      return json({ articles: [{
        id: 50, title: "A story with a script link", summary: "", link: "javascript:alert(1)", publisher: "ET",
        publishers: ["ET"], duplicate_count: 0, published_at: "2021-04-27T06:00:00Z", fetched_at: "2021-04-27T06:00:00Z",
        sentiment: "negative", sentiment_score: null, sentiment_confidence: null, symbols: ["TCS"],
      }], count: 1, next_before_id: null });
    }
    if (url.startsWith("/api/indicators")) return json({ indicators: [], count: 0 });
    if (url.startsWith("/api/market/symbols")) return json({ symbols: [], count: 0, total: 0 });
    return json({ error: { code: "not_found", message: `no route ${url}` } }, 404);
  }));
  return {
    push(a: Alert) {
      stream!.enqueue(new TextEncoder().encode(`id: ${a.id}\nevent: new_alert\ndata: ${JSON.stringify(a)}\n\n`));
    },
    get streaming() { return stream !== null; },
  };
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

function bars() {
  return within(screen.getByRole("list", { name: /bars in view/i })).getAllByRole("button");
}

describe("the chart's events", () => {
  it("marks a live alert without a reload and lists the bars in view for the keyboard", async () => {
    const gw = gateway([alert(1, "2021-04-28")]);
    renderPage(<AlertsProvider enabled><Chart /></AlertsProvider>, "/chart/TCS", ["/chart/:symbol"]);
    await waitFor(() => expect(screen.getByTestId("price-chart").dataset.ready).toBe("true"));
    await waitFor(() => expect(bars()).toHaveLength(2)); // the stored alert's bar and the story's
    expect(markers.last.map((m) => m.id)).toEqual(["news-1", "alert-up-2"]);

    await waitFor(() => expect(gw.streaming).toBe(true));
    await act(async () => {
      gw.push(alert(7, "2021-04-30", { direction: "bearish", explanation: "a live one" }));
      gw.push(alert(8, "2021-04-30", { symbol: "INFY" })); // another symbol's: not on this chart
      gw.push(alert(9, "2021-04-29", { rule: "candle_doji" }));
    });
    await waitFor(() => expect(markers.last.map((m) => m.id)).toEqual(["news-1", "alert-up-2", "alert-up-3", "alert-down-4"]));
    expect(bars().map((b) => b.getAttribute("aria-label"))).toEqual([
      "30 Apr 2021: 1 bearish alert. a live one",
      "29 Apr 2021: 1 bullish alert. alert number 9",
      "28 Apr 2021: 1 bullish alert. alert number 1",
      "27 Apr 2021: 1 story. A story with a script link",
    ]);

    // a button opens the bar's card (as a click on the bar does) and moves the focus there
    fireEvent.click(bars()[0]);
    const card = await screen.findByRole("heading", { name: "Alerts and news on 30 Apr 2021" });
    expect(document.activeElement?.contains(card)).toBe(true);
    expect(screen.getByRole("link", { name: "a live one" }).getAttribute("href")).toContain("alert=7");

    // the story's script link stays text
    fireEvent.click(bars()[3]);
    await screen.findByRole("heading", { name: "Alerts and news on 27 Apr 2021" });
    expect(screen.queryByRole("link", { name: "A story with a script link" })).toBeNull();
  });

  it("leaves live alerts of muted rules off the chart", async () => {
    localStorage.setItem("chitti.mutedRules", JSON.stringify(["candle_*"]));
    const gw = gateway([]);
    renderPage(<AlertsProvider enabled><Chart /></AlertsProvider>, "/chart/TCS", ["/chart/:symbol"]);
    await waitFor(() => expect(screen.getByTestId("price-chart").dataset.ready).toBe("true"));
    await waitFor(() => expect(gw.streaming).toBe(true));
    await act(async () => {
      gw.push(alert(9, "2021-04-29", { rule: "candle_doji" }));
      gw.push(alert(10, "2021-04-30"));
    });
    await waitFor(() => expect(markers.last.map((m) => m.id)).toEqual(["news-1", "alert-up-4"]));
  });
});
