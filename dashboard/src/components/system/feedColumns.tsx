/**
 * The columns of the feeds table. Every field of `FeedState` is shown: the ones listed here
 * with a label and a renderer, any other (a field the gateway has just gained) by
 * {@link extraColumns} from its name. Adding a tailored column is one line in FEED_COLUMNS.
 */
import type { ReactNode } from "react";
import type { Schemas } from "../../api/client";
import { externalHref } from "../../lib/links";
import { FieldValue, humanize } from "./fields";
import { StatusPill } from "./bits";
import { FeedEnabledToggle } from "./FeedEnabledToggle";

export type Feed = Schemas["FeedState"];

export interface FeedColumn {
  key: string;
  label: string;
  cell: (feed: Feed) => ReactNode;
  className?: string;
}

/** A column of one field; without `cell` the value is shown by its name's convention. */
function col<K extends keyof Feed>(key: K, label: string,
  cell?: (value: Feed[K], feed: Feed) => ReactNode, className?: string): FeedColumn {
  return { key, label, className, cell: (feed) => cell ? cell(feed[key], feed) : <FieldValue name={key} value={feed[key]} /> };
}

function FeedName({ feed }: { feed: Feed }) {
  const href = externalHref(feed.url);
  return (
    <div className="max-w-[16rem]">
      <div className="truncate font-medium" title={feed.title ?? undefined}>{feed.title ?? "Untitled feed"}</div>
      {href ? (
        <a href={href} target="_blank" rel="noopener noreferrer" title={feed.url}
          className="block truncate text-xs text-sky-700 hover:underline dark:text-sky-400">{feed.url}</a>
      ) : <div className="truncate text-xs text-slate-500" title={feed.url}>{feed.url}</div>}
    </div>
  );
}

export const FEED_COLUMNS: FeedColumn[] = [
  col("title", "Feed", (_, feed) => <FeedName feed={feed} />),
  col("enabled", "Polling", (_, feed) => <FeedEnabledToggle feed={feed} />),
  col("article_count", "Articles", undefined, "text-right tabular-nums"),
  col("last_status", "Last fetch", (status) => <StatusPill status={status} label={status ? undefined : "Never fetched"} />),
  col("last_fetched_at", "Fetched at"),
  col("last_error", "Last error", (error) => error
    ? <p className="line-clamp-2 max-w-[14rem] whitespace-normal text-xs text-rose-700 dark:text-rose-300" title={error}>{error}</p>
    : <FieldValue name="last_error" value={null} />),
  col("failure_count", "Failures in a row", undefined, "text-right tabular-nums"),
  col("next_fetch_at", "Next fetch"),
  col("poll_interval_s", "Every"),
  col("etag", "ETag", (etag) => etag ? <code className="block max-w-[8rem] truncate text-xs" title={etag}>{etag}</code> : <FieldValue name="etag" value={null} />),
  col("last_modified", "Last-Modified"),
];

/** Shown inside another column (the URL under the title) or as the row's name (the id). */
const SHOWN_ELSEWHERE = new Set<string>(["id", "url"]);

/** Columns for the fields of the rows that FEED_COLUMNS does not list (e.g. an article count). */
export function extraColumns(feeds: readonly Feed[]): FeedColumn[] {
  const known = new Set([...FEED_COLUMNS.map((c) => c.key), ...SHOWN_ELSEWHERE]);
  const extra = new Set<string>();
  for (const feed of feeds) for (const key of Object.keys(feed)) if (!known.has(key)) extra.add(key);
  return [...extra].map((key) => ({
    key,
    label: humanize(key),
    cell: (feed: Feed) => <FieldValue name={key} value={(feed as unknown as Record<string, unknown>)[key]} />,
  }));
}
