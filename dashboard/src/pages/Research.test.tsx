import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { json, renderPage } from "../testing";
import Research from "./Research";

// Replies as the gateway sends them (layouts: compute/portfolio/result.py, risk/report.py,
// ml/report.py). The expected strings below are written by hand from their definitions:
// Indian digit grouping (12,50,000), percentages of fractions, IST calendar days.

const WATCHLISTS = {
  watchlists: [{
    id: 4, name: "Core IT", position: 0, symbols: ["TCS", "INFY", "HCLTECH"], owner: "asha",
    created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z",
  }],
};

const fold = (name: string, fold: number | "all", ic: number, rankIc: number) => ({
  name, fold, train_start: fold === "all" ? null : "2005-01-03", train_end: fold === "all" ? null : "2012-12-31",
  test_start: fold === 1 ? "2017-01-02" : "2013-01-01", test_end: fold === 0 ? "2016-12-30" : "2020-12-24",
  n_train: name === "model" && fold !== "all" ? 98_765 : 0, n_test: 24_680, ic_mean: ic, ic_std: 0.1, ic_t_stat: ic * 40,
  rank_ic_mean: rankIc, rank_ic_std: 0.1, rank_ic_t_stat: rankIc * 40, n_dates: 990, accuracy: null, auc: null,
});

const SUMMARY = {
  model: fold("model", "all", 0.0451, 0.0478),
  momentum_12_1: fold("momentum_12_1", "all", 0.0123, 0.0157),
  reversal_5d: fold("reversal_5d", "all", -0.0088, -0.0061),
};
const BACKTESTS = {
  model: { total_return_pct: 84.2, cagr_pct: 7.9, sharpe_ratio: 0.61, max_drawdown_pct: 31.5, total_costs_inr: 123456.7, trade_count: 1234 },
  momentum_12_1: { skipped: "no score in the test windows (252 sessions of history needed)" },
};

const MODEL = {
  id: 11, name: "it_lgbm", version: "2", kind: "lightgbm", target: "forward_return", horizon_days: 5,
  features: Array.from({ length: 160 }, (_, i) => `f${i}`), symbols: Array.from({ length: 50 }, (_, i) => `S${i}`),
  data_start: "2005-01-03", data_end: "2020-12-24", params: {}, owner: "asha", created_at: "2026-12-02T09:00:00Z",
  summary: SUMMARY, backtests: BACKTESTS,
};

const PORTFOLIO = {
  method: "efficient_return",
  weights: { TCS: 0.2125, INFY: 0.4, HCLTECH: 0.3875 },
  expected_annual_return_pct: 18, annual_volatility_pct: 21.456, sharpe_ratio: 0.536, risk_free_rate_pct: 6.5,
  risk_contributions: { TCS: 0.18, INFY: 0.45, HCLTECH: 0.37 },
  details: { turnover: 0.775, covariance: "ledoit_wolf", shrinkage: 0.1234, days_used: 740, days_dropped: 2 },
  start: "2018-01-01", end: "2020-12-31", days: 742,
};

const varRow = (method: string, confidence: number, horizon: number, v: number, cv: number) => ({
  method, confidence, horizon_days: horizon, var_fraction: v, cvar_fraction: cv, var_inr: v * 1_250_000, cvar_inr: cv * 1_250_000,
});
const drawdown = (f: number, peak: string, trough: string, recovery: string | null) =>
  ({ drawdown_fraction: f, peak_date: peak, trough_date: trough, recovery_date: recovery });

const RISK = {
  as_of: "2020-12-31", window: { start: "2018-12-27", end: "2020-12-31", return_days: 500 },
  portfolio_value_inr: 1_250_000, invested_fraction: 1, cash_fraction: 0, gross_exposure_fraction: 1,
  var: [
    varRow("historical", 0.95, 1, 0.0215, 0.0342), varRow("historical", 0.99, 10, 0.1234, 0.1502),
    varRow("parametric", 0.95, 1, 0.0201, 0.0252), varRow("monte_carlo", 0.99, 1, 0.0311, 0.0356),
  ],
  annual_volatility_fraction: 0.2146, beta: 0.83, tracking_error_annual_fraction: 0.1112, benchmark_return_days: 500,
  max_drawdown: drawdown(0.3321, "2020-01-14", "2020-03-23", "2020-08-31"),
  positions: [
    { symbol: "INFY", weight: 0.4, value_inr: 500_000, annual_volatility_fraction: 0.27, beta: 0.9, variance_contribution_fraction: 0.45 },
  ],
  correlation: { symbols: ["INFY", "HCLTECH", "TCS"], matrix: [[1, 0.62, 0.71], [0.62, 1, 0.58], [0.71, 0.58, 1]] },
  stress: [
    {
      key: "gfc_2008", name: "2008 global financial crisis", start: "2008-01-08", end: "2008-10-27", description: "NIFTY 50 -59.9 %",
      source: "NIFTY 50 closes", status: "ok", reason: null, first_date: "2008-01-08", last_date: "2008-10-27",
      return_fraction: -0.4321, max_drawdown: drawdown(0.5012, "2008-01-08", "2008-10-24", null),
      worst_day: { date: "2008-10-24", return_fraction: -0.1187 }, benchmark_return_fraction: -0.5986,
      missing_treatment: "benchmark_proxy", missing_symbols: ["HCLTECH"], assets: [],
    },
    {
      key: "covid_2020", name: "March 2020 COVID-19 crash", start: "2020-01-14", end: "2020-03-23", description: "",
      source: "", status: "no_data", reason: "no closes on or before 2020-01-14 for the window", first_date: null, last_date: null,
      return_fraction: null, max_drawdown: drawdown(0, "", "", null), worst_day: { date: null, return_fraction: null },
      benchmark_return_fraction: null, missing_treatment: null, missing_symbols: [], assets: [],
    },
  ],
  settings: {}, conventions: { var: "VaR and CVaR are positive loss fractions" },
  notes: ["historical 10-day figures rest on about 50 independent 10-day outcomes (overlapping windows share days)"],
};

const JOB = {
  id: "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", kind: "train", progress: 0, message: null, owner: "asha", attempts: 1,
  created_at: "2026-12-02T10:00:00Z", started_at: "2026-12-02T10:00:01Z", finished_at: null, error: null, result: null,
};

const TRAIN_RESULT = {
  model: { ...MODEL, version: "3" },
  report: {
    target: "forward_return", horizon_days: 10, estimator: "lightgbm", params: {},
    feature_names: MODEL.features, symbols: MODEL.symbols, data_start: "2010-01-04", data_end: "2020-12-10",
    folds: [fold("model", 0, 0.0312, 0.0333), fold("model", 1, -0.0105, 0.0021), fold("model", "all", 0.0104, 0.0177)],
    baselines: {
      momentum_12_1: [fold("momentum_12_1", 0, 0.0222, 0.0244), fold("momentum_12_1", 1, 0.0011, 0.0013), fold("momentum_12_1", "all", 0.0117, 0.0129)],
      reversal_5d: [fold("reversal_5d", 0, -0.0071, -0.0052), fold("reversal_5d", 1, 0.0093, 0.0081), fold("reversal_5d", "all", 0.0011, 0.0015)],
    },
    summary: SUMMARY, feature_importance: { ret_20d: 0.125, rsi_14: 0.083 }, backtests: BACKTESTS,
  },
  lines: ["target forward_return over 10 sessions, lightgbm, 160 features, 50 symbols"],
  predictions_stored: 24_680,
};

const PREDICTIONS = {
  model: MODEL, stored: 3, missing: ["ZZZ"],
  predictions: [
    { symbol: "TCS", ts: "2020-12-31", score: 0.0123 },
    { symbol: "INFY", ts: "2020-12-31", score: 0.0456 },
    { symbol: "HCLTECH", ts: "2020-12-31", score: -0.0078 },
  ],
};

interface Call { method: string; path: string; body: unknown }
type Override = (call: Call) => Response | undefined;

function gateway(role: "viewer" | "trader", override: Override = () => undefined) {
  const calls: Call[] = [];
  let polls = 0;
  vi.stubGlobal("fetch", vi.fn(async (input: string, init?: RequestInit) => {
    const url = new URL(input, "http://gw");
    const call = { method: init?.method ?? "GET", path: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : null };
    calls.push(call);
    const answer = override(call);
    if (answer) return answer;
    switch (`${call.method} ${call.path}`) {
      case "GET /api/auth/me": return json({ id: 2, name: "asha", role, via: "token", auth: "on" });
      case "GET /api/watchlists": return json(WATCHLISTS);
      case "GET /api/ml/models": return json({ models: [MODEL] });
      case "GET /api/market/symbols": return json({ symbols: [], count: 0, total: 0 });
      case "POST /api/portfolio/optimize": return json(PORTFOLIO);
      case "POST /api/risk": return json(RISK);
      case "POST /api/ml/predict": return json(PREDICTIONS);
      case "POST /api/ml/train": return json({ ...JOB, state: "queued" }, 202);
      case `GET /api/jobs/${JOB.id}`:
        polls += 1;
        return json(polls < 2
          ? { ...JOB, state: "running", progress: 0.4, message: "fold 2/4: fitting 98,765 rows" }
          : { ...JOB, state: "done", progress: 1, message: "done", finished_at: "2026-12-02T10:03:00Z", result: TRAIN_RESULT });
      case `DELETE /api/jobs/${JOB.id}`: return json({ ...JOB, state: "cancelled" });
      default: return json({ error: { code: "not_found", message: `no route ${call.method} ${call.path}` } }, 404);
    }
  }));
  return { calls, sent: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}

const renderResearch = (path = "/research") => renderPage(<Research />, path, ["/research"]);
const change = (label: string, value: string, root: HTMLElement = document.body) =>
  fireEvent.change(within(root).getByLabelText(label), { target: { value } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** Fill the portfolio form from the watchlist, as the body test expects it. */
async function fillPortfolio() {
  const form = await screen.findByRole("form", { name: "Portfolio setup" });
  await within(form).findByRole("option", { name: "Core IT (3)" });
  change("Fill from a watchlist", "4", form);
  change("Method", "efficient_return", form);
  change("Target annual return (%)", "18", form);
  change("Max weight (%)", "40", form);
  change("Today's weights (%)", "TCS 50, INFY 50", form);
  change("Max turnover (%)", "80", form);
  change("Portfolio value (₹, optional)", "12,50,000", form);
  return form;
}

describe("Research page: portfolio and risk", () => {
  it("sends the form as the optimiser's request and shows the weights sorted, in Indian formats", async () => {
    const gw = gateway("viewer"); // optimising and risk need no trader role
    renderResearch();
    const form = await fillPortfolio();
    expect((within(form).getByLabelText("Symbols") as HTMLInputElement).value).toBe("TCS, INFY, HCLTECH");
    fireEvent.click(within(form).getByRole("button", { name: "Optimise" }));

    const table = await screen.findByTestId("weights-table");
    expect(gw.sent("POST", "/api/portfolio/optimize")[0].body).toEqual({
      symbols: ["TCS", "INFY", "HCLTECH"], start: null, end: null, method: "efficient_return",
      covariance: "ledoit_wolf", expected_returns: "mean", model: null, risk_free_rate: 0.065,
      target_return: 0.18, min_weight: 0, max_weight: 0.4, sector_caps: null,
      current_weights: { TCS: 0.5, INFY: 0.5 }, max_turnover: 0.8, adjust: "split",
    });

    const rows = within(table).getAllByTestId("weight-row");
    const cells = rows.map((r) => within(r).getAllByRole("cell").map((c) => c.textContent));
    expect(rows.map((r) => within(r).getByRole("rowheader").textContent)).toEqual(["INFY", "HCLTECH", "TCS"]);
    // weight, amount of ₹12,50,000, change from today's weights, share of variance
    expect(cells).toEqual([
      ["40.00%", "₹5,00,000", "-10.00%", "45.00%"],
      ["38.75%", "₹4,84,375", "+38.75%", "37.00%"],
      ["21.25%", "₹2,65,625", "-28.75%", "18.00%"],
    ]);
    // one bar per row, as long as its weight is a share of the whole
    const bars = within(table).getAllByTestId("weight-bar").map((b) => parseFloat(b.style.width));
    [40, 38.75, 21.25].forEach((pct, i) => expect(bars[i]).toBeCloseTo(pct, 6));
    const stats = screen.getByTestId("portfolio-stats");
    expect(within(stats).getByText("+18.00%")).toBeTruthy();
    expect(within(stats).getByText("21.46%")).toBeTruthy();
    expect(within(stats).getByText("0.54")).toBeTruthy();
    expect(screen.getByTestId("portfolio-result").textContent).toContain("742 days of history, 01 Jan 2018 – 31 Dec 2020");
    expect(screen.getByTestId("portfolio-details").textContent).toContain("turnover 77.50%");
  });

  it("checks the risk of the optimised weights and shows VaR in % and ₹, drawdown and stress tests", async () => {
    const gw = gateway("trader");
    renderResearch();
    const form = await fillPortfolio();
    fireEvent.click(within(form).getByRole("button", { name: "Optimise" }));
    fireEvent.click(await screen.findByRole("button", { name: "Check risk" }));

    const result = await screen.findByTestId("risk-result");
    const body = gw.sent("POST", "/api/risk")[0].body as { weights: Record<string, number>; value_inr: number };
    expect(Object.keys(body.weights).sort()).toEqual(["HCLTECH", "INFY", "TCS"]);
    for (const [symbol, w] of Object.entries(PORTFOLIO.weights)) expect(body.weights[symbol]).toBeCloseTo(w, 9);
    expect(body).toMatchObject({ value_inr: 1_250_000, window_days: 500, benchmark: "NIFTY 50" });
    expect((screen.getByLabelText("Weights (%)") as HTMLTextAreaElement).value).toBe("INFY 40, HCLTECH 38.75, TCS 21.25");

    // one group per method; each row: confidence and horizon, VaR and CVaR in % with ₹ of ₹12,50,000 below
    const varRows = within(result).getAllByTestId("var-row");
    expect(varRows.map((r) => r.dataset.method)).toEqual(["historical", "historical", "parametric", "monte_carlo"]);
    const varCells = varRows.map((r) => [...r.querySelectorAll("th[scope=row], td")].map((c) => c.textContent));
    expect(varCells[0]).toEqual(["95%, 1 day", "2.15%₹26,875", "3.42%₹42,750"]);
    expect(varCells[1]).toEqual(["99%, 10 days", "12.34%₹1,54,250", "15.02%₹1,87,750"]);
    expect(within(result).getByRole("rowheader", { name: "Parametric (normal)" })).toBeTruthy();

    const summary = within(result).getByTestId("risk-summary");
    expect(summary.textContent).toContain("33.21%");
    expect(summary.textContent).toContain("14 Jan 2020 → 23 Mar 2020, recovered 31 Aug 2020");
    expect(summary.textContent).toContain("0.83");

    const stress = within(result).getAllByTestId("stress-row");
    expect(stress[0].textContent).toContain("-43.21%");
    expect(stress[0].textContent).toContain("-59.86%");
    expect(stress[0].textContent).toContain("-11.87%24 Oct 2008");
    expect(stress[0].textContent).toContain("no prices for HCLTECH: moved as beta × NIFTY 50");
    expect(stress[1].dataset.status).toBe("no_data");
    expect(stress[1].textContent).toContain("no closes on or before 2020-01-14");
    expect(within(result).getByTestId("risk-notes").textContent).toContain("50 independent 10-day outcomes");
    expect(within(result).getByTestId("correlation-heatmap").textContent).toContain("0.71");
  });

  it("shows the optimiser's 400 under the field its message names", async () => {
    gateway("viewer", (call) => (call.path === "/api/portfolio/optimize"
      ? json({ error: { code: "bad_request", message: "max_turnover: 0.8 is too small; meeting the weight bounds needs at least 0.9" } }, 400)
      : undefined));
    renderResearch();
    const form = await fillPortfolio();
    fireEvent.click(within(form).getByRole("button", { name: "Optimise" }));

    const message = await screen.findByText("0.8 is too small; meeting the weight bounds needs at least 0.9");
    const input = within(form).getByLabelText("Max turnover (%)");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toContain(message.id);
    expect(within(form).getByLabelText("Max weight (%)").getAttribute("aria-invalid")).toBeNull();
    expect(screen.queryByTestId("weights-table")).toBeNull();
    // editing the form clears the API's complaint
    change("Max turnover (%)", "95", form);
    expect(screen.queryByText(/needs at least 0.9/)).toBeNull();
  });
});

describe("Research page: models", () => {
  it("gives a viewer the models' records against the baselines but no Train or Predict", async () => {
    const gw = gateway("viewer");
    renderResearch(`/research?train=${JOB.id}`); // a shared link to someone's training
    const card = await screen.findByTestId("model-card");
    expect(screen.getByTestId("viewer-note").textContent).toContain("need the trader role");
    expect(card.textContent).toContain("160 features · 50 symbols");
    expect(card.textContent).toContain("03 Jan 2005 – 24 Dec 2020");

    const rows = within(card).getAllByTestId("score-row");
    expect(rows.map((r) => r.dataset.score)).toEqual(["model", "momentum_12_1", "reversal_5d"]);
    const model = within(rows[0]).getAllByRole("cell").map((c) => c.textContent);
    // IC and t (0.0451 × 40 = 1.804), rank IC, then the backtest with Indian costs
    expect(model).toEqual(["0.0451t 1.80", "0.0478t 1.91", "+84.20%", "+7.90%", "0.61", "31.50%", "₹1,23,457", "1,234"]);
    expect(rows[1].textContent).toContain("backtest skipped: no score in the test windows");
    expect(rows[2].textContent).toContain("-0.0088");

    expect(screen.getByRole("button", { name: "Optimise" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Train" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Predict latest" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Training setup" })).toBeNull();
    expect((await screen.findByTestId("train-job")).dataset.state).toBe("running");
    expect(screen.queryByRole("button", { name: "Cancel training" })).toBeNull();
    expect(gw.sent("POST", "/api/ml/train")).toHaveLength(0);
  });

  it("trains a model: sends the form, shows the job's progress, then the fold table", async () => {
    const gw = gateway("trader");
    renderResearch();
    const form = await screen.findByRole("form", { name: "Training setup" });
    change("Model name", "it_lgbm", form);
    change("From", "2010-01-01", form);
    change("To", "2020-12-31", form);
    change("Horizon (sessions)", "10", form);
    change("Folds", "2", form);
    change("Estimator", "hist_gradient_boosting", form);
    fireEvent.click(within(form).getByRole("button", { name: "Train" }));

    await waitFor(() => expect(gw.sent("POST", "/api/ml/train")).toHaveLength(1));
    expect(gw.sent("POST", "/api/ml/train")[0].body).toEqual({
      name: "it_lgbm", index: "NIFTY 50", start: "2010-01-01", end: "2020-12-31", target: "forward_return",
      horizon_days: 10, folds: 2, estimator: "hist_gradient_boosting", top_k: 3, costs: "nse_delivery_discount",
      seed: 7, news: true,
    });
    const bar = await screen.findByRole("progressbar", { name: "Training progress" });
    await waitFor(() => expect(bar.getAttribute("aria-valuenow")).toBe("40"));
    expect(screen.getByTestId("train-message").textContent).toBe("40% · fold 2/4: fitting 98,765 rows");
    expect(screen.getByTestId("where").textContent).toBe(`/research?train=${JOB.id}`);

    const table = await screen.findByTestId("fold-table", {}, { timeout: 4000 });
    expect(screen.getByTestId("train-job").dataset.state).toBe("done");
    expect(screen.queryByRole("progressbar")).toBeNull();
    const rows = within(table).getAllByTestId("fold-row");
    expect(rows.map((r) => within(r).getByRole("rowheader").textContent)).toEqual(["1", "2", "All"]);
    const first = within(rows[0]).getAllByRole("cell").map((c) => c.textContent);
    // test window, rows, then IC and rank IC (with t) of the model, 12-1 momentum, 5-day reversal
    expect(first).toEqual(["01 Jan 2013 – 30 Dec 2016", "98,765", "24,680",
      "0.0312t 1.25", "0.0333t 1.33", "0.0222t 0.89", "0.0244t 0.98", "-0.0071t -0.28", "-0.0052t -0.21"]);
    // the pooled row beside each baseline's pooled row
    expect(within(rows[2]).getAllByRole("cell").map((c) => c.textContent).slice(3)).toEqual([
      "0.0104t 0.42", "0.0177t 0.71", "0.0117t 0.47", "0.0129t 0.52", "0.0011t 0.04", "0.0015t 0.06"]);
    expect(screen.getByTestId("train-result").textContent).toContain("Registered ml.it_lgbm v3");
    expect(screen.getByTestId("train-result").textContent).toContain("ret_20d 12.5%");
    // the registry is read again for the new version
    await waitFor(() => expect(gw.sent("GET", "/api/ml/models").length).toBeGreaterThanOrEqual(2));
  }, 15_000);

  it("cancels a running training", async () => {
    let state = "running";
    const gw = gateway("trader", (call) => {
      if (call.path !== `/api/jobs/${JOB.id}`) return undefined;
      if (call.method === "DELETE") state = "cancelled";
      return json({ ...JOB, state, progress: 0.1, message: "reading prices and news" });
    });
    renderResearch(`/research?train=${JOB.id}`);
    fireEvent.click(await screen.findByRole("button", { name: "Cancel training" }));
    await waitFor(() => expect(screen.getByTestId("train-job").dataset.state).toBe("cancelled"));
    expect(gw.sent("DELETE", `/api/jobs/${JOB.id}`)).toHaveLength(1);
    expect(screen.getByText(/nothing was registered/)).toBeTruthy();
  });

  it("predicts a watchlist's latest scores with a model and lists them highest first", async () => {
    const gw = gateway("trader");
    renderResearch();
    const card = await screen.findByTestId("model-card");
    await within(card).findByRole("option", { name: "watchlist: Core IT (3)" });
    expect((within(card).getByLabelText("Predict on") as HTMLSelectElement).value).toBe("list:4");
    fireEvent.click(within(card).getByRole("button", { name: "Predict latest" }));

    const table = await within(card).findByTestId("prediction-table");
    expect(gw.sent("POST", "/api/ml/predict")[0].body).toEqual({
      model: "it_lgbm", version: "2", symbols: ["TCS", "INFY", "HCLTECH"], store: true,
    });
    const rows = within(table).getAllByTestId("prediction-row").map((r) =>
      [within(r).getByRole("rowheader").textContent, ...within(r).getAllByRole("cell").map((c) => c.textContent)]);
    expect(rows).toEqual([
      ["INFY", "1", "0.0456", "31 Dec 2020"],
      ["TCS", "2", "0.0123", "31 Dec 2020"],
      ["HCLTECH", "3", "-0.0078", "31 Dec 2020"],
    ]);
    expect(card.textContent).toContain("No bars for ZZZ");
  });
});
