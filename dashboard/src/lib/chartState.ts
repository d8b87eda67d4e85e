/**
 * The chart page's state, all of it in the URL so a chart can be shared and reloaded:
 *
 *   /chart/RELIANCE?range=5Y&interval=1d&adjust=none&ov=sma:50,bbands:20:2:2:0&osc=rsi:14&at=2020-03-23&alert=42
 *
 * - `range`    1D 5D (intraday only) 1M 6M 1Y 5Y All; default 1Y daily, 5D intraday
 * - `interval` 1d (default) or an intraday bar length the OHLCV route offers
 * - `adjust`   split (default, omitted), total, none
 * - `ov`, `osc` indicators on the price pane / in panes of their own, comma-separated;
 *               each `name:param:param…`, the params positional in the catalogue's order
 *               (missing trailing ones take the catalogue's defaults)
 * - `at`       YYYY-MM-DD: centre the view on that day's bar
 * - `alert`    an alert id whose detail card is shown
 *
 * Defaults are left out when serialising, and `:` `,` stay unescaped so the URL stays readable.
 */
import type { Schemas } from "../api/client";

export type Interval = NonNullable<Schemas["BatchRequest"]["interval"]>;
export type Adjust = Schemas["OhlcvResult"]["adjust"];

export const INTERVALS = ["1d", "1m", "3m", "5m", "10m", "15m", "30m", "1h", "2h"] as const satisfies readonly Interval[];
export const ADJUSTS = ["split", "total", "none"] as const satisfies readonly Adjust[];
export const RANGES = ["1D", "5D", "1M", "6M", "1Y", "5Y", "All"] as const;
export type RangeKey = (typeof RANGES)[number];

export interface IndicatorSpec {
  name: string;
  params: number[];
}

export interface ChartState {
  range: RangeKey;
  interval: Interval;
  adjust: Adjust;
  overlays: IndicatorSpec[];
  oscillators: IndicatorSpec[];
  at: string | null;
  alert: number | null;
}

/** Calendar days a range spans back from its last day (1D: that session only). */
export const RANGE_DAYS: Record<RangeKey, number | null> = {
  "1D": 0, "5D": 6, "1M": 30, "6M": 182, "1Y": 365, "5Y": 1826, All: null,
};
/** Trading sessions in a range, to bound how many intraday bars a range fetches. */
const RANGE_SESSIONS: Record<RangeKey, number> = {
  "1D": 1, "5D": 5, "1M": 21, "6M": 125, "1Y": 250, "5Y": 1250, All: Infinity,
};
/** An intraday range is offered only if it fits in this many bars (about 0.7 MB of JSON). */
export const MAX_INTRADAY_BARS = 10_000;
const SESSION_MINUTES = 375; // NSE 09:15-15:30

export function isIntraday(interval: Interval): boolean {
  return interval !== "1d";
}

export function intervalMinutes(interval: Interval): number {
  if (interval === "1d") return SESSION_MINUTES;
  const n = Number.parseInt(interval, 10);
  return interval.endsWith("h") ? n * 60 : n;
}

/** The ranges offered for an interval: daily has them all but 1D/5D; intraday those that fit. */
export function rangesFor(interval: Interval): RangeKey[] {
  if (!isIntraday(interval)) return ["1M", "6M", "1Y", "5Y", "All"];
  const perSession = Math.ceil(SESSION_MINUTES / intervalMinutes(interval));
  return RANGES.filter((r) => r === "All"
    ? intervalMinutes(interval) >= 60 // hourly bars of every stored session stay small
    : RANGE_SESSIONS[r] * perSession <= MAX_INTRADAY_BARS);
}

export function defaultRange(interval: Interval): RangeKey {
  return isIntraday(interval) ? "5D" : "1Y";
}

export const DEFAULT_STATE: ChartState = {
  range: "1Y", interval: "1d", adjust: "split", overlays: [], oscillators: [], at: null, alert: null,
};

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** "bbands:20:2" → {name: "bbands", params: [20, 2]}; null when malformed. */
export function parseSpec(token: string): IndicatorSpec | null {
  const [rawName, ...rest] = token.trim().split(":");
  const name = rawName.toLowerCase();
  if (!NAME.test(name)) return null;
  const params = rest.map((p) => (p.trim() === "" ? Number.NaN : Number(p)));
  if (params.some((p) => !Number.isFinite(p))) return null;
  return { name, params };
}

/** The key of an indicator with these params: "rsi:14", "bbands:20:2:2:0", "bop". */
export function specKey(spec: IndicatorSpec): string {
  return spec.params.length ? `${spec.name}:${spec.params.map(String).join(":")}` : spec.name;
}

/** A comma-separated list of specs; malformed and repeated ones are dropped. */
export function parseSpecList(value: string | null): IndicatorSpec[] {
  if (!value) return [];
  const seen = new Set<string>();
  const out: IndicatorSpec[] = [];
  for (const token of value.split(",")) {
    const spec = parseSpec(token);
    if (!spec || seen.has(specKey(spec))) continue;
    seen.add(specKey(spec));
    out.push(spec);
  }
  return out;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
  return values.find((v) => v === value) ?? null;
}

function validDay(value: string | null): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : value;
}

/** Read the state from the URL's query; anything invalid falls back to its default. */
export function parseChartState(search: URLSearchParams | string): ChartState {
  const q = typeof search === "string" ? new URLSearchParams(search) : search;
  const interval = oneOf(INTERVALS, q.get("interval")) ?? DEFAULT_STATE.interval;
  const range = oneOf(RANGES, q.get("range"));
  const alertId = Number(q.get("alert"));
  const overlays = parseSpecList(q.get("ov"));
  const onPrice = new Set(overlays.map(specKey));
  return {
    range: range && rangesFor(interval).includes(range) ? range : defaultRange(interval),
    interval,
    adjust: oneOf(ADJUSTS, q.get("adjust")) ?? DEFAULT_STATE.adjust,
    overlays,
    // one indicator is drawn once: the price pane wins
    oscillators: parseSpecList(q.get("osc")).filter((s) => !onPrice.has(specKey(s))),
    at: validDay(q.get("at")),
    alert: Number.isInteger(alertId) && alertId > 0 ? alertId : null,
  };
}

/** Percent-encode a value but keep `:` and `,`, which are legal in a query and read better. */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%2C/gi, ",");
}

/** The query string (without "?") for a state; defaults are left out. */
export function serialiseChartState(state: ChartState): string {
  const parts: [string, string][] = [];
  if (state.range !== defaultRange(state.interval)) parts.push(["range", state.range]);
  if (state.interval !== DEFAULT_STATE.interval) parts.push(["interval", state.interval]);
  if (state.adjust !== DEFAULT_STATE.adjust) parts.push(["adjust", state.adjust]);
  if (state.overlays.length) parts.push(["ov", state.overlays.map(specKey).join(",")]);
  if (state.oscillators.length) parts.push(["osc", state.oscillators.map(specKey).join(",")]);
  if (state.at) parts.push(["at", state.at]);
  if (state.alert !== null) parts.push(["alert", String(state.alert)]);
  return parts.map(([k, v]) => `${k}=${encodeValue(v)}`).join("&");
}

/** "2024-03-01" plus n calendar days (negative: back). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export interface FetchWindow {
  start: string | null;
  end: string | null;
}

/** Daily bars fetched back from the last one: every range up to 5Y then pans without a refetch. */
export const DAILY_WINDOW_DAYS = 2400;

export interface WindowAnchors {
  /** the last daily bar's day as remembered from an earlier visit (null: not known) */
  dailyLastDay: string | null;
  /** the last stored intraday session */
  intradayLastDay: string | null;
  /** the view reached the first bar fetched, or "All": fetch every bar */
  fullHistory: boolean;
}

const FULL: FetchWindow = { start: null, end: null };

/**
 * Which days of bars to fetch. Daily: the last DAILY_WINDOW_DAYS (about 1,650 bars instead of
 * up to 5,300: a third of the JSON to move and of the points to draw), all of them when the last
 * day is not known yet, for "All", or once the view is panned back to the first bar. Indicators
 * are computed on the same window and warm up on the bars before it (the compute routes do
 * that), so their lines start at its left edge. Intraday: the range itself, ending on the last
 * stored session or centred on `at`.
 */
export function fetchWindow(state: Pick<ChartState, "interval" | "range" | "at">, anchors: WindowAnchors): FetchWindow {
  const days = RANGE_DAYS[state.range];
  if (days === null || anchors.fullHistory) return FULL;
  const half = Math.ceil(days / 2);
  if (!isIntraday(state.interval)) {
    if (!anchors.dailyLastDay) return FULL;
    const start = addDays(anchors.dailyLastDay, -DAILY_WINDOW_DAYS);
    return state.at && addDays(state.at, -half) < start ? FULL : { start, end: null };
  }
  if (state.at) return { start: addDays(state.at, -half), end: addDays(state.at, half) };
  if (!anchors.intradayLastDay) return FULL;
  return { start: addDays(anchors.intradayLastDay, -days), end: anchors.intradayLastDay };
}

/** Index of the first of the ascending "YYYY-MM-DD" `sorted` on or after `day` (its length if none). */
export function firstOnOrAfter(sorted: readonly string[], day: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < day) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * The bars to show, as indexes into `days` (each bar's IST day, ascending): the range ending
 * on the last bar, or centred on `at`. Null: show everything.
 */
export function visibleBars(days: readonly string[], range: RangeKey, at: string | null): { from: number; to: number } | null {
  const span = RANGE_DAYS[range];
  if (span === null || days.length === 0) return null;
  let from = -1;
  let to = -1;
  if (at) {
    const half = Math.ceil(span / 2);
    from = firstOnOrAfter(days, addDays(at, -half));
    to = firstOnOrAfter(days, addDays(at, half + 1)) - 1;
  }
  if (to < from || to < 0) { // no `at`, or no bar near it: the range back from the last bar
    to = days.length - 1;
    from = firstOnOrAfter(days, addDays(days[to], -span));
  }
  const MIN_BARS = 10; // a view of one or two bars is not a chart
  if (to - from + 1 < MIN_BARS) {
    const pad = Math.ceil((MIN_BARS - (to - from + 1)) / 2);
    from = Math.max(0, from - pad);
    to = Math.min(days.length - 1, to + pad);
  }
  return { from, to };
}

// --- the live session ----------------------------------------------------------------------

const IST_OFFSET_MS = 330 * 60_000; // IST is UTC+05:30 all year
const DAY_MS = 86_400_000;
const SESSION_OPEN_MIN = 9 * 60 + 15; // 09:15 IST
const SESSION_CLOSE_MIN = 15 * 60 + 30; // 15:30 IST
/** How often an open intraday chart asks for new bars while the session is open. */
export const LIVE_REFRESH_MS = 60_000;

/** The IST wall clock of a moment, as a Date whose UTC fields read IST (whatever the browser's zone). */
function istClock(now: number): Date {
  return new Date(now + IST_OFFSET_MS);
}

/**
 * Whether the NSE cash session is open at `now` (epoch ms): 09:15 to 15:30 IST, Monday to
 * Friday. Computed in IST, not in the browser's zone. Exchange holidays are not known here:
 * on one the chart merely asks for bars that do not come.
 */
export function nseSessionOpen(now: number): boolean {
  const ist = istClock(now);
  const weekday = ist.getUTCDay();
  const minute = ist.getUTCHours() * 60 + ist.getUTCMinutes();
  return weekday >= 1 && weekday <= 5 && minute >= SESSION_OPEN_MIN && minute < SESSION_CLOSE_MIN;
}

/** Milliseconds from `now` to the next session's 09:15 IST (a weekday; 0 while one is open). */
export function msUntilSessionOpens(now: number): number {
  if (nseSessionOpen(now)) return 0;
  const istNow = now + IST_OFFSET_MS;
  let open = istNow - (((istNow % DAY_MS) + DAY_MS) % DAY_MS) + SESSION_OPEN_MIN * 60_000; // today's 09:15, IST frame
  while (open <= istNow || [0, 6].includes(new Date(open).getUTCDay())) open += DAY_MS;
  return open - istNow;
}

/**
 * The refetch interval of live intraday data: every LIVE_REFRESH_MS while the session is open;
 * while it is shut, one wake-up just after the next open (which then starts the minutely
 * refresh) instead of polling a closed market.
 */
export function liveRefetchInterval(now: number): number {
  return nseSessionOpen(now) ? LIVE_REFRESH_MS : msUntilSessionOpens(now) + 5_000;
}
