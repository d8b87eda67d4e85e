/** What an ingest did: new stories per feed, and why a feed failed. */
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { formatCount } from "../../lib/format";
import { StatusPill } from "./bits";

type IngestReport = Schemas["IngestReport"];

export function ingestSummary(report: IngestReport): string {
  const fresh = report.new_article_ids.length;
  const failed = report.feeds.filter((f) => f.status === "error").length;
  const feeds = report.feeds.length;
  if (feeds === 0) return "There was no feed to fetch: add one below, or enable a stopped one.";
  const parts = [
    `${formatCount(fresh)} new ${fresh === 1 ? "article" : "articles"} from ${formatCount(feeds)} ${feeds === 1 ? "feed" : "feeds"}`,
  ];
  if (failed) parts.push(`${formatCount(failed)} failed`);
  return `${parts.join("; ")}.`;
}

export function IngestReportView({ report, names, onClose }: {
  report: IngestReport; names: ReadonlyMap<number, string>; onClose: () => void;
}) {
  const fresh = report.new_article_ids.length;
  return (
    <div role="status" data-testid="ingest-report"
      className="rounded border border-slate-200 bg-slate-50 p-3 text-sm dark:border-slate-700 dark:bg-slate-800/60">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-medium">{ingestSummary(report)}</p>
        <span className="flex items-center gap-3">
          {fresh > 0 && <Link to="/news" className="text-sky-700 underline dark:text-sky-400">Read them on the News page</Link>}
          <button type="button" onClick={onClose} aria-label="Close the ingest report"
            className="rounded px-1.5 text-slate-500 hover:bg-slate-200 dark:hover:bg-slate-700">✕</button>
        </span>
      </div>
      {report.feeds.length > 0 && (
        <ul className="mt-2 space-y-1">
          {report.feeds.map((feed, i) => (
            <li key={`${feed.feed_id ?? feed.url}-${i}`} className="flex flex-wrap items-baseline gap-x-2 text-xs">
              <StatusPill status={feed.status} />
              <span className="font-medium">
                {(feed.feed_id !== undefined && names.get(feed.feed_id)) || feed.url || "Inline feed"}
              </span>
              <span className="text-slate-600 dark:text-slate-400">
                {feed.items !== undefined && `${formatCount(feed.items)} entries · `}
                {formatCount(feed.new_article_ids.length)} new
                {feed.new_copies_of_stored ? ` · ${formatCount(feed.new_copies_of_stored)} copies of stored stories` : ""}
              </span>
              {feed.error && <span className="basis-full break-words text-rose-700 dark:text-rose-300">{feed.error}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
