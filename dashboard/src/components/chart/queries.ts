/**
 * The chart's data, each a react-query so bars, catalogue and indicators load in parallel and
 * come back from cache. Indicators are one query each (adding one does not recompute the
 * others) but the queries started together are sent as ONE `POST /api/compute/batch`.
 */
import { useEffect, useMemo, useRef } from "react";
import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, type Schemas } from "../../api/client";
import { liveRefetchInterval, type Adjust, type FetchWindow, type Interval } from "../../lib/chartState";
import { toBarSet, type BarSet } from "./data";
import { resolveSpec, type IndicatorInfo, type ResolvedIndicator } from "./indicators";
import { chartRequestsFor, put, take } from "./prefetch";

export interface SeriesContext {
  symbol: string;
  interval: Interval;
  adjust: Adjust;
  window: FetchWindow;
}

/** One indicator's values on the chart's bars. */
export interface IndicatorValues {
  ts: string[];
  outputs: Record<string, (number | null)[]>;
  warnings: string[];
}

/** The same key for the same context whatever order its fields were written in. */
function ctxKey(ctx: SeriesContext): string {
  return JSON.stringify([ctx.symbol, ctx.interval, ctx.adjust, ctx.window.start, ctx.window.end]);
}

const CATALOG = "catalog";
const fetchCatalog = (signal?: AbortSignal) => api.get<Schemas["IndicatorCatalog"]>("/api/indicators", undefined, signal);
const fetchBars = (ctx: SeriesContext, signal?: AbortSignal) => api.get<Schemas["OhlcvResult"]>(
  `/api/market/${encodeURIComponent(ctx.symbol)}/ohlcv`,
  { interval: ctx.interval, adjust: ctx.adjust, start: ctx.window.start, end: ctx.window.end }, signal);

export function useCatalog() {
  return useQuery({
    queryKey: ["indicators"],
    queryFn: ({ signal }) => take<Schemas["IndicatorCatalog"]>(CATALOG) ?? fetchCatalog(signal),
    staleTime: Infinity,
  });
}

/**
 * Refetch interval of data that follows the live session (refetchOnWindowFocus is off app-wide):
 * every minute while NSE is open, else once just after it opens (see liveRefetchInterval).
 */
const liveInterval = () => liveRefetchInterval(Date.now());

/**
 * The IST day of the last stored intraday bar: intraday charts fetch a window ending there
 * (the store may stop before today). Read from the coarse 2h bars, which stay few. Followed
 * during the session, so the window moves on to today once today's first bars are stored.
 */
export function useIntradayLastDay(symbol: string, enabled: boolean) {
  return useQuery({
    queryKey: ["chart", "intraday-last-day", symbol],
    queryFn: async ({ signal }) => {
      const r = await api.get<Schemas["OhlcvResult"]>(`/api/market/${encodeURIComponent(symbol)}/ohlcv`,
        { interval: "2h" }, signal);
      return r.ts.length ? r.ts[r.ts.length - 1].slice(0, 10) : null;
    },
    enabled,
    staleTime: 300_000,
    refetchInterval: enabled ? liveInterval : false,
  });
}

/** Same symbol, interval and adjustment: only the window differs (history being extended). */
function sameSeries(previous: unknown, ctx: SeriesContext): boolean {
  const p = previous as SeriesContext | undefined;
  return !!p && p.symbol === ctx.symbol && p.interval === ctx.interval && p.adjust === ctx.adjust;
}

/**
 * The chart's bars. `live` (intraday bars of the latest sessions) refetches them every minute
 * while the session is open, so an open chart gains its new bars.
 */
export function useBars(ctx: SeriesContext, enabled: boolean, live = false) {
  return useQuery<BarSet, Error, BarSet, readonly unknown[]>({
    // while more history loads, keep drawing the bars there are
    placeholderData: (previous, previousQuery) => (sameSeries(previousQuery?.queryKey[2], ctx) ? previous : undefined),
    queryKey: ["chart", "ohlcv", ctx],
    queryFn: async ({ signal }) => toBarSet(await (take<Schemas["OhlcvResult"]>(`bars:${ctxKey(ctx)}`) ?? fetchBars(ctx, signal))),
    enabled,
    staleTime: 300_000,
    refetchInterval: live ? liveInterval : false,
  });
}

/**
 * When live bars were refetched (same window, newer data), refetch the indicators on that
 * window too, all in the same tick so they go as one batch call: their lines then reach the
 * new bars. The first load of a window is left alone (its indicators are already on the way).
 */
export function useIndicatorsFollowBars(ctx: SeriesContext, barsUpdatedAt: number, live: boolean) {
  const client = useQueryClient();
  const seen = useRef<{ key: string; at: number } | null>(null);
  useEffect(() => {
    const key = ctxKey(ctx);
    const previous = seen.current;
    seen.current = { key, at: barsUpdatedAt };
    if (live && previous?.key === key && previous.at > 0 && barsUpdatedAt > previous.at) {
      void client.invalidateQueries({ queryKey: ["chart", "indicator", ctx] });
    }
  }, [client, ctx, barsUpdatedAt, live]);
}

// --- indicators, batched -------------------------------------------------------------------

interface Pending {
  indicator: ResolvedIndicator;
  resolve: (v: IndicatorValues) => void;
  reject: (e: unknown) => void;
}

const queues = new Map<string, { ctx: SeriesContext; items: Pending[] }>();

function single(ctx: SeriesContext, indicator: ResolvedIndicator): Promise<IndicatorValues> {
  return api.post<Schemas["IndicatorResult"]>("/api/compute/indicator", {
    name: indicator.info.name, params: indicator.params, symbol: ctx.symbol, interval: ctx.interval,
    adjust: ctx.adjust, start: ctx.window.start, end: ctx.window.end,
  }).then((r) => ({ ts: r.ts ?? [], outputs: r.outputs, warnings: r.warnings ?? [] }));
}

/** Many indicators in one call; if one bad parameter fails it, ask one by one so only that one fails. */
function fetchBatch(ctx: SeriesContext, indicators: readonly ResolvedIndicator[]): Promise<IndicatorValues>[] {
  const batch = api.post<Schemas["BatchResult"]>("/api/compute/batch", {
    symbols: [ctx.symbol], interval: ctx.interval, adjust: ctx.adjust, start: ctx.window.start, end: ctx.window.end,
    indicators: indicators.map((i) => ({ name: i.info.name, params: i.params })),
  });
  return indicators.map((indicator, n) => batch.then((reply) => {
    const series = reply.results[ctx.symbol] ?? Object.values(reply.results)[0];
    if (!series) throw new Error(reply.warnings?.join(" ") || `No bars of ${ctx.symbol} to compute on.`);
    return { ts: series.ts ?? [], outputs: series.indicators[n]?.outputs ?? {}, warnings: reply.warnings ?? [] };
  }, (error: unknown) => {
    if (error instanceof ApiError && error.status === 400 && indicators.length > 1) return single(ctx, indicator);
    throw error;
  }));
}

function flush(key: string): void {
  const queue = queues.get(key);
  queues.delete(key);
  if (!queue) return;
  const results = fetchBatch(queue.ctx, queue.items.map((p) => p.indicator));
  queue.items.forEach((p, i) => results[i].then(p.resolve, p.reject));
}

/** Queue one indicator; every indicator queued in the same tick goes in one batch call. */
function loadIndicator(ctx: SeriesContext, indicator: ResolvedIndicator): Promise<IndicatorValues> {
  const key = ctxKey(ctx);
  const early = take<IndicatorValues>(`indicator:${key}:${indicator.key}`);
  if (early) return early;
  return new Promise((resolve, reject) => {
    let queue = queues.get(key);
    if (!queue) {
      queue = { ctx, items: [] };
      queues.set(key, queue);
      setTimeout(() => flush(key), 0);
    }
    queue.items.push({ indicator, resolve, reject });
  });
}

/**
 * Start the requests of the chart at `pathname` + `search` now (see prefetch.ts): bars and
 * catalogue at once, the indicators' batch as soon as the catalogue names their parameters.
 */
export function prefetchChart(pathname: string, search: string): void {
  const plan = chartRequestsFor(pathname, search);
  if (!plan) return;
  const { ctx, specs } = plan;
  const key = ctxKey(ctx);
  put(`bars:${key}`, fetchBars(ctx));
  const catalog = fetchCatalog();
  put(CATALOG, catalog);
  const startBatch = (byName: ReadonlyMap<string, IndicatorInfo>) => {
    const resolved = specs.flatMap((s) => {
      const r = resolveSpec(s, byName);
      return r.ok ? [r.indicator] : [];
    });
    const unique = [...new Map(resolved.map((r) => [r.key, r])).values()];
    if (unique.length) fetchBatch(ctx, unique).forEach((p, i) => put(`indicator:${key}:${unique[i].key}`, p));
  };
  // The parameter names remembered from the last catalogue let the batch start now; if the
  // catalogue has changed since, the keys differ and the queries simply ask again.
  const remembered = rememberedParams();
  if (specs.length && remembered) startBatch(remembered);
  catalog.then((c) => {
    rememberParams(c);
    if (specs.length && !remembered) startBatch(new Map(c.indicators.map((i) => [i.name, i])));
  }, () => {});
}

const PARAMS_KEY = "chitti.chart.indicatorParams";

/** The part of the catalogue a spec is resolved with, kept in localStorage (about 20 kB). */
function rememberParams(catalog: Schemas["IndicatorCatalog"]): void {
  try {
    const slim = catalog.indicators.map((i) => ({ name: i.name, inputs: i.inputs, params: i.params.map((p) => ({ ...p, description: "" })) }));
    const text = JSON.stringify(slim);
    if (localStorage.getItem(PARAMS_KEY) !== text) localStorage.setItem(PARAMS_KEY, text);
  } catch {
    /* storage full or disabled: the batch then waits for the catalogue */
  }
}

function rememberedParams(): Map<string, IndicatorInfo> | null {
  try {
    const text = localStorage.getItem(PARAMS_KEY);
    if (!text) return null;
    const slim = JSON.parse(text) as Pick<IndicatorInfo, "name" | "inputs" | "params">[];
    return new Map(slim.map((i) => [i.name, {
      ...i, group: "", display_name: i.name, description: "", outputs: [], lookback_default: 0, talib: null, streaming: false,
    }]));
  } catch {
    return null;
  }
}

export function useIndicatorValues(ctx: SeriesContext, indicators: readonly ResolvedIndicator[], enabled: boolean) {
  const results = useQueries({
    queries: indicators.map((indicator) => ({
      queryKey: ["chart", "indicator", ctx, indicator.key],
      queryFn: () => loadIndicator(ctx, indicator),
      placeholderData: (previous: IndicatorValues | undefined, previousQuery?: { queryKey: readonly unknown[] }) =>
        (sameSeries(previousQuery?.queryKey[2], ctx) && previousQuery?.queryKey[3] === indicator.key ? previous : undefined),
      enabled,
      staleTime: 300_000,
    })),
  });
  // useQueries returns a new array every render; keep one per change of the results.
  const signature = results.map((r) => `${r.status}:${r.isPlaceholderData}:${r.dataUpdatedAt}:${r.errorUpdatedAt}`).join("|");
  return useMemo(() => results, [signature]);
}

// --- events --------------------------------------------------------------------------------

/** The symbol's alerts from `since` on (newest first, up to 1000). */
export function useSymbolAlerts(symbol: string, since: string | null, enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: ["chart", "alerts", symbol, since],
    queryFn: ({ signal }) => api.get<Schemas["AlertPage"]>("/api/alerts",
      { symbol, since: since ? `${since}T00:00:00+05:30` : null, limit: 1000 }, signal),
    staleTime: 60_000,
  });
}

/** The symbol's stories from `since` on (newest first, up to 500). */
export function useSymbolNews(symbol: string, since: string | null, enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: ["chart", "news", symbol, since],
    queryFn: ({ signal }) => api.get<Schemas["ArticlePage"]>("/api/news",
      { symbol, since: since ? `${since}T00:00:00+05:30` : null, limit: 500 }, signal),
    staleTime: 60_000,
  });
}

export function useAlert(id: number | null) {
  return useQuery({
    queryKey: ["chart", "alert", id],
    queryFn: ({ signal }) => api.get<Schemas["Alert"]>(`/api/alerts/${id}`, undefined, signal),
    enabled: id !== null,
    staleTime: 300_000,
  });
}

/** Alerts by id (a combined alert's parts). */
export function useAlertsByIds(ids: readonly number[]) {
  return useQuery({
    queryKey: ["chart", "alerts-by-id", ids],
    queryFn: ({ signal }) => api.get<Schemas["AlertPage"]>("/api/alerts",
      { ids: ids.map(String), limit: Math.min(1000, Math.max(ids.length, 1)) }, signal),
    enabled: ids.length > 0,
    staleTime: 300_000,
  });
}

const NEWS_PAGE = 500;
const NEWS_PAGES = 10;

/**
 * Stories by id. `GET /api/news` cannot filter by id, so this reads the symbol's stories from
 * a day before the alert on (newest first) page by page until every id is found.
 */
export function useArticlesByIds(symbol: string, ids: readonly number[], around: string | null) {
  return useQuery({
    queryKey: ["chart", "articles-by-id", symbol, ids, around],
    queryFn: async ({ signal }) => {
      const wanted = new Set(ids);
      const found: Schemas["Article"][] = [];
      const since = around ? new Date(Date.parse(around) - 86_400_000).toISOString() : null;
      for (let page = 0; page < NEWS_PAGES && wanted.size; page += 1) {
        const reply = await api.get<Schemas["ArticlePage"]>("/api/news",
          { symbol, since, limit: NEWS_PAGE, offset: page * NEWS_PAGE }, signal);
        for (const a of reply.articles) {
          if (wanted.delete(a.id)) found.push(a);
        }
        if (reply.articles.length < NEWS_PAGE) break;
      }
      return found;
    },
    enabled: ids.length > 0,
    staleTime: 300_000,
  });
}

// --- symbols -------------------------------------------------------------------------------

export function useSymbolSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: ["chart", "symbols", q],
    queryFn: ({ signal }) => api.get<Schemas["SymbolList"]>("/api/market/symbols", { q, limit: 12 }, signal),
    enabled: enabled && q.length > 0,
    staleTime: 300_000,
  });
}

export function useSymbolsWithPrices(enabled: boolean) {
  return useQuery({
    queryKey: ["chart", "symbols-with-prices"],
    queryFn: ({ signal }) => api.get<Schemas["SymbolList"]>("/api/market/symbols", { with_prices: true, limit: 200 }, signal),
    enabled,
    staleTime: 300_000,
  });
}
