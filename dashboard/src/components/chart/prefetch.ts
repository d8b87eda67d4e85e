/**
 * Render-as-you-fetch for the chart: when the page's code loads, the bars, the catalogue and
 * the indicators of the URL are requested at once, before React renders the page (on a slow
 * machine the first render of the layout can hold the main thread for a few hundred ms).
 * The chart's queries take these promises (once, while fresh) instead of asking again.
 */
import { fetchWindow, isIntraday, parseChartState } from "../../lib/chartState";

const FRESH_MS = 15_000;
const started = new Map<string, { promise: Promise<unknown>; at: number }>();

export function put(key: string, promise: Promise<unknown>): void {
  promise.catch(() => {}); // a failure is reported by the query that takes it
  started.set(key, { promise, at: Date.now() });
}

/** A request already started for `key`, if fresh; each is handed out once. */
export function take<T>(key: string): Promise<T> | undefined {
  const entry = started.get(key);
  started.delete(key);
  return entry && Date.now() - entry.at < FRESH_MS ? (entry.promise as Promise<T>) : undefined;
}

const LAST_DAY_KEY = "chitti.chart.lastDailyBar";
const LAST_DAY_KEEP = 200;

function lastDays(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(LAST_DAY_KEY) ?? "{}") as Record<string, string>;
  } catch {
    return {};
  }
}

/** The day of a symbol's last daily bar, as seen on an earlier visit (it sizes the daily window). */
export function rememberedLastDay(symbol: string): string | null {
  const day = lastDays()[symbol];
  return typeof day === "string" && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null;
}

export function rememberLastDay(symbol: string, day: string): void {
  try {
    const all = lastDays();
    if (all[symbol] === day) return;
    delete all[symbol];
    all[symbol] = day;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - LAST_DAY_KEEP))) delete all[k];
    localStorage.setItem(LAST_DAY_KEY, JSON.stringify(all));
  } catch {
    /* storage disabled: every visit fetches all daily bars */
  }
}

/** What the page at `/chart/:symbol?…` will ask for first, as the queries will ask for it. */
export function chartRequestsFor(pathname: string, search: string) {
  const match = /^\/chart\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  let symbol: string;
  try {
    symbol = decodeURIComponent(match[1]).trim().toUpperCase();
  } catch {
    return null;
  }
  const state = parseChartState(search);
  // an intraday window depends on the last stored session, so only daily charts start early
  // (and a chart centred on an alert waits for the alert's day)
  if (!symbol || isIntraday(state.interval) || (state.alert !== null && !state.at)) return null;
  const window = fetchWindow(state, { dailyLastDay: rememberedLastDay(symbol), intradayLastDay: null, fullHistory: false });
  return {
    ctx: { symbol, interval: state.interval, adjust: state.adjust, window },
    specs: [...state.overlays, ...state.oscillators],
  };
}
