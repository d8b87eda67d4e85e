/**
 * News: stored stories newest first, with headline sentiment and the companies they mention.
 * Filters live in the URL; the list grows as it is scrolled.
 */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { ArticleCard } from "../components/news/ArticleCard";
import { LoadMore } from "../components/news/LoadMore";
import { NewsEmpty } from "../components/news/NewsEmpty";
import { NewsFilterBar } from "../components/news/NewsFilterBar";
import { FILTER_KEYS, hasFilters, readFilters, withFilter, type NewsFilters } from "../components/news/newsFilters";
import { useNewsFeed } from "../components/news/useNewsFeed";
import { useNow } from "../lib/useNow";
import { Button, ErrorBox, Spinner } from "../components/ui";
import { formatCount } from "../lib/format";

export default function News() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const feed = useNewsFeed(filters);
  const now = useNow();

  // Typing replaces the history entry rather than adding one per pause.
  const setFilter = useCallback((key: keyof NewsFilters, value: string) => {
    setParams((current) => withFilter(current, key, value), { replace: true });
  }, [setParams]);

  const clear = useCallback(() => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      FILTER_KEYS.forEach((key) => next.delete(key));
      return next;
    });
  }, [setParams]);

  const publishers = useMemo(() => {
    const names = new Set<string>();
    feed.articles.forEach((a) => a.publishers.forEach((p) => names.add(p)));
    return [...names].sort((a, b) => a.localeCompare(b));
  }, [feed.articles]);

  const filtered = hasFilters(filters);
  const count = feed.articles.length;

  return (
    <div className="mx-auto max-w-4xl space-y-3">
      <header className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">News</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">
            Stories from the news feeds, newest first, with headline sentiment and the NSE companies they name.
          </p>
        </div>
        <Button variant="secondary" className="disabled:opacity-60" onClick={() => feed.refetch()} disabled={feed.isFetching}
          aria-label="Refresh the news">
          {feed.isFetching && !feed.isPending && !feed.isFetchingNextPage ? "Refreshing…" : "Refresh"}
        </Button>
      </header>

      <NewsFilterBar filters={filters} onChange={setFilter} onClear={clear} publishers={publishers} />

      {feed.isPending ? (
        <Spinner label="Loading news…" />
      ) : feed.isError && count === 0 ? (
        <ErrorBox error={feed.error} retry={() => feed.refetch()}
          hint="The news service may be starting; the list loads again when you retry." />
      ) : count === 0 ? (
        <NewsEmpty filtered={filtered} onClear={clear} />
      ) : (
        <>
          {feed.isRefetchError && (
            <ErrorBox error={feed.error} retry={() => feed.refetch()} hint="Showing the articles loaded before." />
          )}
          <p className="text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
            {formatCount(count)} {count === 1 ? "article" : "articles"}{feed.hasNextPage ? " so far; more load as you scroll" : ""}
            {filtered ? " matching the filters" : ""}. Times in IST.
          </p>
          <ol className="space-y-2" aria-label="Articles">
            {feed.articles.map((article) => (
              <li key={article.id}><ArticleCard article={article} now={now} /></li>
            ))}
          </ol>
          <LoadMore hasNextPage={feed.hasNextPage} isFetchingNextPage={feed.isFetchingNextPage}
            fetchNextPage={() => { void feed.fetchNextPage(); }}
            error={feed.isFetchNextPageError ? feed.error : undefined}
            endText={`That is every stored article${filtered ? " matching these filters" : ""} (${formatCount(count)}).`} />
        </>
      )}
    </div>
  );
}
