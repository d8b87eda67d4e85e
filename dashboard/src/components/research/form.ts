/**
 * The Research page's forms as plain data: what the trader typed (strings, percentages as
 * a person writes them) turned into the API's request bodies (fractions), with a message
 * per field for what cannot be sent; and the API's 400s mapped back onto those fields.
 */
import { ApiError } from "../../api/client";
import { parseSymbols } from "../../lib/backtest";
import type { Index, OptimizeBody, PredictBody, RiskBody, TrainBody } from "./types";

export type Errors = Record<string, string>;
/** The key of an error that names no field of the form (shown by the submit button). */
export const FORM_ERROR = "_form";

export const INDICES: Index[] = ["NIFTY 50", "NIFTY 100", "NIFTY 200", "NIFTY 500"];

export type Method = OptimizeBody["method"];
export const METHODS: { value: Method; label: string; help: string }[] = [
  { value: "max_sharpe", label: "Max Sharpe ratio", help: "The most expected return per unit of volatility above the risk-free rate." },
  { value: "min_volatility", label: "Min volatility", help: "The least volatile mix; expected returns are not used." },
  { value: "efficient_return", label: "Efficient return", help: "The least volatile mix that reaches the target annual return." },
  { value: "efficient_risk", label: "Efficient risk", help: "The highest expected return at the target annual volatility." },
  { value: "equal_risk_contribution", label: "Equal risk contribution (ERC)", help: "Each symbol adds the same share of the portfolio's variance." },
  { value: "hierarchical_risk_parity", label: "Hierarchical risk parity (HRP)", help: "Clusters correlated symbols and splits risk down the tree; robust to noisy estimates." },
];

/** ERC and HRP are long-only by construction and take no bounds, caps or turnover limit. */
export function takesConstraints(method: Method): boolean {
  return method !== "equal_risk_contribution" && method !== "hierarchical_risk_parity";
}

export const COVARIANCES: { value: OptimizeBody["covariance"]; label: string }[] = [
  { value: "ledoit_wolf", label: "Ledoit-Wolf shrinkage" },
  { value: "sample", label: "Sample" },
  { value: "ewma", label: "EWMA (recent days weigh more)" },
];

export const EXPECTED_RETURNS: { value: OptimizeBody["expected_returns"]; label: string }[] = [
  { value: "mean", label: "Historical mean" },
  { value: "ema", label: "Exponentially weighted mean" },
  { value: "model", label: "A model's latest scores" },
];

// ---------------------------------------------------------------------------------------
// Small parsers
// ---------------------------------------------------------------------------------------

/** A number typed in a field: null when empty, NaN when not a number. */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(/,/g, "");
  if (t === "") return null;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
}

/**
 * "TCS 30, INFY: 20; ITC=10%" (commas, semicolons or new lines between entries) as
 * `{TCS: 30, INFY: 20, ITC: 10}`. Names are upper-cased when `upper` (symbols), kept as
 * typed otherwise (sector names are matched exactly).
 */
export function parseNamedNumbers(text: string, { upper }: { upper: boolean }):
  { values: Record<string, number> } | { error: string } {
  const values: Record<string, number> = {};
  for (const raw of text.split(/[,;\n]/)) {
    const part = raw.trim();
    if (!part) continue;
    const match = /^(.+?)\s*(?:[:=]\s*|\s+)([-+]?(?:\d+\.?\d*|\.\d+))\s*%?$/.exec(part);
    if (!match) return { error: `“${part}” is not “name number”; write e.g. TCS 30, INFY 20` };
    const name = upper ? match[1].trim().toUpperCase() : match[1].trim();
    if (name in values) return { error: `${name} is given twice; list each once` };
    values[name] = Number(match[2]);
  }
  return { values };
}

/** Weights as the form shows them: "TCS 40, INFY 35.5" in percent, largest first, zeros left out. */
export function formatWeightList(weights: Record<string, number>): string {
  return Object.entries(weights)
    .map(([symbol, w]) => [symbol, Math.round(w * 1e6) / 1e4] as const)
    .filter(([, pct]) => pct !== 0)
    .sort((a, b) => b[1] - a[1])
    .map(([symbol, pct]) => `${symbol} ${pct}`)
    .join(", ");
}

/** A percentage field as a fraction, or an error naming the field; `undefined` when empty. */
function percent(text: string, field: string, errors: Errors, label: string,
  { min, max, minExclusive = false }: { min: number; max: number; minExclusive?: boolean }): number | undefined {
  const value = parseNumber(text);
  if (value === null) return undefined;
  if (Number.isNaN(value)) {
    errors[field] = `${label}: “${text.trim()}” is not a number; type a percentage such as 15`;
    return undefined;
  }
  if (value < min || value > max || (minExclusive && value === min)) {
    errors[field] = `${label}: ${value}% is out of range; use ${minExclusive ? "more than" : "at least"} ${min}% and at most ${max}%`;
    return undefined;
  }
  return value / 100;
}

function checkDates(start: string, end: string, errors: Errors) {
  if (start && end && start > end) errors.end = "The end is before the start; swap the dates.";
}

// ---------------------------------------------------------------------------------------
// Portfolio
// ---------------------------------------------------------------------------------------

export interface PortfolioForm {
  symbols: string;
  start: string;
  end: string;
  method: Method;
  covariance: OptimizeBody["covariance"];
  expectedReturns: OptimizeBody["expected_returns"];
  model: string;
  /** Percent fields: "" keeps the default shown as the placeholder. */
  riskFreePct: string;
  targetPct: string;
  minWeightPct: string;
  maxWeightPct: string;
  sectorCapsPct: string;
  currentWeightsPct: string;
  maxTurnoverPct: string;
  /** Not sent to the optimiser: turns weights into rupees here and in the risk check. */
  valueInr: string;
}

export const DEFAULT_PORTFOLIO: PortfolioForm = {
  symbols: "", start: "", end: "", method: "max_sharpe", covariance: "ledoit_wolf", expectedReturns: "mean",
  model: "", riskFreePct: "", targetPct: "", minWeightPct: "", maxWeightPct: "", sectorCapsPct: "",
  currentWeightsPct: "", maxTurnoverPct: "", valueInr: "",
};

/** The portfolio's value in rupees, or null (empty, or not a positive number). */
export function portfolioValue(text: string): number | null {
  const value = parseNumber(text);
  return value !== null && Number.isFinite(value) && value > 0 ? value : null;
}

function constraintsOf(form: PortfolioForm, n: number, errors: Errors): Pick<OptimizeBody,
  "min_weight" | "max_weight" | "sector_caps" | "current_weights" | "max_turnover"> {
  const minWeight = percent(form.minWeightPct, "min_weight", errors, "Min weight", { min: 0, max: 100 }) ?? 0;
  const maxWeight = percent(form.maxWeightPct, "max_weight", errors, "Max weight", { min: 0, max: 100, minExclusive: true }) ?? 1;
  if (!errors.min_weight && !errors.max_weight) {
    if (minWeight > maxWeight) errors.min_weight = "Min weight is above max weight; lower it or raise max weight.";
    else if (n > 0 && maxWeight * n < 1 - 1e-9) {
      errors.max_weight = `With ${n} symbols a cap of ${+(maxWeight * 100).toFixed(4)}% cannot make 100%; raise it to at least ${Math.ceil(10000 / n) / 100}% or add symbols.`;
    } else if (minWeight * n > 1 + 1e-9) {
      errors.min_weight = `With ${n} symbols a floor of ${+(minWeight * 100).toFixed(4)}% is over 100%; lower it to at most ${Math.floor(10000 / n) / 100}%.`;
    }
  }
  let sectorCaps: Record<string, number> | null = null;
  if (form.sectorCapsPct.trim()) {
    const parsed = parseNamedNumbers(form.sectorCapsPct, { upper: false });
    if ("error" in parsed) errors.sector_caps = parsed.error;
    else sectorCaps = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, v / 100]));
  }
  let current: Record<string, number> | null = null;
  if (form.currentWeightsPct.trim()) {
    const parsed = parseNamedNumbers(form.currentWeightsPct, { upper: true });
    if ("error" in parsed) errors.current_weights = parsed.error;
    else current = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, v / 100]));
  }
  const turnover = percent(form.maxTurnoverPct, "max_turnover", errors, "Max turnover", { min: 0, max: 200, minExclusive: true });
  if (turnover !== undefined && !form.currentWeightsPct.trim()) {
    errors.current_weights = "A turnover limit is measured from today's weights: type them here (e.g. TCS 30, INFY 20).";
  }
  if (turnover === undefined && form.currentWeightsPct.trim() && !form.maxTurnoverPct.trim()) {
    errors.max_turnover = "Today's weights are only used to limit turnover: give a max turnover, or clear them.";
  }
  return { min_weight: minWeight, max_weight: maxWeight, sector_caps: sectorCaps, current_weights: current, max_turnover: turnover ?? null };
}

export function buildOptimizeBody(form: PortfolioForm): { body: OptimizeBody | null; errors: Errors } {
  const errors: Errors = {};
  const symbols = parseSymbols(form.symbols);
  if (symbols.length < 2) errors.symbols = "A portfolio needs at least two symbols: type them or pick a watchlist.";
  checkDates(form.start, form.end, errors);
  const riskFree = percent(form.riskFreePct, "risk_free_rate", errors, "Risk-free rate", { min: -50, max: 100 }) ?? 0.065;
  let target: Partial<OptimizeBody> = {};
  if (form.method === "efficient_return" || form.method === "efficient_risk") {
    const field = form.method === "efficient_return" ? "target_return" : "target_volatility";
    const value = form.method === "efficient_return"
      ? percent(form.targetPct, field, errors, "Target return", { min: -100, max: 1000 })
      : percent(form.targetPct, field, errors, "Target volatility", { min: 0, max: 1000, minExclusive: true });
    if (value === undefined && !errors[field]) {
      errors[field] = form.method === "efficient_return"
        ? "Give the annual return to reach, in percent (e.g. 15)."
        : "Give the annual volatility to stay at, in percent (e.g. 20).";
    }
    target = { [field]: value ?? null };
  }
  if (form.expectedReturns === "model" && !form.model) errors.model = "Pick the model whose scores give the expected returns.";
  const constraints = takesConstraints(form.method)
    ? constraintsOf(form, symbols.length, errors)
    : { min_weight: 0, max_weight: 1, sector_caps: null, current_weights: null, max_turnover: null };
  if (Object.keys(errors).length > 0) return { body: null, errors };
  return {
    body: {
      symbols, start: form.start || null, end: form.end || null, method: form.method,
      covariance: form.covariance, expected_returns: form.expectedReturns,
      model: form.expectedReturns === "model" ? form.model : null,
      risk_free_rate: riskFree, ...target, ...constraints, adjust: "split",
    },
    errors,
  };
}

// ---------------------------------------------------------------------------------------
// Risk
// ---------------------------------------------------------------------------------------

export interface RiskForm {
  /** Percent of the portfolio's value per symbol: "TCS 30, INFY 30, HDFCBANK 40". */
  weightsPct: string;
  valueInr: string;
  end: string;
  windowDays: string;
}

export const DEFAULT_RISK: RiskForm = { weightsPct: "", valueInr: "", end: "", windowDays: "" };

export function buildRiskBody(form: RiskForm): { body: RiskBody | null; errors: Errors } {
  const errors: Errors = {};
  const parsed = parseNamedNumbers(form.weightsPct, { upper: true });
  let weights: Record<string, number> = {};
  if ("error" in parsed) errors.weights = parsed.error;
  else if (Object.keys(parsed.values).length === 0) errors.weights = "Type the weights in percent (e.g. TCS 30, INFY 30, HDFCBANK 40), or optimise a portfolio above and press Check risk.";
  else {
    weights = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, v / 100]));
    const gross = Object.values(weights).reduce((s, w) => s + Math.abs(w), 0);
    if (gross === 0) errors.weights = "Every weight is zero; give at least one position.";
  }
  const value = parseNumber(form.valueInr);
  if (value !== null && !(value > 0)) errors.value_inr = "Give the portfolio's value in rupees (a positive number), or leave it empty.";
  const window = parseNumber(form.windowDays);
  if (window !== null && !(Number.isInteger(window) && window >= 250 && window <= 5000)) {
    errors.window_days = "Use a whole number of daily returns from 250 (a trading year) to 5,000.";
  }
  if (Object.keys(errors).length > 0) return { body: null, errors };
  return {
    body: {
      weights, value_inr: value, end: form.end || null, window_days: window ?? 500,
      benchmark: "NIFTY 50", simulations: 50_000, seed: 0, adjust: "split",
    },
    errors,
  };
}

// ---------------------------------------------------------------------------------------
// Universe (training and predictions)
// ---------------------------------------------------------------------------------------

/** An index, a watchlist (`list:<id>`) or `typed` symbols. */
export interface Universe {
  source: string;
  symbols: string;
}

export function universeBody(universe: Universe, lists: { id: number; symbols: string[] }[], errors: Errors):
  { index: Index } | { symbols: string[] } | null {
  if ((INDICES as string[]).includes(universe.source)) return { index: universe.source as Index };
  const list = lists.find((w) => `list:${w.id}` === universe.source);
  const symbols = list ? list.symbols : parseSymbols(universe.symbols);
  if (symbols.length < 2) {
    errors.symbols = list
      ? "This watchlist has fewer than two symbols; a model ranks symbols against each other. Add some, or pick an index."
      : "Type at least two symbols (better ten or more): a model ranks symbols against each other.";
    return null;
  }
  return { symbols };
}

// ---------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------

export interface TrainForm {
  name: string;
  universe: Universe;
  start: string;
  end: string;
  target: TrainBody["target"];
  horizonDays: string;
  folds: string;
  estimator: TrainBody["estimator"];
}

export const DEFAULT_TRAIN: TrainForm = {
  name: "", universe: { source: "NIFTY 50", symbols: "" }, start: "", end: "", target: "forward_return",
  horizonDays: "5", folds: "5", estimator: "lightgbm",
};

export const TARGETS: { value: TrainBody["target"]; label: string }[] = [
  { value: "forward_return", label: "Forward return" },
  { value: "sign", label: "Sign of the forward return (up/down)" },
  { value: "rank", label: "Cross-sectional rank of the forward return" },
];

export const ESTIMATORS: { value: TrainBody["estimator"]; label: string }[] = [
  { value: "lightgbm", label: "LightGBM" },
  { value: "hist_gradient_boosting", label: "scikit-learn histogram gradient boosting" },
  { value: "random_forest", label: "scikit-learn random forest" },
  { value: "linear", label: "Linear (ridge / logistic)" },
];

function wholeNumber(text: string, field: string, errors: Errors, label: string, min: number, max: number): number {
  const value = parseNumber(text);
  if (value === null || !Number.isInteger(value) || value < min || value > max) {
    errors[field] = `${label}: use a whole number from ${min} to ${max}.`;
    return min;
  }
  return value;
}

export function buildTrainBody(form: TrainForm, lists: { id: number; symbols: string[] }[]): { body: TrainBody | null; errors: Errors } {
  const errors: Errors = {};
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(form.name)) {
    errors.name = form.name
      ? "Use lower-case letters, digits and _ (starting with a letter, at most 48): rules call it ml.<name>."
      : "Name the model: rules will call it ml.<name>.";
  }
  const universe = universeBody(form.universe, lists, errors);
  checkDates(form.start, form.end, errors);
  const horizon = wholeNumber(form.horizonDays, "horizon_days", errors, "Horizon", 1, 60);
  const folds = wholeNumber(form.folds, "folds", errors, "Folds", 2, 20);
  if (Object.keys(errors).length > 0 || !universe) return { body: null, errors };
  return {
    body: {
      name: form.name, ...universe, start: form.start || null, end: form.end || null, target: form.target,
      horizon_days: horizon, folds, estimator: form.estimator,
      top_k: 3, costs: "nse_delivery_discount", seed: 7, news: true,
    },
    errors,
  };
}

export function buildPredictBody(model: string, version: string, universe: Universe,
  lists: { id: number; symbols: string[] }[]): { body: PredictBody | null; errors: Errors } {
  const errors: Errors = {};
  const chosen = universeBody(universe, lists, errors);
  if (!chosen) return { body: null, errors };
  return { body: { model, version, ...chosen, store: true }, errors };
}

// ---------------------------------------------------------------------------------------
// The API's 400s, at the field they name
// ---------------------------------------------------------------------------------------

/** Names in the API's messages that are not a field of the form, and the field they mean. */
const ALIASES: Record<string, string> = {
  weight_bounds: "max_weight",
  model_returns: "model",
  prices: "symbols",
  returns: "symbols",
  index: "symbols",
  sectors: "sector_caps",
};

function place(out: Errors, fields: ReadonlySet<string>, key: string, message: string) {
  const head = key.split(".")[0];
  const field = fields.has(head) ? head : fields.has(ALIASES[head] ?? "") ? ALIASES[head] : FORM_ERROR;
  out[field] = out[field] ? `${out[field]}; ${message}` : message;
}

/** "name: rest" → ["name", "rest"] when the message starts with a field-like name. */
function splitPrefix(message: string): [string, string] | null {
  const m = /^(?:Value error, )?([a-z_][a-z0-9_]*(?:\.[A-Za-z0-9_ ]+)*):\s+(.*)$/s.exec(message);
  return m ? [m[1], m[2]] : null;
}

/**
 * The messages of an API error by the form field they name (`fields`: the API's field
 * names the form shows). Validation errors name the field in `details[].loc`; the compute
 * service's own 400s start their message with it ("max_turnover: 0.05 is too small; ...").
 * Anything else lands under {@link FORM_ERROR}.
 */
export function fieldErrors(error: unknown, fields: ReadonlySet<string>): Errors {
  if (!(error instanceof ApiError)) return {};
  const out: Errors = {};
  if (Array.isArray(error.details) && error.details.length > 0) {
    for (const item of error.details as { loc?: unknown[]; msg?: string }[]) {
      if (!item.msg) continue;
      const loc = (item.loc ?? []).filter((p) => p !== "body").map(String);
      const named = loc.length > 0 ? null : splitPrefix(item.msg);
      if (loc.length > 0) place(out, fields, loc.join("."), item.msg);
      else if (named) place(out, fields, named[0], named[1]);
      else place(out, fields, FORM_ERROR, item.msg.replace(/^Value error, /, ""));
    }
    if (Object.keys(out).length > 0) return out;
  }
  if (/unknown symbol/i.test(error.message) && fields.has("symbols")) return { symbols: error.message };
  const named = splitPrefix(error.message);
  if (named) place(out, fields, named[0], named[1]);
  else out[FORM_ERROR] = error.message;
  return out;
}
