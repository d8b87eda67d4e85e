/** One story: publisher and time (IST), headline linking out, sentiment, companies, other publishers. */
import { Link } from "react-router";
import { formatAgo, formatDateTimeIST, formatNumber } from "../../lib/format";
import { Badge, toneOf } from "../ui";
import { externalHref } from "../../lib/links";
import type { Article } from "./useNewsFeed";

/** Publishers other than the one shown, as the story's "also carried by" line. */
export function otherPublishers(article: Article): string[] {
  return [...new Set(article.publishers)].filter((p) => p !== article.publisher);
}

function SentimentBadge({ article }: { article: Article }) {
  if (!article.sentiment) {
    return <Badge title="The headline has not been scored yet">not scored</Badge>;
  }
  const confidence = article.sentiment_confidence;
  const score = article.sentiment_score;
  return (
    <Badge tone={toneOf(article.sentiment)}
      title={`Headline sentiment ${article.sentiment}${score === null ? "" : `, score ${formatNumber(score, 2)} in [-1, 1]`}`}>
      {article.sentiment}
      {confidence !== null && <span className="ml-1 opacity-75">{formatNumber(confidence * 100, 0)}%</span>}
    </Badge>
  );
}

function CarriedBy({ article }: { article: Article }) {
  const others = otherPublishers(article);
  if (others.length > 0) {
    return (
      <span title={others.join(", ")}>
        Also carried by {others.length === 1 ? others[0] : `${formatNumber(others.length, 0)} publishers`}
      </span>
    );
  }
  if (article.duplicate_count > 0) {
    return <span>Seen {formatNumber(article.duplicate_count, 0)} more {article.duplicate_count === 1 ? "time" : "times"}</span>;
  }
  return null;
}

export function ArticleCard({ article, now }: { article: Article; now: number }) {
  const href = externalHref(article.link);
  // A feed without dates: the time we fetched it is the best we know.
  const when = article.published_at ?? article.fetched_at;
  const summary = article.summary.trim();
  const showSummary = summary && summary !== article.title.trim();

  return (
    <article data-testid="news-article" data-article-id={article.id}
      className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-500 dark:text-slate-400">
        <span className="font-medium text-slate-700 dark:text-slate-300">{article.publisher ?? "Unknown publisher"}</span>
        <span aria-hidden>·</span>
        <time dateTime={when} title={article.published_at ? "Published" : "The feed gave no date: time it was fetched"}>
          {article.published_at ? "" : "fetched "}{formatDateTimeIST(when)}
        </time>
        {/* formatAgo falls back to the date after a day, which is already shown */}
        {now - new Date(when).getTime() < 86_400_000 && (
          <><span aria-hidden>·</span><span>{formatAgo(when, now)}</span></>
        )}
        <span className="ml-auto"><SentimentBadge article={article} /></span>
      </div>
      <h3 className="mt-1 text-base font-semibold leading-snug">
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer"
            className="text-slate-900 hover:text-sky-700 hover:underline dark:text-slate-100 dark:hover:text-sky-400">
            {article.title}
            <span className="sr-only"> (opens in a new tab)</span>
          </a>
        ) : (
          <span className="text-slate-900 dark:text-slate-100" title="The feed gave no usable link">{article.title}</span>
        )}
      </h3>
      {showSummary && (
        <p className="mt-1 line-clamp-2 text-sm text-slate-600 dark:text-slate-400" title={summary}>{summary}</p>
      )}
      {(article.symbols.length > 0 || otherPublishers(article).length > 0 || article.duplicate_count > 0) && (
        <div className="mt-2 flex flex-wrap items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400">
          {article.symbols.map((symbol) => (
            <Link key={symbol} to={`/chart/${encodeURIComponent(symbol)}`} title={`Open the ${symbol} chart`}
              className="rounded border border-sky-200 bg-sky-50 px-1.5 py-0.5 font-medium text-sky-800 hover:bg-sky-100 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-300 dark:hover:bg-sky-900">
              {symbol}
            </Link>
          ))}
          <span className={article.symbols.length ? "ml-auto" : ""}><CarriedBy article={article} /></span>
        </div>
      )}
    </article>
  );
}
