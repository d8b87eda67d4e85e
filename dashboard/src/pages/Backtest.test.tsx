import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { BacktestRun, Catalog } from "../lib/backtest";
import { json, renderPage } from "../testing";
import Backtest from "./Backtest";

// jsdom has no canvas: a chart that only takes data
vi.mock("lightweight-charts", () => {
  const timeScale = {
    fitContent: () => {}, setVisibleLogicalRange: () => {},
    subscribeVisibleLogicalRangeChange: () => {}, unsubscribeVisibleLogicalRangeChange: () => {},
    subscribeSizeChange: () => {}, unsubscribeSizeChange: () => {},
  };
  const series = () => ({ setData: () => {}, applyOptions: () => {} });
  return {
    ColorType: { Solid: "solid" }, LineSeries: "Line", AreaSeries: "Area",
    createChart: () => ({
      addSeries: series, applyOptions: () => {}, timeScale: () => timeScale, remove: () => {},
      subscribeCrosshairMove: () => {}, unsubscribeCrosshairMove: () => {},
    }),
  };
});

const SPEC = {
  version: 1, name: "sma_crossover", description: "Long when the fast SMA crosses above the slow SMA.",
  direction: "long", params: { fast: 10, slow: 50 },
  indicators: { fast: { fn: "sma", params: { timeperiod: "$fast" }, source: "close" } },
  entry_long: { op: "cross_above", left: "fast", right: "slow" },
} as const;

const CATALOG = {
  strategies: [{ name: "sma_crossover", description: SPEC.description, spec: SPEC }],
  cost_profiles: ["nse_delivery_discount", "zero"],
  metric_units: { total_return_pct: "%", final_equity_inr: "₹", trade_count: "trades" },
} as unknown as Catalog;

const RUN: BacktestRun = {
  id: 7, adjust: "split", strategy: "sma_crossover", params: { fast: 10, slow: 50 }, symbols: ["TCS"],
  config: {
    initial_cash_inr: 1_000_000, fill: "next_open", slippage_bps: 0, slippage_ticks: 0, tick_size_inr: 0.05,
    fractional: false, sizing: "percent_equity", size: 100, atr_period: 14, atr_multiple: 2,
    allow_reversal: false, max_entries: 1, costs: "nse_delivery_discount", periods_per_year: 252, risk_free_rate_pct: 0,
  },
  metrics: { total_return_pct: 4, final_equity_inr: 1_040_000, trade_count: 1 },
  trades: [{
    symbol: "TCS", direction: "long", entry_time: "2020-01-02", exit_time: "2020-01-03", quantity: 500,
    entry_price_inr: 2000, exit_price_inr: 2080, pnl_inr: 39_800, return_pct: 3.98, costs_inr: 200,
    exit_reason: "signal", bars_held: 1,
  }],
  cost_schedule: [],
  equity_curve: {
    ts: ["2020-01-01", "2020-01-02", "2020-01-03"],
    equity_inr: [1_000_000, 1_010_000, 1_040_000],
    drawdown_pct: [0, 0, 0],
  },
  warnings: [],
};

const JOB = {
  id: "0b7d3c4e-1f2a-4b5c-8d9e-0f1a2b3c4d5e", kind: "sweep", progress: 0, owner: "asha", attempts: 1,
  created_at: "2026-12-02T10:00:00Z", started_at: "2026-12-02T10:00:01Z", finished_at: null, error: null, result: null,
};
const REPORT = {
  adjust: "split", strategy: "sma_crossover", metric: "sharpe_ratio", combination_count: 3, warnings: [],
  best: { params: { fast: 20, slow: 100 }, metrics: { sharpe_ratio: 0.46 } },
  params: { fast: [5, 5, 20], slow: [50, 100, 100] },
  metrics: { sharpe_ratio: [0.1, 0.2, 0.46], total_return_pct: [5, 10, 30] },
};

interface Call { url: string; method: string; body: unknown }

function gateway(role: "viewer" | "trader", runReply?: { status: number; body: unknown }) {
  const calls: Call[] = [];
  let polls = 0;
  vi.stubGlobal("fetch", vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? "GET";
    calls.push({ url, method, body: init?.body ? JSON.parse(String(init.body)) : null });
    if (url === "/api/auth/me") return json({ id: 2, name: "asha", role, via: "token", auth: "on" });
    if (url === "/api/strategies") return json(CATALOG);
    if (url.startsWith("/api/backtest/results?")) return json({ backtests: [], count: 0, next_before_id: null });
    if (url === "/api/backtest" && method === "POST") return json(runReply?.body ?? RUN, runReply?.status ?? 200);
    if (url.startsWith("/api/market/NIFTY%2050/ohlcv")) {
      return json({ ts: ["2019-12-31", "2020-01-01", "2020-01-03"], close: [100, 102, 104], open: [], high: [], low: [],
        volume: [], symbol: "NIFTY 50", interval: "1d", adjust: "split", count: 3, actions: [], warnings: [] });
    }
    if (url === "/api/backtest/sweep" && method === "POST") return json({ ...JOB, state: "queued" }, 202);
    if (url === `/api/jobs/${JOB.id}` && method === "DELETE") return json({ ...JOB, state: "cancelled" });
    if (url === `/api/jobs/${JOB.id}`) {
      polls += 1;
      return json(polls < 2 ? { ...JOB, state: "running" } : { ...JOB, state: "done", progress: 1, result: REPORT });
    }
    if (url.startsWith("/api/market/symbols")) {
      return json({ symbols: [{ symbol: "TCS", name: "Tata Consultancy Services Limited", isin: null, sector: null,
        indices: [], first_date: "2004-08-25", last_date: "2021-04-30", bar_count: 4139 }], count: 1, total: 1 });
    }
    return json({ error: { code: "not_found", message: `no route ${url}` } }, 404);
  }));
  return calls;
}

function renderBacktest(path: string) {
  return renderPage(<Backtest />, path, ["/backtest", "/backtest/:id"]);
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("Backtest page", () => {
  it("gives a viewer the saved results but no Run or Sweep, and says why", async () => {
    gateway("viewer");
    renderBacktest("/backtest");
    expect(await screen.findByText(/needs the trader role/)).toBeTruthy();
    expect(await screen.findByText("No saved backtests yet")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Run backtest" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Run sweep" })).toBeNull();
  });

  it("runs a backtest and shows it: equity vs the rebased benchmark, metrics, trades", async () => {
    const calls = gateway("trader");
    renderBacktest("/backtest");
    const run = await screen.findByRole("button", { name: "Run backtest" });
    expect((screen.getByLabelText("Strategy") as HTMLSelectElement).value).toBe("sma_crossover");
    fireEvent.change(screen.getByLabelText("Symbols"), { target: { value: "tcs" } });
    fireEvent.change(screen.getByLabelText("Start"), { target: { value: "2020-01-01" } });
    fireEvent.change(screen.getByLabelText("Cost profile"), { target: { value: "nse_delivery_discount" } });
    fireEvent.change(screen.getByLabelText("slow"), { target: { value: "200" } });
    fireEvent.click(run);

    await waitFor(() => expect(screen.getByTestId("where").textContent).toMatch(/^\/backtest\/7(\?|$)/));
    const post = calls.find((c) => c.url === "/api/backtest")!;
    expect(post.body).toEqual({
      strategy: "sma_crossover", symbols: ["TCS"], params: { fast: 10, slow: 200 }, adjust: "split", interval: "1d",
      benchmark: "NIFTY 50", start: "2020-01-01", end: null, config: { costs: "nse_delivery_discount" },
    });

    const chart = await screen.findByTestId("equity-chart");
    expect(chart.dataset.points).toBe("3");
    // NIFTY 50 on each bar (2 Jan carries 1 Jan's close), rebased at its first close (102) to ₹10,00,000
    await waitFor(() => expect(window.__chitti_backtest?.benchmark).toHaveLength(3));
    expect(window.__chitti_backtest?.equity).toEqual([1_000_000, 1_010_000, 1_040_000]);
    expect(window.__chitti_backtest?.benchmark.slice(0, 2)).toEqual([1_000_000, 1_000_000]);
    expect(window.__chitti_backtest?.benchmark[2]).toBeCloseTo(1_000_000 * 104 / 102, 6);
    expect(chart.dataset.benchmarkPoints).toBe("3");
    expect(chart.dataset.benchmark).toBe("ready");
    expect(screen.getByTestId("benchmark-legend").textContent).toContain("NIFTY 50");

    expect(screen.getAllByTestId("trade-row")).toHaveLength(1);
    const metrics = screen.getByTestId("metrics");
    expect(within(metrics).getByText("+4.00%")).toBeTruthy();
    expect(within(metrics).getByText("₹10,40,000.00")).toBeTruthy();
    // the form keeps its setup after the run
    expect((screen.getByLabelText("Symbols") as HTMLInputElement).value).toBe("tcs");
  });

  it("asks for symbols before running, and shows the API's 400 next to its field", async () => {
    const calls = gateway("trader", {
      status: 400,
      body: { error: { code: "bad_request", message: "config.slippage_bps: Input should be less than 10000",
        details: [{ loc: ["body", "config", "slippage_bps"], msg: "Input should be less than 10000" }] } },
    });
    renderBacktest("/backtest");
    fireEvent.click(await screen.findByRole("button", { name: "Run backtest" }));
    expect(await screen.findByText(/Add at least one symbol/)).toBeTruthy();
    expect(calls.some((c) => c.url === "/api/backtest")).toBe(false);

    fireEvent.change(screen.getByLabelText("Symbols"), { target: { value: "TCS" } });
    fireEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    const message = await screen.findByText("Input should be less than 10000");
    // under the Slippage (bps) input, which is marked invalid
    const input = screen.getByLabelText("Slippage (bps)");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toContain(message.id);
  });

  it("sweeps two parameters as a job, polls it, and fills the form from a cell", async () => {
    const calls = gateway("trader");
    renderBacktest("/backtest?symbols=TCS&start=2015-01-01");
    fireEvent.change(await screen.findByLabelText("fast values"), { target: { value: "5, 20" } });
    fireEvent.change(screen.getByLabelText("slow values"), { target: { value: "50:100:50" } });
    fireEvent.change(screen.getByLabelText("Constraints"), { target: { value: "fast < slow" } });
    fireEvent.click(screen.getByRole("button", { name: "Run sweep" }));

    await waitFor(() => expect(calls.some((c) => c.url === "/api/backtest/sweep")).toBe(true));
    expect(calls.find((c) => c.url === "/api/backtest/sweep")!.body).toEqual({
      strategy: "sma_crossover", symbol: "TCS", grid: { fast: [5, 20], slow: [50, 100] }, metric: "sharpe_ratio",
      table: true, constraints: ["fast < slow"], adjust: "split", interval: "1d", start: "2015-01-01", end: null,
      config: { costs: "nse_delivery_discount" }, // a daily run pays delivery costs unless told otherwise
    });
    const heatmap = await screen.findByTestId("sweep-heatmap", {}, { timeout: 4000 });
    expect(screen.getByTestId("sweep-job").dataset.state).toBe("done");
    expect(screen.getByTestId("sweep-best").textContent).toContain("fast 20, slow 100");
    // 2 × 2 grid, one cell left out (20, 50), the best marked
    const best = within(heatmap).getByRole("button", { name: /fast 20, slow 100: Sharpe ratio 0.46 \(best\)/ });
    expect(within(heatmap).getByRole("button", { name: /fast 20, slow 50: Sharpe ratio —/ })).toHaveProperty("disabled", true);
    fireEvent.click(best);
    expect((screen.getByLabelText("fast") as HTMLInputElement).value).toBe("20");
    expect((screen.getByLabelText("slow") as HTMLInputElement).value).toBe("100");
    expect(screen.getByText(/Filled fast = 20, slow = 100 into the form/)).toBeTruthy();
  }, 10_000);
});
