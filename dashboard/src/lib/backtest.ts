/**
 * The Backtest page's logic, kept out of the components so it can be tested by hand-checkable
 * numbers: the form's fields (built from the API's BacktestConfig and CostProfile, with their
 * defaults and bounds), the form <-> URL round trip, the request bodies, and what the results
 * are turned into (monthly returns, a rebased benchmark, sorted trades and their CSV, costs
 * by line, a sweep's grid).
 */
import { ApiError, type Schemas } from "../api/client";
import { formatCount, formatINR, formatNumber, formatPct } from "./format";

export type Catalog = Schemas["StrategyCatalog"];
export type StrategyInfo = Schemas["StrategyInfo"];
export type StrategySpec = Schemas["StrategySpec"];
export type BacktestConfig = Schemas["BacktestConfig"];
export type BacktestRequest = Schemas["BacktestRequest"];
export type BacktestRun = Schemas["BacktestRun"];
export type StoredBacktest = Schemas["StoredBacktest"];
export type BacktestSummary = Schemas["BacktestSummary"];
export type Trade = Schemas["BacktestTrade"];
export type CostPeriod = Schemas["CostPeriod"];
export type CostProfile = Schemas["CostProfile"];
export type EquityCurve = Schemas["EquityCurve"];
export type JobInfo = Schemas["JobInfo"];
export type SweepReport = Schemas["SweepReport"];
export type SweepRequest = Schemas["SweepRequest"];
export type Adjust = BacktestRequest["adjust"];
export type Interval = BacktestRequest["interval"];

/**
 * The generated config type lists every field as set (the reply fills defaults in); a request
 * sends only the fields the user changed, so the server's own defaults (including the intraday
 * ones: cost profile, 15:20 square-off, periods a year) still apply to the rest.
 */
export type ConfigPatch = Partial<BacktestConfig>;
export type RunBody = Omit<BacktestRequest, "config"> & { config?: ConfigPatch };
export type SweepBody = Omit<SweepRequest, "config"> & { config?: ConfigPatch };

export const ADJUSTS: readonly Adjust[] = ["split", "total", "none"];
export const INTERVALS: readonly Interval[] = ["1d", "1m", "3m", "5m", "10m", "15m", "30m", "1h", "2h"];
export const ADJUST_TEXT: Record<Adjust, string> = {
  split: "Splits and bonuses",
  total: "Total return (also dividends)",
  none: "As printed",
};

// ---------------------------------------------------------------------------------------
// The form's fields, from openapi.json (a test checks every default and bound against it)
// ---------------------------------------------------------------------------------------

export type FieldKind = "number" | "integer" | "boolean" | "enum" | "time";
export type FieldGroup = "capital" | "execution" | "exits" | "annualising";

export interface FieldSpec {
  label: string;
  kind: FieldKind;
  /** The API's default; null for an optional field that is off unless set. */
  default: number | string | boolean | null;
  nullable?: boolean;
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  options?: readonly string[];
  optionText?: Record<string, string>;
  group: FieldGroup;
  help: string;
}

type ConfigField = Exclude<keyof BacktestConfig, "costs">;

export const CONFIG_FIELDS: { [K in ConfigField]-?: FieldSpec } = {
  initial_cash_inr: {
    label: "Initial capital (₹)", kind: "number", default: 1000000, exclusiveMin: 0, max: 1e13,
    group: "capital", help: "Cash in the account on the first bar.",
  },
  sizing: {
    label: "Position sizing", kind: "enum", default: "percent_equity",
    options: ["fixed_quantity", "fixed_cash", "percent_equity", "volatility_target"],
    optionText: {
      fixed_quantity: "Fixed quantity (shares)", fixed_cash: "Fixed rupees",
      percent_equity: "% of equity", volatility_target: "Volatility target (ATR risk)",
    },
    group: "capital", help: "How many shares an entry buys. Buys are capped by cash (no leverage).",
  },
  size: {
    label: "Size", kind: "number", default: 100, exclusiveMin: 0, max: 1e12, group: "capital",
    help: "Shares, rupees, % of equity, or % of equity risked, by the sizing above.",
  },
  fractional: {
    label: "Fractional quantities", kind: "boolean", default: false, group: "capital",
    help: "Off: whole shares, rounded down.",
  },
  atr_period: {
    label: "ATR period (bars)", kind: "integer", default: 14, min: 1, max: 10000, group: "capital",
    help: "Volatility-target sizing only.",
  },
  atr_multiple: {
    label: "ATR multiple", kind: "number", default: 2, exclusiveMin: 0, max: 1000, group: "capital",
    help: "Volatility-target sizing only: the adverse move risked, in ATRs.",
  },
  fill: {
    label: "Fill at", kind: "enum", default: "next_open", options: ["next_open", "next_close"],
    optionText: { next_open: "Next bar's open", next_close: "Next bar's close" },
    group: "execution", help: "A signal on a bar's close fills on the next bar, never its own.",
  },
  slippage_bps: {
    label: "Slippage (bps)", kind: "number", default: 0, min: 0, exclusiveMax: 10000, group: "execution",
    help: "Adverse, on every fill; 10 bps = 0.1 %.",
  },
  slippage_ticks: {
    label: "Slippage (ticks)", kind: "integer", default: 0, min: 0, max: 10000, group: "execution",
    help: "Adverse ticks on every fill (use this or bps).",
  },
  tick_size_inr: {
    label: "Tick size (₹)", kind: "number", default: 0.05, exclusiveMin: 0, max: 10000, group: "execution",
    help: "NSE equities tick at ₹0.05.",
  },
  allow_reversal: {
    label: "Reverse on opposite signal", kind: "boolean", default: false, group: "execution",
    help: "Off: an opposite entry waits until the position is flat.",
  },
  max_entries: {
    label: "Entries per position", kind: "integer", default: 1, min: 1, max: 10000, group: "execution",
    help: "Pyramiding; 1 = none.",
  },
  max_positions: {
    label: "Max open positions", kind: "integer", default: null, nullable: true, min: 1, max: 10000,
    group: "execution", help: "Across symbols of a portfolio; empty: no limit.",
  },
  square_off_ist: {
    label: "Square-off (IST)", kind: "time", default: null, nullable: true, group: "execution",
    help: "Intraday bars only (MIS); empty: none, or 15:20 by default on intraday bars.",
  },
  stop_loss_pct: {
    label: "Stop loss (%)", kind: "number", default: null, nullable: true, exclusiveMin: 0, exclusiveMax: 100,
    group: "exits", help: "Below the average entry price; checked against each bar's low.",
  },
  take_profit_pct: {
    label: "Take profit (%)", kind: "number", default: null, nullable: true, exclusiveMin: 0, max: 100000,
    group: "exits", help: "Above the average entry price.",
  },
  trailing_stop_pct: {
    label: "Trailing stop (%)", kind: "number", default: null, nullable: true, exclusiveMin: 0, exclusiveMax: 100,
    group: "exits", help: "Below the best high since entry.",
  },
  periods_per_year: {
    label: "Periods per year", kind: "integer", default: 252, min: 1, max: 525600, group: "annualising",
    help: "252 NSE sessions; intraday runs default to 252 × bars a session.",
  },
  risk_free_rate_pct: {
    label: "Risk-free rate (% a year)", kind: "number", default: 0, min: -100, max: 100, group: "annualising",
    help: "For Sharpe and Sortino.",
  },
};

/** The API's default cost profile (BacktestConfig.costs). */
export const DEFAULT_COSTS = "zero";
/** The value of the cost select that shows the custom-rates fields. */
export const CUSTOM_COSTS = "custom";

type CostField = Exclude<keyof CostProfile, "name" | "description" | "schedule">;

/** A custom cost profile's rates (CostProfile), all % of turnover unless in ₹. */
export const COST_FIELDS: { [K in CostField]-?: FieldSpec } = {
  brokerage_pct: { label: "Brokerage (% of turnover)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  brokerage_flat_inr: { label: "Brokerage per order (₹)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  brokerage_cap_inr: {
    label: "Brokerage cap per order (₹)", kind: "number", default: null, nullable: true, min: 0, group: "execution",
    help: "Empty: no cap.",
  },
  stt_buy_pct: { label: "STT on buys (%)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  stt_sell_pct: { label: "STT on sells (%)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  exchange_txn_pct: { label: "Exchange charges (%)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  sebi_fee_pct: { label: "SEBI fee (%)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  stamp_duty_buy_pct: { label: "Stamp duty on buys (%)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  stamp_duty_sell_pct: { label: "Stamp duty on sells (%)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
  gst_pct: {
    label: "GST (%)", kind: "number", default: 0, min: 0, group: "execution",
    help: "On brokerage, exchange charges and the SEBI fee.",
  },
  dp_charge_sell_inr: { label: "DP charge per sell (₹)", kind: "number", default: 0, min: 0, group: "execution", help: "" },
};

/** "nse_delivery_discount" -> "NSE delivery, discount broker" (the catalog gives names only). */
export function costProfileText(name: string): string {
  if (name === "zero") return "Zero costs (research baseline)";
  const words = name.split("_");
  const exchange = words[0]?.toUpperCase() ?? "";
  const segment = words[1] ?? "";
  const broker = words.slice(2).join(" ");
  const brokerText = broker === "discount" ? "discount broker" : broker === "fullservice" ? "full-service broker" : broker;
  return [`${exchange} ${segment}`.trim(), brokerText].filter(Boolean).join(", ");
}

/** A raw input checked against a field: the value to send, or what is wrong with it. */
export function parseField(spec: FieldSpec, raw: string): { value: number | string | boolean | null } | { error: string } {
  const text = raw.trim();
  if (spec.kind === "boolean") return { value: text === "1" || text === "true" };
  if (text === "") {
    if (spec.nullable) return { value: null };
    return spec.default === null ? { error: "required" } : { value: spec.default };
  }
  if (spec.kind === "enum") {
    return spec.options?.includes(text) ? { value: text } : { error: `one of ${spec.options?.join(", ")}` };
  }
  if (spec.kind === "time") {
    return /^([01]\d|2[0-3]):[0-5]\d$/.test(text) ? { value: text } : { error: "a time like 15:20" };
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: "a number" };
  if (spec.kind === "integer" && !Number.isInteger(value)) return { error: "a whole number" };
  if (spec.min !== undefined && value < spec.min) return { error: `at least ${spec.min}` };
  if (spec.exclusiveMin !== undefined && value <= spec.exclusiveMin) return { error: `more than ${spec.exclusiveMin}` };
  if (spec.max !== undefined && value > spec.max) return { error: `at most ${formatNumber(spec.max, 0)}` };
  if (spec.exclusiveMax !== undefined && value >= spec.exclusiveMax) return { error: `less than ${formatNumber(spec.exclusiveMax, 0)}` };
  return { value };
}

/** The text an input shows for a field's value. */
export function fieldText(spec: FieldSpec, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (spec.kind === "boolean") return value ? "1" : "0";
  return String(value);
}

// ---------------------------------------------------------------------------------------
// Form state <-> URL
// ---------------------------------------------------------------------------------------

/** Everything the form holds, as the inputs' text; the URL carries it so a setup can be shared. */
export interface FormState {
  strategy: string;
  /** Strategy parameters the user set ("" or absent: the spec's value). */
  params: Record<string, string>;
  /** "RELIANCE, TCS" as typed. */
  symbols: string;
  start: string;
  end: string;
  adjust: Adjust;
  interval: Interval;
  /** "" = no benchmark. */
  benchmark: string;
  /** BacktestConfig fields the user set ("costs" included: a profile name or CUSTOM_COSTS). */
  config: Record<string, string>;
  /** Custom cost profile rates (with config.costs = CUSTOM_COSTS). */
  costs: Record<string, string>;
}

export const DEFAULT_BENCHMARK = "NIFTY 50";
/** A new daily backtest pays what a retail delivery trade pays, not the API's zero-cost
 * research default: a trader reading the result should see net returns. */
export const FORM_DAILY_COSTS = "nse_delivery_discount";

export function emptyForm(strategy = ""): FormState {
  return {
    strategy, params: {}, symbols: "", start: "", end: "", adjust: "split", interval: "1d",
    benchmark: DEFAULT_BENCHMARK, config: { costs: FORM_DAILY_COSTS }, costs: {},
  };
}

/** The form with another bar length: the daily cost default gives way to the server's
 * intraday default (NSE intraday) instead of charging delivery rates on intraday trades. */
export function withInterval(form: FormState, interval: Interval): FormState {
  const config = { ...form.config };
  if (interval !== "1d" && config.costs === FORM_DAILY_COSTS) delete config.costs;
  return { ...form, interval, config };
}

// URL keys; p.* params, c.* config fields, k.* custom cost rates
const PARAM = "p.";
const CONFIG = "c.";
const COST = "k.";

export function formFromParams(search: URLSearchParams): FormState {
  const form = emptyForm(search.get("strategy") ?? "");
  form.symbols = search.get("symbols") ?? "";
  form.start = search.get("start") ?? "";
  form.end = search.get("end") ?? "";
  const adjust = search.get("adjust");
  if (adjust && (ADJUSTS as readonly string[]).includes(adjust)) form.adjust = adjust as Adjust;
  const interval = search.get("interval");
  if (interval && (INTERVALS as readonly string[]).includes(interval)) form.interval = interval as Interval;
  const bench = search.get("benchmark");
  if (bench !== null) form.benchmark = bench === "none" ? "" : bench;
  for (const [key, value] of search) {
    if (key.startsWith(PARAM)) form.params[key.slice(PARAM.length)] = value;
    else if (key.startsWith(CONFIG)) form.config[key.slice(CONFIG.length)] = value;
    else if (key.startsWith(COST)) form.costs[key.slice(COST.length)] = value;
  }
  return form;
}

/** The form as URL parameters (defaults left out, so links stay short); keeps `keep` keys of `base`. */
export function formToParams(form: FormState, base?: URLSearchParams, keep: readonly string[] = ["job"]): URLSearchParams {
  const out = new URLSearchParams();
  if (form.strategy) out.set("strategy", form.strategy);
  if (form.symbols.trim()) out.set("symbols", form.symbols);
  if (form.start) out.set("start", form.start);
  if (form.end) out.set("end", form.end);
  if (form.adjust !== "split") out.set("adjust", form.adjust);
  if (form.interval !== "1d") out.set("interval", form.interval);
  if (form.benchmark !== DEFAULT_BENCHMARK) out.set("benchmark", form.benchmark || "none");
  for (const [k, v] of Object.entries(form.params)) if (v !== "") out.set(PARAM + k, v);
  for (const [k, v] of Object.entries(form.config)) if (v !== "") out.set(CONFIG + k, v);
  if (form.config.costs === CUSTOM_COSTS) {
    for (const [k, v] of Object.entries(form.costs)) if (v !== "") out.set(COST + k, v);
  }
  for (const key of keep) {
    const value = base?.get(key);
    if (value) out.set(key, value);
  }
  return out;
}

/** "RELIANCE, tcs,,NIFTY 50" -> ["RELIANCE", "TCS", "NIFTY 50"] (upper case, no repeats). */
export function parseSymbols(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(",")) {
    const symbol = part.trim().replace(/\s+/g, " ").toUpperCase();
    if (symbol) seen.add(symbol);
  }
  return [...seen];
}

/** A spec's parameters with the form's values over them; errors by parameter name. */
export function resolveParams(spec: StrategySpec | null, values: Record<string, string>):
  { params: Record<string, number>; errors: Record<string, string> } {
  const params: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const [name, fallback] of Object.entries(spec?.params ?? {})) {
    const raw = (values[name] ?? "").trim();
    if (raw === "") { params[name] = fallback; continue; }
    const value = Number(raw);
    if (!Number.isFinite(value)) errors[name] = "a number";
    else params[name] = value;
  }
  return { params, errors };
}

/** The config fields set in the form that differ from the API's defaults; errors by "config.<field>". */
export function configPatch(form: FormState): { config: ConfigPatch; errors: Record<string, string> } {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, spec] of Object.entries(CONFIG_FIELDS) as [ConfigField, FieldSpec][]) {
    const raw = form.config[name];
    if (raw === undefined || raw === "") continue;
    const parsed = parseField(spec, raw);
    if ("error" in parsed) errors[`config.${name}`] = parsed.error;
    else if (parsed.value !== spec.default) config[name] = parsed.value;
  }
  const costs = form.config.costs;
  if (costs === CUSTOM_COSTS) {
    const profile: Record<string, unknown> = { name: "custom", description: "set in the dashboard" };
    for (const [name, spec] of Object.entries(COST_FIELDS) as [CostField, FieldSpec][]) {
      const parsed = parseField(spec, form.costs[name] ?? "");
      if ("error" in parsed) errors[`config.costs.${name}`] = parsed.error;
      else if (parsed.value !== null) profile[name] = parsed.value;
    }
    config.costs = profile as CostProfile;
  } else if (costs) {
    config.costs = costs;
  }
  return { config: config as ConfigPatch, errors };
}

export interface Built<T> {
  body: T | null;
  /** What is wrong, by field ("symbols", "params.fast", "config.size", "strategy", ...). */
  errors: Record<string, string>;
}

/** The POST /api/backtest body of the form (`spec`: an edited spec replaces the named strategy). */
export function buildRunBody(form: FormState, spec: StrategySpec | null, custom: boolean): Built<RunBody> {
  const errors: Record<string, string> = {};
  const symbols = parseSymbols(form.symbols);
  if (symbols.length === 0) errors.symbols = "Add at least one symbol, e.g. RELIANCE.";
  if (!spec) errors.strategy = "Pick a strategy, or fix the spec's JSON.";
  const { params, errors: paramErrors } = resolveParams(spec, form.params);
  for (const [k, v] of Object.entries(paramErrors)) errors[`params.${k}`] = v;
  const { config, errors: configErrors } = configPatch(form);
  Object.assign(errors, configErrors);
  if (form.start && form.end && form.start > form.end) errors.end = "The end is before the start.";
  if (Object.keys(errors).length > 0 || !spec) return { body: null, errors };
  const body: RunBody = {
    strategy: custom ? (spec as unknown as Record<string, unknown>) : form.strategy,
    symbols, params, adjust: form.adjust, interval: form.interval,
    benchmark: form.benchmark.trim() || null,
    start: form.start || null, end: form.end || null,
  };
  if (Object.keys(config).length > 0) body.config = config;
  return { body, errors };
}

// ---------------------------------------------------------------------------------------
// API errors -> the field they are about
// ---------------------------------------------------------------------------------------

/**
 * Where a 400 belongs in the form: its `details` (each `loc` like ["body","config","size"]),
 * or the message's own "field: ..." prefix, or what it speaks of (spec, symbol).
 */
export function errorsByField(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  if (Array.isArray(error.details)) {
    for (const item of error.details as { loc?: unknown[]; msg?: string }[]) {
      const loc = (item.loc ?? []).filter((p) => p !== "body").map(String);
      // a strategy spec's own path ("strategy.dict[str,any].entry_long...") belongs to the spec
      const key = loc[0] === "strategy" ? "strategy" : loc.join(".");
      if (key && item.msg) out[key] = out[key] ? `${out[key]}; ${item.msg}` : item.msg;
    }
    if (Object.keys(out).length > 0) return out;
  }
  const message = error.message;
  if (/strategy spec|^strategy\b/i.test(message)) return { strategy: message };
  if (/unknown symbol/i.test(message)) return { symbols: message };
  const prefix = /^([a-z_]+(?:\.[a-z_0-9]+)*):\s/.exec(message);
  if (prefix) return { [prefix[1]]: message.slice(prefix[0].length) };
  return {};
}

// ---------------------------------------------------------------------------------------
// A result, whether just run or reopened
// ---------------------------------------------------------------------------------------

export interface ResultView {
  id: number;
  strategy: string;
  spec: StrategySpec | null;
  params: Record<string, number>;
  symbols: string[];
  config: BacktestConfig;
  metrics: Record<string, number | null>;
  trades: Trade[];
  costSchedule: CostPeriod[];
  equity: EquityCurve;
  warnings: string[];
  adjust: Adjust;
  interval: string;
  /** As requested (null: from the first / to the last bar). */
  start: string | null;
  end: string | null;
  createdAt: string | null;
  owner: string | null;
}

export function viewOfRun(run: BacktestRun, body: RunBody, spec: StrategySpec | null): ResultView {
  return {
    id: run.id, strategy: run.strategy, spec, params: run.params, symbols: run.symbols,
    config: run.config, metrics: run.metrics, trades: run.trades, costSchedule: run.cost_schedule,
    equity: run.equity_curve, warnings: run.warnings, adjust: run.adjust, interval: body.interval,
    start: body.start ?? null, end: body.end ?? null, createdAt: new Date().toISOString(), owner: null,
  };
}

export function viewOfStored(stored: StoredBacktest): ResultView {
  return {
    id: stored.id, strategy: stored.strategy, spec: stored.spec, params: stored.params,
    symbols: stored.symbols, config: stored.config, metrics: stored.metrics, trades: stored.trades,
    costSchedule: stored.cost_schedule, equity: stored.equity_curve, warnings: stored.warnings,
    adjust: stored.adjust ?? "split", interval: stored.interval ?? "1d",
    start: stored.start_date, end: stored.end_date, createdAt: stored.created_at, owner: stored.owner,
  };
}

/** True when the two specs say the same (nulls and absent keys alike). */
export function sameSpec(a: unknown, b: unknown): boolean {
  const clean = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== null && x !== undefined)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, x]) => [k, clean(x)]));
    }
    return v;
  };
  return JSON.stringify(clean(a)) === JSON.stringify(clean(b));
}

/** The form that reruns a stored result; `custom` when its spec is not a shipped one as shipped. */
export function formOfView(view: ResultView, catalog: Catalog | undefined, benchmark: string):
  { form: FormState; customSpec: StrategySpec | null } {
  const shipped = catalog?.strategies.find((s) => s.name === view.strategy);
  const custom = view.spec !== null && (!shipped || !sameSpec(
    { ...shipped.spec, params: {} }, { ...view.spec, params: {} }));
  const specParams = (custom ? view.spec?.params : shipped?.spec.params) ?? {};
  const form = emptyForm(shipped?.name ?? catalog?.strategies[0]?.name ?? view.strategy);
  for (const [k, v] of Object.entries(view.params)) if (specParams[k] !== v) form.params[k] = String(v);
  form.symbols = view.symbols.join(", ");
  form.start = view.start ?? "";
  form.end = view.end ?? "";
  form.adjust = view.adjust;
  if ((INTERVALS as readonly string[]).includes(view.interval)) form.interval = view.interval as Interval;
  form.benchmark = benchmark;
  const intraday = form.interval !== "1d";
  for (const [name, spec] of Object.entries(CONFIG_FIELDS) as [ConfigField, FieldSpec][]) {
    const value = view.config[name];
    if (value === undefined || value === spec.default) continue;
    // an intraday run's filled-in defaults are the server's to choose again
    if (intraday && (name === "periods_per_year" || name === "square_off_ist")) continue;
    form.config[name] = fieldText(spec, value);
  }
  const costs = view.config.costs;
  if (typeof costs === "string") {
    if (costs !== DEFAULT_COSTS && !(intraday && costs === "nse_intraday_discount")) form.config.costs = costs;
  } else if (costs) {
    form.config.costs = CUSTOM_COSTS;
    for (const [name, spec] of Object.entries(COST_FIELDS) as [CostField, FieldSpec][]) {
      const value = costs[name];
      if (value !== undefined && value !== null && value !== spec.default) form.costs[name] = fieldText(spec, value);
    }
  }
  return { form, customSpec: custom ? view.spec : null };
}

// ---------------------------------------------------------------------------------------
// Monthly returns, benchmark
// ---------------------------------------------------------------------------------------

export interface MonthlyRow {
  year: number;
  /** Jan..Dec, % (null: no bars that month). */
  months: (number | null)[];
  /** The year's compounded return, %. */
  total: number | null;
}

/**
 * Month-by-month returns of an equity curve: each month's last equity against the previous
 * month's last (the first month against the curve's first value), and each year's total
 * against the previous year's last. `ts` are ISO dates or IST timestamps (their first seven
 * characters are the IST month).
 */
export function monthlyReturns(ts: readonly string[], equity: readonly (number | null)[]): MonthlyRow[] {
  const lastOfMonth = new Map<string, number>();
  let base: number | null = null;
  for (let i = 0; i < ts.length; i++) {
    const value = equity[i];
    if (value === null || value === undefined || !Number.isFinite(value)) continue;
    if (base === null) base = value;
    lastOfMonth.set(ts[i].slice(0, 7), value);
  }
  if (base === null) return [];
  const rows = new Map<number, MonthlyRow>();
  let previous = base;
  let yearStart = base;
  let yearEnd = base;
  let currentYear: number | null = null;
  const closeYear = () => {
    if (currentYear === null) return;
    const row = rows.get(currentYear)!;
    row.total = yearStart > 0 ? (yearEnd / yearStart - 1) * 100 : null;
  };
  for (const [month, value] of lastOfMonth) {
    const year = Number(month.slice(0, 4));
    const index = Number(month.slice(5, 7)) - 1;
    if (year !== currentYear) {
      closeYear();
      currentYear = year;
      yearStart = previous;
      rows.set(year, { year, months: Array<number | null>(12).fill(null), total: null });
    }
    rows.get(year)!.months[index] = previous > 0 ? (value / previous - 1) * 100 : null;
    previous = value;
    yearEnd = value;
  }
  closeYear();
  return [...rows.values()];
}

/**
 * A benchmark's closes on the strategy's bars, rebased to `capital` at its first close:
 * each bar takes the benchmark's last close on or before its day (as the engine aligns it),
 * none before the benchmark's first bar or after its last.
 */
export function rebaseBenchmark(ts: readonly string[], capital: number,
  benchTs: readonly string[], benchClose: readonly number[]): (number | null)[] {
  const out: (number | null)[] = [];
  let j = -1;
  let first: number | null = null;
  const lastDay = benchTs.length ? benchTs[benchTs.length - 1].slice(0, 10) : "";
  for (const t of ts) {
    const day = t.slice(0, 10);
    while (j + 1 < benchTs.length && benchTs[j + 1].slice(0, 10) <= day) j++;
    const close = j >= 0 && day <= lastDay ? benchClose[j] : null;
    if (close === null || close === undefined || !(close > 0)) { out.push(null); continue; }
    first ??= close;
    out.push((capital * close) / first);
  }
  return out;
}

/** The total return of a rebased series, %, from its first to its last value. */
export function seriesReturnPct(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length < 2 || present[0] <= 0) return null;
  return (present[present.length - 1] / present[0] - 1) * 100;
}

// ---------------------------------------------------------------------------------------
// Trades: sort, CSV
// ---------------------------------------------------------------------------------------

export type TradeKey = keyof Trade;
export type SortDir = "asc" | "desc";

/** Trades sorted by one column (stable; nulls last whichever the direction). */
export function sortTrades(trades: readonly Trade[], key: TradeKey, dir: SortDir): Trade[] {
  const sign = dir === "asc" ? 1 : -1;
  return trades
    .map((trade, index) => ({ trade, index }))
    .sort((a, b) => {
      const x = a.trade[key];
      const y = b.trade[key];
      if (x === null && y === null) return a.index - b.index;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return c !== 0 ? c * sign : a.index - b.index;
    })
    .map(({ trade }) => trade);
}

export const TRADE_COLUMNS: readonly TradeKey[] = [
  "symbol", "direction", "entry_time", "exit_time", "quantity", "entry_price_inr",
  "exit_price_inr", "pnl_inr", "return_pct", "costs_inr", "exit_reason", "bars_held",
];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The trades as CSV (RFC 4180): the API's field names as the header, ISO dates and times as
 * the API gives them, plain numbers (no grouping, full precision) for a spreadsheet.
 */
export function tradesCsv(trades: readonly Trade[]): string {
  const lines = [TRADE_COLUMNS.join(",")];
  for (const trade of trades) lines.push(TRADE_COLUMNS.map((k) => csvCell(trade[k])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

// ---------------------------------------------------------------------------------------
// Costs by line
// ---------------------------------------------------------------------------------------

export interface CostLine {
  key: string;
  label: string;
  inr: number;
  note?: string;
}

export interface CostBreakdown {
  lines: CostLine[];
  /** The run's own total (the trades' costs_inr). */
  total: number;
  /** Of the total, what the known rates do not account for (brokerage/DP of a named profile). */
  unattributed: number;
}

type Rates = Partial<Record<CostField, number | null>>;

function ratesOn(day: string, schedule: readonly CostPeriod[], profile: CostProfile | null): Rates {
  const rates: Rates = {};
  if (profile) {
    for (const name of Object.keys(COST_FIELDS) as CostField[]) rates[name] = profile[name] ?? null;
  }
  const period = schedule.find((p) => p.from <= day && day <= p.to)
    ?? (schedule.length && day < schedule[0].from ? schedule[0] : schedule[schedule.length - 1]);
  if (period) Object.assign(rates, period.rates_pct);
  return rates;
}

/**
 * The costs a run paid, by contract-note line, summed over its trades. A trade has one total
 * (`costs_inr`, both legs); the lines are recomputed the engine's way from the rates in force
 * on each leg's day: the run's `cost_schedule` (statutory rates) and, for a custom profile,
 * its own rates. Whatever the known rates do not explain (a named profile's brokerage and DP
 * charges, which the API does not publish) is reported as the remainder, so the lines always
 * add up to the run's total.
 */
export function costBreakdown(trades: readonly Trade[], schedule: readonly CostPeriod[],
  costs: BacktestConfig["costs"]): CostBreakdown {
  const profile = typeof costs === "object" && costs !== null ? costs : null;
  const sums = { brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, gst: 0, dp: 0 };
  let brokerageKnown = profile !== null;
  let total = 0;
  for (const trade of trades) {
    total += trade.costs_inr;
    const long = trade.direction === "long";
    const legs: [string, number, boolean][] = [[trade.entry_time, trade.quantity * trade.entry_price_inr, long]];
    if (trade.exit_reason !== "open" && trade.exit_time) {
      legs.push([trade.exit_time, trade.quantity * trade.exit_price_inr, !long]);
    }
    for (const [time, turnover, buy] of legs) {
      if (!(turnover > 0)) continue;
      const r = ratesOn(time.slice(0, 10), schedule, profile);
      const pct = (name: CostField) => (r[name] ?? 0) / 100;
      const exchange = turnover * pct("exchange_txn_pct");
      const sebi = turnover * pct("sebi_fee_pct");
      let brokerage = 0;
      if (profile) {
        brokerage = Math.min((r.brokerage_flat_inr ?? 0) + turnover * pct("brokerage_pct"),
          r.brokerage_cap_inr ?? Number.POSITIVE_INFINITY);
      }
      sums.brokerage += brokerage;
      sums.stt += turnover * pct(buy ? "stt_buy_pct" : "stt_sell_pct");
      sums.stamp += turnover * pct(buy ? "stamp_duty_buy_pct" : "stamp_duty_sell_pct");
      sums.exchange += exchange;
      sums.sebi += sebi;
      sums.gst += (brokerage + exchange + sebi) * pct("gst_pct");
      if (!buy && profile) sums.dp += (r.dp_charge_sell_inr ?? 0) * (1 + pct("gst_pct"));
    }
  }
  if (trades.length === 0) brokerageKnown = false;
  const lines: CostLine[] = [
    { key: "stt", label: "Securities transaction tax (STT)", inr: sums.stt },
    { key: "stamp", label: "Stamp duty", inr: sums.stamp },
    { key: "exchange", label: "Exchange transaction charges", inr: sums.exchange },
    { key: "sebi", label: "SEBI turnover fee", inr: sums.sebi },
    { key: "gst", label: "GST (service tax before July 2017)", inr: sums.gst,
      note: brokerageKnown ? "on brokerage, exchange charges and SEBI fee" : "on exchange charges and SEBI fee" },
  ];
  if (brokerageKnown) {
    lines.unshift({ key: "brokerage", label: "Brokerage", inr: sums.brokerage });
    lines.push({ key: "dp", label: "DP charges (with GST)", inr: sums.dp });
  }
  const known = lines.reduce((s, l) => s + l.inr, 0);
  const unattributed = total - known;
  return { lines, total, unattributed: Math.abs(unattributed) < 0.005 ? 0 : unattributed };
}

// ---------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------

const METRIC_LABELS: Record<string, string> = {
  total_return_pct: "Total return",
  cagr_pct: "CAGR",
  annual_volatility_pct: "Volatility (annual)",
  sharpe_ratio: "Sharpe ratio",
  sortino_ratio: "Sortino ratio",
  max_drawdown_pct: "Max drawdown",
  calmar_ratio: "Calmar ratio",
  trade_count: "Closed trades",
  open_trade_count: "Open trades at the end",
  win_rate_pct: "Win rate",
  profit_factor: "Profit factor",
  expectancy_inr: "Expectancy per trade",
  total_costs_inr: "Costs paid",
  exposure_time_pct: "Time in the market",
  initial_equity_inr: "Starting equity",
  final_equity_inr: "Final equity",
  max_drawdown_days: "Longest drawdown",
  average_win_inr: "Average win",
  average_loss_inr: "Average loss",
  benchmark_return_pct: "Benchmark return",
  alpha_pct: "Alpha (annual)",
  beta: "Beta",
  bar_count: "Bars",
};

/** Metrics that are signed returns ("+12.30%"); other percentages are shares ("46.67%"). */
const SIGNED = new Set(["total_return_pct", "cagr_pct", "max_drawdown_pct", "benchmark_return_pct", "alpha_pct"]);

export function metricLabel(key: string): string {
  if (METRIC_LABELS[key]) return METRIC_LABELS[key];
  const words = key.replace(/_(pct|inr)$/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A metric as a trader reads it, by its unit (catalog.metric_units) or its name's suffix. */
export function formatMetric(key: string, value: number | null | undefined, unit?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const u = unit ?? (key.endsWith("_inr") ? "₹" : key.endsWith("_pct") ? "%" : "");
  if (u.startsWith("₹")) return formatINR(value);
  if (u.startsWith("%")) return SIGNED.has(key) ? formatPct(value) : `${formatNumber(value, 2)}%`;
  if (u === "trades" || u === "bars") return formatCount(value);
  if (u === "calendar days") return `${formatCount(value)} days`;
  return formatNumber(value, 2);
}

/** Metric keys in the catalog's order, then any others the reply has. */
export function orderedMetricKeys(metrics: Record<string, unknown>, units: Record<string, string> | undefined): string[] {
  const known = Object.keys(units ?? METRIC_LABELS).filter((k) => k in metrics);
  const rest = Object.keys(metrics).filter((k) => !known.includes(k)).sort();
  return [...known, ...rest];
}

/** The metrics a sweep can rank by (the engine's CORE_METRICS; the catalog does not say which). */
export const SWEEP_METRICS: readonly string[] = [
  "sharpe_ratio", "sortino_ratio", "calmar_ratio", "total_return_pct", "cagr_pct",
  "max_drawdown_pct", "profit_factor", "win_rate_pct", "expectancy_inr", "final_equity_inr",
  "annual_volatility_pct", "trade_count", "total_costs_inr", "exposure_time_pct",
];

// ---------------------------------------------------------------------------------------
// Colour scales
// ---------------------------------------------------------------------------------------

/** A diverging background for a signed % (green up, red down), strongest at ±`maxAbs`. */
export function divergingColor(value: number | null, maxAbs: number): string | undefined {
  if (value === null || !Number.isFinite(value) || maxAbs <= 0 || value === 0) return undefined;
  const alpha = 0.12 + 0.6 * Math.min(Math.abs(value) / maxAbs, 1);
  return value > 0 ? `rgba(16, 185, 129, ${alpha.toFixed(2)})` : `rgba(244, 63, 94, ${alpha.toFixed(2)})`;
}

/** A sequential background from `min` (faint) to `max` (strong). */
export function sequentialColor(value: number | null, min: number, max: number): string | undefined {
  if (value === null || !Number.isFinite(value)) return undefined;
  const t = max > min ? (value - min) / (max - min) : 1;
  return `rgba(14, 165, 233, ${(0.08 + 0.62 * t).toFixed(2)})`;
}

// ---------------------------------------------------------------------------------------
// Sweeps
// ---------------------------------------------------------------------------------------

/**
 * Grid values from text: "5, 10, 20" or a range "5:50:5" (start:stop:step, stop included);
 * at most `limit` values.
 */
export function parseGridValues(text: string, limit = 500): { values: number[] } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { error: "give values, e.g. 5, 10, 20 or 5:50:5" };
  const range = /^(-?[\d.]+)\s*:\s*(-?[\d.]+)\s*:\s*([\d.]+)$/.exec(trimmed);
  if (range) {
    const [start, stop, step] = range.slice(1).map(Number);
    if (!(step > 0) || stop < start) return { error: "a range is start:stop:step, with stop ≥ start and step > 0" };
    const count = Math.floor((stop - start) / step + 1e-9) + 1;
    if (count > limit) return { error: `${count} values; at most ${limit}` };
    // rounded to the step's decimals, so 0.1 steps do not drift
    const decimals = (String(step).split(".")[1] ?? "").length;
    return { values: Array.from({ length: count }, (_, i) => Number((start + i * step).toFixed(decimals))) };
  }
  const values = trimmed.split(/[\s,]+/).filter(Boolean).map(Number);
  if (values.some((v) => !Number.isFinite(v))) return { error: "numbers separated by commas" };
  const unique = [...new Set(values)].sort((a, b) => a - b);
  if (unique.length > limit) return { error: `${unique.length} values; at most ${limit}` };
  return { values: unique };
}

export interface SweepMatrix {
  /** The swept parameters with more than one value: rows, then columns. */
  rowKey: string;
  colKey: string | null;
  rows: number[];
  cols: number[];
  /** values[r][c] of the metric (null: undefined, or left out by a constraint). */
  values: (number | null)[][];
  /** Parameters that took one value in every combination. */
  fixed: Record<string, number>;
  best: { row: number; col: number } | null;
}

/**
 * A sweep report laid out for a heat map: the first varying parameter down, the second
 * across (one parameter: one column). Null when more than two parameters vary or the
 * report has no table.
 */
export function sweepMatrix(report: SweepReport, metric: string): SweepMatrix | null {
  const params = report.params ?? {};
  const column = report.metrics?.[metric];
  if (!column) return null;
  const keys = Object.keys(params);
  const varying = keys.filter((k) => new Set(params[k]).size > 1);
  const fixed: Record<string, number> = {};
  for (const k of keys) if (!varying.includes(k) && params[k].length) fixed[k] = params[k][0];
  if (varying.length > 2) return null;
  const rowKey = varying[0] ?? keys[0];
  if (!rowKey) return null;
  const colKey = varying[1] ?? null;
  const uniq = (k: string) => [...new Set(params[k])].sort((a, b) => a - b);
  const rows = uniq(rowKey);
  const cols = colKey ? uniq(colKey) : [Number.NaN];
  const values = rows.map(() => cols.map((): number | null => null));
  for (let i = 0; i < column.length; i++) {
    const r = rows.indexOf(params[rowKey][i]);
    const c = colKey ? cols.indexOf(params[colKey][i]) : 0;
    if (r >= 0 && c >= 0) values[r][c] = column[i];
  }
  let best: SweepMatrix["best"] = null;
  const bp = report.best?.params;
  if (bp && bp[rowKey] !== undefined) {
    const r = rows.indexOf(bp[rowKey]);
    const c = colKey ? cols.indexOf(bp[colKey]) : 0;
    if (r >= 0 && c >= 0) best = { row: r, col: c };
  }
  return { rowKey, colKey, rows, cols: colKey ? cols : [], values, fixed, best };
}

/** A job that will not change any more. */
export function jobFinished(job: JobInfo | undefined): boolean {
  return job !== undefined && (job.state === "done" || job.state === "failed" || job.state === "cancelled");
}

/** The times of an equity curve as lightweight-charts wants them: daily "YYYY-MM-DD" stays a
 * business day; an intraday IST timestamp becomes seconds shifted so the axis reads IST. */
export function chartTime(ts: string): string | number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(ts)) return ts;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? ts : Math.floor(ms / 1000) + 19800;
}

/** A first guess at a parameter's grid: half, as is, one and a half, double. */
export function suggestGrid(value: number): string {
  const integer = Number.isInteger(value);
  const values = [0.5, 1, 1.5, 2].map((k) => (integer ? Math.max(1, Math.round(value * k)) : Number((value * k).toFixed(2))));
  return [...new Set(values)].join(", ");
}

export interface SweepInput {
  symbol: string;
  /** Swept parameters and their values' text. */
  axes: { param: string; values: string }[];
  constraints: string;
  metric: string;
}

/**
 * The POST /api/backtest/sweep body of the form and the sweep's own inputs. The request has
 * no `params`: a parameter the form changed but the sweep does not vary goes into the grid
 * with its one value, so the sweep runs what the form shows.
 */
export function buildSweepBody(form: FormState, spec: StrategySpec | null, custom: boolean, input: SweepInput):
  Built<SweepBody> & { combinations: number } {
  const errors: Record<string, string> = {};
  if (!spec) errors.strategy = "Pick a strategy, or fix the spec's JSON.";
  if (!input.symbol) errors["sweep.symbol"] = "Add a symbol to the form first.";
  const grid: Record<string, number[]> = {};
  const axes = input.axes.filter((a) => a.param);
  if (axes.length === 0) errors["sweep.axes"] = "Choose a parameter to sweep.";
  if (new Set(axes.map((a) => a.param)).size !== axes.length) errors["sweep.axes"] = "Choose two different parameters.";
  axes.forEach((axis, i) => {
    const parsed = parseGridValues(axis.values);
    if ("error" in parsed) errors[`sweep.values.${i}`] = parsed.error;
    else grid[axis.param] = parsed.values;
  });
  const { params, errors: paramErrors } = resolveParams(spec, form.params);
  for (const [k, v] of Object.entries(paramErrors)) errors[`params.${k}`] = v;
  for (const [name, value] of Object.entries(params)) {
    if (!(name in grid) && spec?.params?.[name] !== value) grid[name] = [value];
  }
  const { config, errors: configErrors } = configPatch(form);
  Object.assign(errors, configErrors);
  // NaN while an axis is wrong: there is no count to show
  const combinations = axes.reduce((n, a) => n * (grid[a.param]?.length ?? Number.NaN), 1);
  if (Object.keys(errors).length > 0 || !spec) return { body: null, errors, combinations };
  const body: SweepBody = {
    strategy: custom ? (spec as unknown as Record<string, unknown>) : form.strategy,
    symbol: input.symbol, grid, metric: input.metric, table: true,
    constraints: input.constraints.split(/[\n;,]+/).map((c) => c.trim()).filter(Boolean),
    adjust: form.adjust, interval: form.interval,
    start: form.start || null, end: form.end || null,
  };
  if (Object.keys(config).length > 0) body.config = config;
  return { body, errors, combinations };
}
