/**
 * The News page's filters live in the URL (`/news?symbol=INFY&sentiment=positive&q=…`) so a
 * view can be shared and reloaded. This module turns search params into filters and filters
 * into the query of `GET /api/news`.
 */
import type { Schemas } from "../../api/client";

export type Sentiment = NonNullable<Schemas["Article"]["sentiment"]>;
export const SENTIMENTS: readonly Sentiment[] = ["positive", "negative", "neutral"];

/** How far back to look; kept as a token in the URL, turned into a time when the page loads. */
export const SINCE_OPTIONS = [
  { value: "", label: "Any time", hours: 0 },
  { value: "24h", label: "Last 24 hours", hours: 24 },
  { value: "7d", label: "Last 7 days", hours: 24 * 7 },
  { value: "30d", label: "Last 30 days", hours: 24 * 30 },
] as const;
export type Since = (typeof SINCE_OPTIONS)[number]["value"];

export interface NewsFilters {
  symbol: string;
  sentiment: Sentiment | "";
  source: string;
  q: string;
  since: Since;
}

export const FILTER_KEYS = ["symbol", "sentiment", "source", "q", "since"] as const satisfies
  readonly (keyof NewsFilters)[];

export function readFilters(params: URLSearchParams): NewsFilters {
  const sentiment = params.get("sentiment") ?? "";
  const since = params.get("since") ?? "";
  return {
    symbol: (params.get("symbol") ?? "").trim().toUpperCase(),
    sentiment: (SENTIMENTS as readonly string[]).includes(sentiment) ? sentiment as Sentiment : "",
    source: (params.get("source") ?? "").trim(),
    q: (params.get("q") ?? "").trim(),
    since: SINCE_OPTIONS.some((o) => o.value === since) ? since as Since : "",
  };
}

/** A copy of `params` with one filter set (an empty value removes it from the URL). */
export function withFilter(params: URLSearchParams, key: keyof NewsFilters, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  const clean = value.trim();
  if (clean) next.set(key, key === "symbol" ? clean.toUpperCase() : clean);
  else next.delete(key);
  return next;
}

export function hasFilters(filters: NewsFilters): boolean {
  return FILTER_KEYS.some((key) => filters[key] !== "");
}

/**
 * `source` is matched with SQL ILIKE against the publisher; wrapping it in `%` makes
 * "economic" find "The Economic Times". The user's own `%` and `_` are escaped so they
 * match literally.
 */
export function sourcePattern(source: string): string {
  return `%${source.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function sinceTime(since: Since, now: number = Date.now()): string | undefined {
  const hours = SINCE_OPTIONS.find((o) => o.value === since)?.hours ?? 0;
  return hours ? new Date(now - hours * 3_600_000).toISOString() : undefined;
}

/** The query of `GET /api/news` for one page. */
export function newsQuery(filters: NewsFilters, offset: number, limit: number, now?: number) {
  return {
    symbol: filters.symbol || undefined,
    sentiment: filters.sentiment || undefined,
    source: filters.source ? sourcePattern(filters.source) : undefined,
    q: filters.q || undefined,
    since: sinceTime(filters.since, now),
    limit,
    offset,
  };
}
