import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import {
  DEFAULT_PORTFOLIO, DEFAULT_RISK, DEFAULT_TRAIN, FORM_ERROR, buildOptimizeBody, buildRiskBody, buildTrainBody,
  fieldErrors, formatWeightList, parseNamedNumbers, type PortfolioForm,
} from "./form";

const FIELDS = new Set(["symbols", "max_weight", "min_weight", "current_weights", "max_turnover", "model", "target_return"]);
const form = (patch: Partial<PortfolioForm>): PortfolioForm => ({ ...DEFAULT_PORTFOLIO, symbols: "tcs, infy, itc", ...patch });

describe("parseNamedNumbers", () => {
  it("reads name-number pairs with any separator, upper-casing symbols only when asked", () => {
    expect(parseNamedNumbers("tcs 30, INFY: 20.5;itc=10%\n m&m 5", { upper: true }))
      .toEqual({ values: { TCS: 30, INFY: 20.5, ITC: 10, "M&M": 5 } });
    expect(parseNamedNumbers("Financial Services 40, IT: 35", { upper: false }))
      .toEqual({ values: { "Financial Services": 40, IT: 35 } });
  });
  it("names what it cannot read, and refuses a name given twice", () => {
    expect(parseNamedNumbers("TCS thirty", { upper: true })).toHaveProperty("error", expect.stringContaining("TCS thirty"));
    expect(parseNamedNumbers("TCS 1, tcs 2", { upper: true })).toEqual({ error: "TCS is given twice; list each once" });
  });
  it("round-trips the weights the form writes, to a millionth", () => {
    const weights = { TCS: 0.4012344, INFY: 0.35, ITC: 0.2487656, WIPRO: 1e-9 };
    const text = formatWeightList(weights);
    expect(text.startsWith("TCS 40.1234, INFY 35, ITC 24.8766")).toBe(true);
    expect(text).not.toContain("WIPRO"); // below the shown precision: nothing held
    const parsed = parseNamedNumbers(text, { upper: true });
    if (!("values" in parsed)) throw new Error(parsed.error);
    for (const [symbol, pct] of Object.entries(parsed.values)) expect(pct / 100).toBeCloseTo(weights[symbol as keyof typeof weights], 6);
  });
});

describe("buildOptimizeBody", () => {
  it("sends percentages as fractions and today's weights with the turnover limit", () => {
    const { body, errors } = buildOptimizeBody(form({
      method: "efficient_return", targetPct: "18", minWeightPct: "5", maxWeightPct: "40", riskFreePct: "7",
      currentWeightsPct: "TCS 50, INFY 50", maxTurnoverPct: "30", sectorCapsPct: "IT 80", start: "2018-01-01",
    }));
    expect(errors).toEqual({});
    expect(body).toEqual({
      symbols: ["TCS", "INFY", "ITC"], start: "2018-01-01", end: null, method: "efficient_return",
      covariance: "ledoit_wolf", expected_returns: "mean", model: null, risk_free_rate: 0.07,
      target_return: 0.18, min_weight: 0.05, max_weight: 0.4, sector_caps: { IT: 0.8 },
      current_weights: { TCS: 0.5, INFY: 0.5 }, max_turnover: 0.3, adjust: "split",
    });
  });

  it("gives ERC and HRP no bounds, caps or turnover whatever the fields hold", () => {
    const { body } = buildOptimizeBody(form({ method: "hierarchical_risk_parity", maxWeightPct: "10", maxTurnoverPct: "5" }));
    expect(body).toMatchObject({ min_weight: 0, max_weight: 1, sector_caps: null, current_weights: null, max_turnover: null });
    expect(body).not.toHaveProperty("target_return");
  });

  it("names the field of each mistake before asking the API", () => {
    expect(buildOptimizeBody(form({ symbols: "TCS" })).errors).toHaveProperty("symbols");
    expect(buildOptimizeBody(form({ method: "efficient_risk" })).errors).toHaveProperty("target_volatility");
    // 3 symbols capped at 30 % cannot make 100 %: the least cap that can is 33.34 %
    expect(buildOptimizeBody(form({ maxWeightPct: "30" })).errors.max_weight).toContain("at least 33.34%");
    expect(buildOptimizeBody(form({ maxTurnoverPct: "20" })).errors).toHaveProperty("current_weights");
    expect(buildOptimizeBody(form({ currentWeightsPct: "TCS 100" })).errors).toHaveProperty("max_turnover");
    expect(buildOptimizeBody(form({ minWeightPct: "50", maxWeightPct: "40" })).errors).toHaveProperty("min_weight");
    expect(buildOptimizeBody(form({ expectedReturns: "model" })).errors).toHaveProperty("model");
    expect(buildOptimizeBody(form({ start: "2021-01-02", end: "2021-01-01" })).errors).toHaveProperty("end");
    expect(buildOptimizeBody(form({ maxWeightPct: "abc" })).body).toBeNull();
  });
});

describe("buildRiskBody and buildTrainBody", () => {
  it("sends weights as fractions and the defaults the API documents", () => {
    expect(buildRiskBody({ ...DEFAULT_RISK, weightsPct: "tcs 30, INFY 70", valueInr: "10,00,000" }).body).toEqual({
      weights: { TCS: 0.3, INFY: 0.7 }, value_inr: 1_000_000, end: null, window_days: 500,
      benchmark: "NIFTY 50", simulations: 50_000, seed: 0, adjust: "split",
    });
    expect(buildRiskBody({ ...DEFAULT_RISK, weightsPct: "TCS 30", windowDays: "100" }).errors).toHaveProperty("window_days");
    expect(buildRiskBody(DEFAULT_RISK).errors).toHaveProperty("weights");
  });
  it("trains on a watchlist's symbols and refuses a name rules cannot call", () => {
    const lists = [{ id: 4, symbols: ["TCS", "INFY", "ITC"] }];
    const { body } = buildTrainBody({ ...DEFAULT_TRAIN, name: "my_model", universe: { source: "list:4", symbols: "" } }, lists);
    expect(body).toMatchObject({ name: "my_model", symbols: ["TCS", "INFY", "ITC"], horizon_days: 5, folds: 5 });
    expect(body).not.toHaveProperty("index");
    expect(buildTrainBody({ ...DEFAULT_TRAIN, name: "My-Model" }, lists).errors).toHaveProperty("name");
    expect(buildTrainBody({ ...DEFAULT_TRAIN, name: "m", folds: "1" }, lists).errors).toHaveProperty("folds");
  });
});

describe("fieldErrors", () => {
  it("places validation errors by their location, and a model check by its message", () => {
    const error = new ApiError(400, "bad_request", "max_weight: Input should be less than or equal to 1", [
      { loc: ["body", "max_weight"], msg: "Input should be less than or equal to 1" },
      { loc: ["body", "current_weights", "tcs x"], msg: "String should match pattern" },
      { loc: ["body"], msg: "Value error, current_weights: max_turnover needs today's weights" },
    ]);
    expect(fieldErrors(error, FIELDS)).toEqual({
      max_weight: "Input should be less than or equal to 1",
      current_weights: "String should match pattern; max_turnover needs today's weights",
    });
  });
  it("places the compute service's messages by the name they start with (or an alias of it)", () => {
    const turnover = new ApiError(400, "bad_request", "max_turnover: 0.05 is too small; meeting the bounds needs 0.12");
    expect(fieldErrors(turnover, FIELDS)).toEqual({ max_turnover: "0.05 is too small; meeting the bounds needs 0.12" });
    const bounds = new ApiError(400, "bad_request", "weight_bounds: the upper bounds sum to 0.9 < 1, so the weights cannot sum to 1");
    expect(Object.keys(fieldErrors(bounds, FIELDS))).toEqual(["max_weight"]);
    const constraints = new ApiError(400, "bad_request", "constraints: the weight bounds and sector caps cannot all hold");
    expect(fieldErrors(constraints, FIELDS)).toEqual({ [FORM_ERROR]: "the weight bounds and sector caps cannot all hold" });
    expect(fieldErrors(new ApiError(404, "not_found", "unknown symbol ZZZ"), FIELDS)).toEqual({ symbols: "unknown symbol ZZZ" });
    expect(fieldErrors(new TypeError("failed to fetch"), FIELDS)).toEqual({});
  });
});
