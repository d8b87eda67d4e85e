import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import {
  CONFIG_FIELDS, COST_FIELDS, buildRunBody, buildSweepBody, costBreakdown, costProfileText, emptyForm,
  errorsByField, formFromParams, formOfView, formToParams, formatMetric, monthlyReturns, parseField,
  parseGridValues, parseSymbols, rebaseBenchmark, sortTrades, sweepMatrix, tradesCsv, viewOfStored,
  type Catalog, type CostPeriod, type FieldSpec, type StoredBacktest, type StrategySpec, type SweepReport, type Trade,
} from "./backtest";

const SMA: StrategySpec = {
  version: 1, name: "sma_crossover", description: "Long when the fast SMA crosses above the slow SMA.",
  direction: "long", params: { fast: 10, slow: 50 },
  indicators: {
    fast: { fn: "sma", params: { timeperiod: "$fast" }, source: "close" },
    slow: { fn: "sma", params: { timeperiod: "$slow" }, source: "close" },
  },
  entry_long: { op: "cross_above", left: "fast", right: "slow" },
  exit_long: { op: "cross_below", left: "fast", right: "slow" },
};
const CATALOG: Catalog = {
  strategies: [{ name: "sma_crossover", description: SMA.description, spec: SMA }],
  cost_profiles: ["nse_delivery_discount", "zero"],
  metric_units: { total_return_pct: "%" },
};

function trade(over: Partial<Trade>): Trade {
  return {
    symbol: "TCS", direction: "long", entry_time: "2024-01-02", exit_time: "2024-02-01", quantity: 10,
    entry_price_inr: 100, exit_price_inr: 110, pnl_inr: 100, return_pct: 10, costs_inr: 0,
    exit_reason: "signal", bars_held: 21, ...over,
  };
}

describe("monthlyReturns", () => {
  it("chains month ends and compounds years (hand-checked)", () => {
    // Jan 2020: 100 -> 110 (+10%); Feb: 110 -> 99 (-10%); Mar: flat (0%); 2020: 100 -> 99 (-1%)
    // Jan 2021: 99 -> 108.9 (+10%); 2021: +10%; a null bar is skipped
    const ts = ["2020-01-01", "2020-01-15", "2020-01-31", "2020-02-28", "2020-03-31", "2021-01-04", "2021-01-29"];
    const eq = [100, null, 110, 99, 99, null, 108.9];
    const rows = monthlyReturns(ts, eq);
    expect(rows.map((r) => r.year)).toEqual([2020, 2021]);
    expect(rows[0].months[0]).toBeCloseTo(10, 10);
    expect(rows[0].months[1]).toBeCloseTo(-10, 10);
    expect(rows[0].months[2]).toBeCloseTo(0, 10);
    expect(rows[0].months.slice(3)).toEqual(Array(9).fill(null));
    expect(rows[0].total).toBeCloseTo(-1, 10);
    expect(rows[1].months[0]).toBeCloseTo(10, 10);
    expect(rows[1].months[1]).toBeNull();
    expect(rows[1].total).toBeCloseTo(10, 10);
  });

  it("reads the IST month of intraday timestamps and is empty without values", () => {
    const rows = monthlyReturns(["2024-03-28T15:15:00+05:30", "2024-04-01T09:15:00+05:30"], [200, 210]);
    expect(rows[0].months[2]).toBeCloseTo(0, 10);
    expect(rows[0].months[3]).toBeCloseTo(5, 10);
    expect(monthlyReturns(["2024-01-01"], [null])).toEqual([]);
  });
});

describe("rebaseBenchmark", () => {
  it("carries the last close forward, stops at the benchmark's last bar, rebases to the capital", () => {
    const ts = ["2019-11-28", "2019-11-29", "2019-12-02", "2019-12-03"];
    const out = rebaseBenchmark(ts, 1_000_000, ["2019-11-27", "2019-11-29", "2019-12-02"], [100, 110, 121]);
    // the first bar takes 27 Nov's close (100): the base
    expect(out).toEqual([1_000_000, 1_100_000, 1_210_000, null]);
  });

  it("is null before the benchmark starts", () => {
    expect(rebaseBenchmark(["2000-01-03", "2000-01-04"], 10, ["2000-01-04"], [50])).toEqual([null, 10]);
  });
});

describe("trades", () => {
  const trades = [
    trade({ symbol: "TCS", pnl_inr: 50, return_pct: 5 }),
    trade({ symbol: "INFY", pnl_inr: -20, return_pct: null, entry_time: "2024-03-01" }),
    trade({ symbol: "M&M, LTD", pnl_inr: 300, return_pct: 30, exit_time: null, exit_reason: "open" }),
  ];

  it("sorts by any column, both ways, nulls last", () => {
    expect(sortTrades(trades, "pnl_inr", "desc").map((t) => t.pnl_inr)).toEqual([300, 50, -20]);
    expect(sortTrades(trades, "pnl_inr", "asc").map((t) => t.pnl_inr)).toEqual([-20, 50, 300]);
    expect(sortTrades(trades, "return_pct", "asc").map((t) => t.return_pct)).toEqual([5, 30, null]);
    expect(sortTrades(trades, "return_pct", "desc").map((t) => t.return_pct)).toEqual([30, 5, null]);
    expect(sortTrades(trades, "symbol", "asc").map((t) => t.symbol)).toEqual(["INFY", "M&M, LTD", "TCS"]);
  });

  it("writes CSV with the API's field names, ISO dates, plain numbers and quoting", () => {
    const csv = tradesCsv([trades[0], trades[2]]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("symbol,direction,entry_time,exit_time,quantity,entry_price_inr,exit_price_inr,"
      + "pnl_inr,return_pct,costs_inr,exit_reason,bars_held");
    expect(lines[1]).toBe("TCS,long,2024-01-02,2024-02-01,10,100,110,50,5,0,signal,21");
    expect(lines[2]).toBe('"M&M, LTD",long,2024-01-02,,10,100,110,300,30,0,open,21');
    expect(lines[3]).toBe("");
  });
});

describe("costBreakdown", () => {
  // two trades and the rates of a real run (RELIANCE, nse_delivery_discount, 2015)
  const schedule: CostPeriod[] = [
    { from: "2015-01-01", to: "2015-05-31", sources: {}, rates_pct: {
      stt_buy_pct: 0.1, stt_sell_pct: 0.1, stamp_duty_buy_pct: 0.01, stamp_duty_sell_pct: 0.01,
      gst_pct: 12.36, sebi_fee_pct: 0.00015, exchange_txn_pct: 0.00325 } },
    { from: "2015-06-01", to: "2015-11-14", sources: {}, rates_pct: {
      stt_buy_pct: 0.1, stt_sell_pct: 0.1, stamp_duty_buy_pct: 0.01, stamp_duty_sell_pct: 0.01,
      gst_pct: 14.0, sebi_fee_pct: 0.00015, exchange_txn_pct: 0.00325 } },
  ];
  const real = [
    trade({ symbol: "RELIANCE", entry_time: "2015-02-04", exit_time: "2015-02-26", quantity: 2148,
      entry_price_inr: 464.8541470020716, exit_price_inr: 418.8191819598049, costs_inr: 2160.4564750491736 }),
    trade({ symbol: "RELIANCE", entry_time: "2015-04-17", exit_time: "2015-08-14", quantity: 1940,
      entry_price_inr: 462.84939852442443, exit_price_inr: 465.4233965697985, costs_inr: 2050.2343760347476 }),
  ];

  it("splits a run's costs by line from its dated rates, adding up to the run's own total", () => {
    const b = costBreakdown(real, schedule, "nse_delivery_discount");
    const turnover = real.reduce((s, t) => s + t.quantity * (t.entry_price_inr + t.exit_price_inr), 0);
    const line = (key: string) => b.lines.find((l) => l.key === key)!.inr;
    expect(line("stt")).toBeCloseTo(turnover * 0.001, 6);
    expect(line("stamp")).toBeCloseTo(turnover * 0.0001, 6);
    expect(b.total).toBeCloseTo(2160.4564750491736 + 2050.2343760347476, 9);
    expect(b.lines.reduce((s, l) => s + l.inr, 0)).toBeCloseTo(b.total, 6);
    expect(b.unattributed).toBe(0);
    // a named profile's brokerage is not published: no brokerage line is made up
    expect(b.lines.map((l) => l.key)).not.toContain("brokerage");
  });

  it("computes brokerage, GST and DP of a custom profile (hand-checked)", () => {
    const profile = {
      name: "custom", description: "", brokerage_pct: 0.03, brokerage_flat_inr: 0, brokerage_cap_inr: 20,
      stt_buy_pct: 0, stt_sell_pct: 0.1, exchange_txn_pct: 0, sebi_fee_pct: 0, stamp_duty_buy_pct: 0,
      stamp_duty_sell_pct: 0, gst_pct: 18, dp_charge_sell_inr: 13.5, schedule: {},
    };
    // buy ₹1,000: brokerage 0.30; sell ₹1,100: brokerage 0.33, STT 1.10, DP 13.5 × 1.18 = 15.93
    // GST 18 % × 0.63 = 0.1134; total 17.7734
    const b = costBreakdown([trade({ costs_inr: 17.7734 })], [], profile);
    const line = (key: string) => b.lines.find((l) => l.key === key)!.inr;
    expect(line("brokerage")).toBeCloseTo(0.63, 10);
    expect(line("stt")).toBeCloseTo(1.1, 10);
    expect(line("gst")).toBeCloseTo(0.1134, 10);
    expect(line("dp")).toBeCloseTo(15.93, 10);
    expect(b.unattributed).toBe(0);
  });

  it("reports what the known rates do not explain, and charges a short's sell on entry", () => {
    const sched: CostPeriod[] = [{ from: "2024-01-01", to: "2024-12-31", sources: {},
      rates_pct: { stt_buy_pct: 0, stt_sell_pct: 0.025 } }];
    const b = costBreakdown([trade({ direction: "short", costs_inr: 40.25 })], sched, "nse_intraday_discount");
    // the short's entry is the sell: 0.025 % × ₹1,000 = 0.25; the other ₹40 is brokerage
    expect(b.lines.find((l) => l.key === "stt")!.inr).toBeCloseTo(0.25, 10);
    expect(b.unattributed).toBeCloseTo(40, 10);
  });
});

describe("form fields follow openapi.json", () => {
  // vitest runs from the dashboard's folder, where the generated types come from
  const openapi = JSON.parse(readFileSync(resolve(process.cwd(), "openapi.json"), "utf8"));
  type Prop = { default?: unknown; minimum?: number; maximum?: number; exclusiveMinimum?: number;
    exclusiveMaximum?: number; enum?: string[]; type?: string; anyOf?: Prop[] };

  function check(schema: string, fields: Record<string, FieldSpec>, skip: string[]) {
    const props = openapi.components.schemas[schema].properties as Record<string, Prop>;
    expect(Object.keys(fields).sort()).toEqual(Object.keys(props).filter((k) => !skip.includes(k)).sort());
    for (const [name, prop] of Object.entries(props)) {
      if (skip.includes(name)) continue;
      const spec = fields[name];
      const inner = prop.anyOf?.find((p) => p.type !== "null") ?? prop;
      expect(spec.default, name).toEqual(prop.default ?? null);
      expect(spec.nullable ?? false, name).toBe(Boolean(prop.anyOf?.some((p) => p.type === "null")));
      expect(spec.min, name).toBe(inner.minimum);
      expect(spec.max, name).toBe(inner.maximum);
      expect(spec.exclusiveMin, name).toBe(inner.exclusiveMinimum);
      expect(spec.exclusiveMax, name).toBe(inner.exclusiveMaximum);
      expect(spec.options, name).toEqual(inner.enum);
    }
  }

  it("BacktestConfig: every field, default and bound", () => check("BacktestConfig", CONFIG_FIELDS, ["costs"]));
  it("CostProfile: every rate", () => check("CostProfile", COST_FIELDS, ["name", "description", "schedule"]));
  it("the default cost profile", () => {
    expect(openapi.components.schemas.BacktestConfig.properties.costs.default).toBe("zero");
  });
});

describe("form and request", () => {
  it("round-trips through the URL, leaving defaults out", () => {
    const form = { ...emptyForm("sma_crossover"), symbols: "RELIANCE, NIFTY 50", start: "2015-01-01",
      params: { fast: "20" }, config: { costs: "custom", slippage_bps: "5" }, costs: { gst_pct: "18" }, benchmark: "" };
    const params = formToParams(form);
    expect(params.get("benchmark")).toBe("none");
    expect(params.has("adjust")).toBe(false);
    expect(params.get("p.fast")).toBe("20");
    expect(params.get("k.gst_pct")).toBe("18");
    expect(formFromParams(new URLSearchParams(params.toString()))).toEqual(form);
  });

  it("parses symbols and fields", () => {
    expect(parseSymbols(" reliance,TCS ,, nifty  50,TCS")).toEqual(["RELIANCE", "TCS", "NIFTY 50"]);
    expect(parseField(CONFIG_FIELDS.slippage_bps, "10000")).toEqual({ error: "less than 10,000" });
    expect(parseField(CONFIG_FIELDS.initial_cash_inr, "0")).toEqual({ error: "more than 0" });
    expect(parseField(CONFIG_FIELDS.max_entries, "1.5")).toEqual({ error: "a whole number" });
    expect(parseField(CONFIG_FIELDS.stop_loss_pct, "")).toEqual({ value: null });
    expect(parseField(CONFIG_FIELDS.square_off_ist, "15:20")).toEqual({ value: "15:20" });
  });

  it("builds the run body: all parameters, only changed settings", () => {
    const form = { ...emptyForm("sma_crossover"), symbols: "tcs", params: { slow: "200" },
      config: { fill: "next_open", slippage_bps: "5", costs: "nse_delivery_discount" } };
    const { body, errors } = buildRunBody(form, SMA, false);
    expect(errors).toEqual({});
    expect(body).toEqual({
      strategy: "sma_crossover", symbols: ["TCS"], params: { fast: 10, slow: 200 }, adjust: "split",
      interval: "1d", benchmark: "NIFTY 50", start: null, end: null,
      config: { slippage_bps: 5, costs: "nse_delivery_discount" },
    });
  });

  it("sends an edited spec as the strategy, and says what is missing", () => {
    expect(buildRunBody({ ...emptyForm("sma_crossover"), symbols: "TCS" }, SMA, true).body?.strategy).toEqual(SMA);
    const { body, errors } = buildRunBody({ ...emptyForm("x"), config: { size: "-1" }, start: "2020-01-02", end: "2020-01-01" }, SMA, false);
    expect(body).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(["config.size", "end", "symbols"]);
  });

  it("builds a sweep: parameters the form changed but the grid does not vary ride along", () => {
    const spec = { ...SMA, params: { fast: 10, slow: 50, gap: 1 } };
    const form = { ...emptyForm("sma_crossover"), symbols: "TCS", params: { gap: "3" } };
    const { body, combinations } = buildSweepBody(form, spec, false, {
      symbol: "TCS", axes: [{ param: "fast", values: "5, 10" }, { param: "slow", values: "50:150:50" }],
      constraints: "fast < slow; slow > 60", metric: "sharpe_ratio" });
    expect(combinations).toBe(6);
    expect(body?.grid).toEqual({ fast: [5, 10], slow: [50, 100, 150], gap: [3] });
    expect(body?.constraints).toEqual(["fast < slow", "slow > 60"]);
  });

  it("fills the form again from a stored backtest", () => {
    const stored = {
      id: 7, created_at: "2026-12-02T10:00:00Z", owner: "asha", adjust: "split", interval: "1d", warnings: [],
      strategy: "sma_crossover", spec: { ...SMA, entry_short: null }, params: { fast: 10, slow: 200 },
      symbols: ["TCS"], start_date: "2015-01-01", end_date: null, metrics: {}, cost_schedule: [], trades: [],
      equity_curve: { ts: [], equity_inr: [], drawdown_pct: [] },
      config: { ...Object.fromEntries(Object.entries(CONFIG_FIELDS).map(([k, f]) => [k, f.default])),
        costs: "nse_delivery_discount", slippage_bps: 5 },
    } as unknown as StoredBacktest;
    const { form, customSpec } = formOfView(viewOfStored(stored), CATALOG, "NIFTY 50");
    expect(customSpec).toBeNull();
    expect(form.params).toEqual({ slow: "200" });
    expect(form.config).toEqual({ costs: "nse_delivery_discount", slippage_bps: "5" });
    expect(form.symbols).toBe("TCS");
    expect(form.start).toBe("2015-01-01");
    const edited = formOfView(viewOfStored({ ...stored, spec: { ...SMA, direction: "both" } }), CATALOG, "");
    expect(edited.customSpec?.direction).toBe("both");
  });
});

describe("API errors to fields", () => {
  it("uses the 400's details, then its message", () => {
    expect(errorsByField(new ApiError(400, "bad_request", "config.slippage_bps: Input should be greater than or equal to 0",
      [{ loc: ["body", "config", "slippage_bps"], msg: "Input should be greater than or equal to 0" }])))
      .toEqual({ "config.slippage_bps": "Input should be greater than or equal to 0" });
    expect(errorsByField(new ApiError(400, "bad_request", "invalid strategy spec: entry_long.left: unknown series 'foo'")))
      .toEqual({ strategy: "invalid strategy spec: entry_long.left: unknown series 'foo'" });
    expect(errorsByField(new ApiError(404, "not_found", "unknown symbol 'NOPE'; see GET /api/market/symbols")))
      .toEqual({ symbols: "unknown symbol 'NOPE'; see GET /api/market/symbols" });
    expect(errorsByField(new ApiError(400, "bad_request", "metric: 'x' is not a sweep metric")))
      .toEqual({ metric: "'x' is not a sweep metric" });
    expect(errorsByField(new Error("network"))).toEqual({});
  });
});

describe("sweeps", () => {
  it("parses grid values", () => {
    expect(parseGridValues("20, 5,10 10")).toEqual({ values: [5, 10, 20] });
    expect(parseGridValues("5:20:5")).toEqual({ values: [5, 10, 15, 20] });
    expect(parseGridValues("1:1.3:0.1")).toEqual({ values: [1, 1.1, 1.2, 1.3] });
    expect(parseGridValues("1:1000:1", 500)).toEqual({ error: "1000 values; at most 500" });
    expect("error" in parseGridValues("5, x")).toBe(true);
  });

  it("lays a report out as rows × columns with the best cell", () => {
    const report: SweepReport = {
      adjust: "split", strategy: "sma_crossover", metric: "sharpe_ratio", combination_count: 3, warnings: [],
      best: { params: { fast: 20, slow: 200 }, metrics: { sharpe_ratio: 0.46 } },
      params: { fast: [5, 20, 20], slow: [200, 100, 200], gap: [3, 3, 3] },
      metrics: { sharpe_ratio: [0.29, 0.24, 0.46] },
    };
    const m = sweepMatrix(report, "sharpe_ratio")!;
    expect(m.rowKey).toBe("fast");
    expect(m.colKey).toBe("slow");
    expect(m.rows).toEqual([5, 20]);
    expect(m.cols).toEqual([100, 200]);
    expect(m.values).toEqual([[null, 0.29], [0.24, 0.46]]);
    expect(m.best).toEqual({ row: 1, col: 1 });
    expect(m.fixed).toEqual({ gap: 3 });
  });
});

describe("labels and formats", () => {
  it("formats metrics by unit", () => {
    expect(formatMetric("total_return_pct", 34.825, "%")).toBe("+34.83%");
    expect(formatMetric("win_rate_pct", 46.666, "%")).toBe("46.67%");
    expect(formatMetric("final_equity_inr", 1348253.1, "₹")).toBe("₹13,48,253.10");
    expect(formatMetric("trade_count", 15, "trades")).toBe("15");
    expect(formatMetric("max_drawdown_days", 490, "calendar days")).toBe("490 days");
    expect(formatMetric("beta", null, "ratio")).toBe("—");
    expect(costProfileText("nse_delivery_fullservice")).toBe("NSE delivery, full-service broker");
  });
});

describe("the form's cost default", () => {
  it("charges delivery costs on daily bars and leaves intraday to the server's default", async () => {
    const { emptyForm, withInterval, FORM_DAILY_COSTS } = await import("./backtest");
    const daily = emptyForm("sma_crossover");
    expect(daily.config.costs).toBe(FORM_DAILY_COSTS);
    expect(withInterval(daily, "5m").config.costs).toBeUndefined();
    const chosen = { ...daily, config: { costs: "nse_delivery_fullservice" } };
    expect(withInterval(chosen, "5m").config.costs).toBe("nse_delivery_fullservice");
  });
});
