/** One watchlist's rows: price, day change, sparkline, latest alert and a news sentiment dot. */
import { useMemo } from "react";
import { Link } from "react-router";
import { useQueries, useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { isMuted, useAlerts, type Alert } from "../../lib/alerts";
import { changeClass, formatAgo, formatDateIST, formatINR, formatPct } from "../../lib/format";
import { alertHref } from "../AlertsPanel";
import { Sparkline } from "../Sparkline";
import { Badge, ErrorBox, Spinner, toneOf } from "../ui";

type Quote = Schemas["Quote"];
type Article = Schemas["Article"];

/** Most symbols one quotes request takes (the API's limit; a watchlist may hold 500). */
export const QUOTES_PER_REQUEST = 200;

/** `items` in consecutive chunks of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface NewsMood {
  count: number;
  mean: number;
  latest: string | null;
}

/** Mean headline sentiment per symbol over the articles given (unscored ones skipped). */
export function newsMood(articles: Article[]): Map<string, NewsMood> {
  const mood = new Map<string, NewsMood>();
  for (const article of articles) {
    if (article.sentiment_score === null || article.sentiment_score === undefined) continue;
    for (const symbol of article.symbols) {
      const m = mood.get(symbol) ?? { count: 0, mean: 0, latest: null };
      m.mean = (m.mean * m.count + article.sentiment_score) / (m.count + 1);
      m.count += 1;
      const when = article.published_at ?? article.fetched_at;
      if (!m.latest || when > m.latest) m.latest = when;
      mood.set(symbol, m);
    }
  }
  return mood;
}

function MoodDot({ mood }: { mood: NewsMood | undefined }) {
  if (!mood) return <span className="text-xs text-slate-400" title="No scored news about this company">—</span>;
  const colour = mood.mean > 0.15 ? "bg-emerald-500" : mood.mean < -0.15 ? "bg-rose-500" : "bg-slate-400";
  const text = `${mood.count} article${mood.count === 1 ? "" : "s"}, mean sentiment ${mood.mean.toFixed(2)}` +
    (mood.latest ? `, latest ${formatAgo(mood.latest)}` : "");
  return (
    <span className="inline-flex items-center gap-1 text-xs" title={text}>
      <span className={`h-2.5 w-2.5 rounded-full ${colour}`} aria-hidden />
      <span className="sr-only">{text}</span>
      <span aria-hidden>{mood.count}</span>
    </span>
  );
}

function LatestAlert({ alert }: { alert: Alert | undefined }) {
  if (!alert) return <span className="text-xs text-slate-400">—</span>;
  return (
    <Link to={alertHref(alert)} className="flex items-center gap-1 text-xs hover:underline" title={alert.explanation}>
      <Badge tone={toneOf(alert.direction)}>{alert.direction}</Badge>
      <span className="max-w-48 truncate">{alert.rule ?? alert.kind}</span>
      <span className="text-slate-500">{formatDateIST(alert.ts)}</span>
    </Link>
  );
}

export function WatchlistTable({ symbols, editable, busy, onMove, onRemove }: {
  symbols: string[];
  editable: boolean;
  /** A change is being saved: further edits wait for it (each builds on the saved list). */
  busy: boolean;
  onMove: (from: number, to: number) => void;
  onRemove: (symbol: string) => void;
}) {
  const { alerts, muted } = useAlerts();
  const quotes = useQueries({
    queries: chunks(symbols, QUOTES_PER_REQUEST).map((part) => ({
      queryKey: ["quotes", part],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<Schemas["QuoteList"]>("/api/market/quotes", { symbols: part }, signal),
      refetchInterval: 60_000,
    })),
    combine: (results) => ({
      isPending: results.some((r) => r.isPending),
      error: results.find((r) => r.isError)?.error ?? null,
      refetch: () => results.forEach((r) => void r.refetch()),
      quotes: results.flatMap((r) => r.data?.quotes ?? []),
      unknown: results.flatMap((r) => r.data?.unknown ?? []),
      missing: results.flatMap((r) => r.data?.missing ?? []),
    }),
  });
  const news = useQuery({
    queryKey: ["news", "recent-for-watchlists"],
    queryFn: ({ signal }) => api.get<Schemas["ArticlePage"]>("/api/news", { limit: 200 }, signal),
    staleTime: 120_000,
  });
  const mood = useMemo(() => newsMood(news.data?.articles ?? []), [news.data]);
  const latestAlert = useMemo(() => {
    const by = new Map<string, Alert>();
    for (const a of alerts) { // newest first
      if (!by.has(a.symbol) && !isMuted(a, muted)) by.set(a.symbol, a);
    }
    return by;
  }, [alerts, muted]);
  const quoteOf = useMemo(
    () => new Map<string, Quote>(quotes.quotes.map((q) => [q.symbol, q])), [quotes.quotes]);

  if (quotes.isPending && symbols.length) return <Spinner label="Loading prices…" />;
  if (quotes.error) return <ErrorBox error={quotes.error} retry={quotes.refetch} />;
  const unknown = new Set(quotes.unknown);
  const missing = new Set(quotes.missing);

  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[720px] text-sm" data-testid="watchlist-table">
        <thead className="text-left text-xs uppercase text-slate-500 dark:text-slate-400">
          <tr>
            <th className="px-2 py-1">Symbol</th>
            <th className="px-2 py-1 text-right">Last</th>
            <th className="px-2 py-1 text-right">Day</th>
            <th className="px-2 py-1">30 days</th>
            <th className="px-2 py-1">Latest alert</th>
            <th className="px-2 py-1">News</th>
            {editable && <th className="px-2 py-1"><span className="sr-only">Order</span></th>}
          </tr>
        </thead>
        <tbody>
          {symbols.map((symbol, i) => {
            const q = quoteOf.get(symbol);
            return (
              <tr key={symbol} data-testid="watchlist-row" data-symbol={symbol}
                className="border-t border-slate-200 dark:border-slate-800">
                <td className="px-2 py-1.5">
                  <Link to={`/chart/${encodeURIComponent(symbol)}`} className="font-semibold text-sky-700 hover:underline dark:text-sky-400">
                    {symbol}
                  </Link>
                  {q && <div className="text-xs text-slate-500">{formatDateIST(q.last_date)}</div>}
                  {unknown.has(symbol) && <div className="text-xs text-rose-500">unknown symbol</div>}
                  {missing.has(symbol) && <div className="text-xs text-amber-600">no prices loaded</div>}
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatINR(q?.close)}</td>
                <td className={`px-2 py-1.5 text-right tabular-nums ${changeClass(q?.change_pct)}`}>
                  {formatPct(q?.change_pct)}
                  <div className="text-xs">{q?.change == null ? "" : formatINR(q.change)}</div>
                </td>
                <td className="px-2 py-1.5"><Sparkline values={q?.spark ?? []} /></td>
                <td className="px-2 py-1.5"><LatestAlert alert={latestAlert.get(symbol)} /></td>
                <td className="px-2 py-1.5"><MoodDot mood={mood.get(symbol)} /></td>
                {editable && (
                  <td className="whitespace-nowrap px-2 py-1.5 text-right">
                    <button type="button" aria-label={`Move ${symbol} up`} disabled={busy || i === 0}
                      onClick={() => onMove(i, i - 1)} className="rounded px-1 hover:bg-slate-200 disabled:opacity-30 dark:hover:bg-slate-700">↑</button>
                    <button type="button" aria-label={`Move ${symbol} down`} disabled={busy || i === symbols.length - 1}
                      onClick={() => onMove(i, i + 1)} className="rounded px-1 hover:bg-slate-200 disabled:opacity-30 dark:hover:bg-slate-700">↓</button>
                    <button type="button" aria-label={`Remove ${symbol}`} disabled={busy} onClick={() => onRemove(symbol)}
                      className="rounded px-1 text-rose-600 hover:bg-slate-200 dark:hover:bg-slate-700">✕</button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
