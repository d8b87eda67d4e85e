/**
 * Catalogue-driven indicator helpers: where an indicator is drawn, its full parameter list,
 * its label and the stable series keys the browser tests read back.
 */
import type { Schemas } from "../../api/client";
import { specKey, type IndicatorSpec } from "../../lib/chartState";
import { formatNumber } from "../../lib/format";

export type IndicatorInfo = Schemas["IndicatorInfo"];
export type Catalog = Schemas["IndicatorCatalog"];

/**
 * The catalogue has no units, so this names the price-level indicators outside TA-Lib's
 * Overlap Studies: price transforms, pivots, Ichimoku, ZigZag, regression lines, VWAPs.
 * Groups whose every member is a price level are listed as groups.
 */
const PRICE_GROUPS = new Set(["overlap", "price_transform", "support_resistance", "trend"]);
const PRICE_LEVELS = new Set([
  "linearreg", "linearreg_intercept", "tsf", "percentile", "vwap", "vwap_rolling", "vwap_session",
]);
/** Outputs in those groups that are not prices (a spread, or a ±1 direction flag). */
const NOT_PRICE = new Set(["avgdev", "supertrend.trend"]);

/**
 * Where one output of an indicator goes: on the price pane (it is a price level: TA-Lib's
 * Overlap Studies and the other price-level indicators) or in a pane of its own.
 */
export function outputPlacement(info: Pick<IndicatorInfo, "name" | "group">, output: string): "price" | "pane" {
  if (NOT_PRICE.has(info.name) || NOT_PRICE.has(`${info.name}.${output}`)) return "pane";
  return PRICE_GROUPS.has(info.group) || PRICE_LEVELS.has(info.name) ? "price" : "pane";
}

/** Where a newly added indicator goes: the price pane if any of its outputs is a price. */
export function defaultPlacement(info: Pick<IndicatorInfo, "name" | "group" | "outputs">): "price" | "pane" {
  return info.outputs.some((o) => outputPlacement(info, o) === "price") ? "price" : "pane";
}

const BAR_FIELDS = new Set(["open", "high", "low", "close", "volume"]);

/** Indicators a stored symbol's bars can feed (MAVP also needs a per-bar period series). */
export function chartable(info: IndicatorInfo): boolean {
  return info.inputs.every((i) => BAR_FIELDS.has(i));
}

export interface ResolvedIndicator {
  /** "bbands:20:2:2:0": the series keys are `${key}.${output}`. */
  key: string;
  spec: IndicatorSpec;
  info: IndicatorInfo;
  /** Named params for the compute routes. */
  params: Record<string, number>;
  /** "BBANDS(20, 2, 2, 0)" */
  label: string;
}

export type Resolution = { ok: true; indicator: ResolvedIndicator } | { ok: false; key: string; spec: IndicatorSpec; error: string };

/** A spec checked against the catalogue, missing trailing params filled with the defaults. */
export function resolveSpec(spec: IndicatorSpec, byName: ReadonlyMap<string, IndicatorInfo>): Resolution {
  const info = byName.get(spec.name);
  const fail = (error: string): Resolution => ({ ok: false, key: specKey(spec), spec, error });
  if (!info) return fail(`No indicator called “${spec.name}” in the catalogue; remove it and pick one from “Add indicator”.`);
  if (!chartable(info)) return fail(`${info.display_name} needs inputs a chart does not have (${info.inputs.join(", ")}).`);
  if (spec.params.length > info.params.length) {
    return fail(`${info.display_name} takes ${info.params.length} parameter(s), the link gives ${spec.params.length}.`);
  }
  const values = info.params.map((p, i) => spec.params[i] ?? p.default);
  for (const [i, p] of info.params.entries()) {
    const v = values[i];
    if (p.type === "int" && !Number.isInteger(v)) return fail(`${info.display_name}: ${p.name} must be a whole number.`);
    if (v < p.min || v > p.max) {
      return fail(`${info.display_name}: ${p.name} must be between ${formatParamValue(p.min)} and ${formatParamValue(p.max)}.`);
    }
  }
  const full: IndicatorSpec = { name: info.name, params: values };
  return {
    ok: true,
    indicator: {
      key: specKey(full),
      spec: full,
      info,
      params: Object.fromEntries(info.params.map((p, i) => [p.name, values[i]])),
      label: values.length ? `${info.name.toUpperCase()}(${values.join(", ")})` : info.name.toUpperCase(),
    },
  };
}

/**
 * A parameter bound or value for people: Indian grouping, whole numbers without decimals
 * ("1,00,000"), fractions with the decimals they have (up to six: "0.85", "0.0001").
 */
export function formatParamValue(value: number): string {
  let digits = 0;
  while (digits < 6 && Math.abs(Math.round(value * 10 ** digits) / 10 ** digits - value) > 1e-9 * Math.max(1, Math.abs(value))) {
    digits += 1;
  }
  return formatNumber(value, digits);
}

/** Group names for the picker, in the order a trader looks for them. */
export const GROUP_LABELS: Record<string, string> = {
  overlap: "Overlap studies (drawn on price)",
  momentum: "Momentum",
  volatility: "Volatility",
  volume: "Volume",
  trend: "Trend",
  support_resistance: "Support and resistance",
  price_transform: "Price transforms",
  statistic: "Statistics",
  pattern: "Candlestick patterns",
};

export function groupLabel(group: string): string {
  return GROUP_LABELS[group] ?? group.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** Catalogue entries matching every word of `query` (name, title, description or group), grouped. */
export function searchCatalog(indicators: readonly IndicatorInfo[], query: string): [string, IndicatorInfo[]][] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, IndicatorInfo[]>();
  for (const info of indicators) {
    if (!chartable(info)) continue;
    const text = `${info.name} ${info.display_name} ${info.description} ${info.group} ${groupLabel(info.group)}`.toLowerCase();
    if (!words.every((w) => text.includes(w))) continue;
    const list = groups.get(info.group) ?? [];
    list.push(info);
    groups.set(info.group, list);
  }
  const order = Object.keys(GROUP_LABELS);
  const rank = (g: string) => (order.includes(g) ? order.indexOf(g) : order.length);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([g, list]) => [g, list.sort((a, b) => a.display_name.localeCompare(b.display_name))]);
}

/** Outputs drawn as a histogram: MACD's histogram and the ±100 candlestick pattern signals. */
export function isHistogram(info: Pick<IndicatorInfo, "group">, output: string): boolean {
  return info.group === "pattern" || output.endsWith("hist");
}

/** Line colours that read on both the dark and the light background. */
export const PALETTE = ["#0ea5e9", "#f59e0b", "#a855f7", "#ec4899", "#14b8a6", "#f97316", "#6366f1", "#84cc16"];
