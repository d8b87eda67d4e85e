/** News feeds: their polling state, stop/start, fetch now, delete, add, and "Ingest now". */
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { Button, Card, ErrorBox, Spinner } from "../ui";
import { AddFeedForm } from "./AddFeedForm";
import { ConfirmButton, EmptyRow, InlineError, rowClass, tableClass, td, th } from "./bits";
import { FEED_COLUMNS, extraColumns, type Feed } from "./feedColumns";
import { IngestReportView } from "./IngestReportView";
import { KEYS, fetchFeeds } from "./queries";

type IngestRequest = Schemas["IngestRequest"];

function DeleteFeed({ feed }: { feed: Feed }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.delete<void>(`/api/news/feeds/${feed.id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS.feeds }),
  });
  return (
    <>
      <ConfirmButton label="Delete" ariaLabel={`Delete feed ${feed.title ?? feed.url}`}
        question="Delete? Its articles stay." yesLabel="Delete"
        busy={remove.isPending} onConfirm={() => remove.mutate()} />
      <InlineError error={remove.error} />
    </>
  );
}

export function FeedsPanel() {
  const client = useQueryClient();
  const feeds = useQuery({ queryKey: KEYS.feeds, queryFn: ({ signal }) => fetchFeeds(signal) });
  const list = useMemo(() => feeds.data?.feeds ?? [], [feeds.data]);
  const columns = useMemo(() => [...FEED_COLUMNS, ...extraColumns(list)], [list]);
  const names = useMemo(() => new Map(list.map((f) => [f.id, f.title ?? f.url])), [list]);
  const ids = useMemo(() => new Set(list.map((f) => f.id)), [list]);
  // Which ingest is running: "all" or a feed id, so only that button says "Fetching…".
  const [target, setTarget] = useState<"all" | number | null>(null);

  const ingest = useMutation({
    mutationFn: (body: IngestRequest) => api.post<Schemas["IngestReport"]>("/api/news/ingest", body),
    onSettled: () => Promise.all([
      client.invalidateQueries({ queryKey: KEYS.feeds }),
      client.invalidateQueries({ queryKey: KEYS.news }),
    ]),
  });
  const run = (which: "all" | number) => {
    setTarget(which);
    ingest.mutate(which === "all" ? { due_only: false } : { feed_id: which, due_only: false });
  };
  const busy = (which: "all" | number) => ingest.isPending && target === which;

  return (
    <Card title="News feeds" actions={
      <Button onClick={() => run("all")} disabled={ingest.isPending || list.length === 0}
        title="Fetch every feed now, due or not">
        {busy("all") ? "Ingesting…" : "Ingest now"}
      </Button>
    }>
      <div className="space-y-3 p-3">
        {ingest.isPending && (
          <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
            Fetching and scoring {target === "all" ? "every feed" : `“${names.get(target as number)}”`}; this can take up to 2 minutes.
          </p>
        )}
        {ingest.isError && <ErrorBox error={ingest.error} hint="Nothing was stored by this attempt." />}
        {ingest.data && !ingest.isPending && (
          <IngestReportView report={ingest.data} names={names} onClose={() => ingest.reset()} />
        )}

        {feeds.isPending ? <Spinner label="Loading feeds…" /> : feeds.isError ? (
          <ErrorBox error={feeds.error} retry={() => feeds.refetch()} hint="The news service may be starting." />
        ) : (
          <div className="overflow-x-auto rounded border border-slate-200 dark:border-slate-800">
            <table data-testid="feeds-table" className={tableClass(list.length === 0)}>
              <thead className="bg-slate-50 dark:bg-slate-800/60">
                <tr>
                  {columns.map((c, i) => (
                    <th key={c.key} scope="col" className={`${th} ${i === 0 ? "left-0 z-10 bg-slate-50 md:sticky dark:bg-slate-800" : ""}`}>{c.label}</th>
                  ))}
                  <th scope="col" className={`${th} right-0 z-10 bg-slate-50 md:sticky dark:bg-slate-800`}><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {list.map((feed) => (
                  <tr key={feed.id} data-feed-id={feed.id} className={rowClass}>
                    {columns.map((c, i) => (
                      <td key={c.key} className={`${td} ${c.className ?? "whitespace-nowrap"} ${i === 0 ? "left-0 z-10 bg-white md:sticky dark:bg-slate-900" : ""}`}>
                        {c.cell(feed)}
                      </td>
                    ))}
                    <td className={`${td} right-0 z-10 whitespace-nowrap bg-white shadow-[-6px_0_6px_-6px_rgba(0,0,0,0.25)] md:sticky dark:bg-slate-900`}>
                      <div className="flex items-start gap-1">
                        <Button variant="secondary" className="px-2 py-1 text-xs disabled:opacity-50" disabled={ingest.isPending || !feed.enabled}
                          title={feed.enabled ? "Fetch and score this feed now" : "Polling is off: turn it on to fetch this feed"}
                          aria-label={`Fetch ${feed.title ?? feed.url} now`} onClick={() => run(feed.id)}>
                          {busy(feed.id) ? "Fetching…" : "Fetch now"}
                        </Button>
                        <div><DeleteFeed feed={feed} /></div>
                      </div>
                    </td>
                  </tr>
                ))}
                {list.length === 0 && (
                  <EmptyRow columns={columns.length + 1} title="No feeds yet">
                    Add an RSS or Atom feed below; its stories reach the News page once ingested.
                  </EmptyRow>
                )}
              </tbody>
            </table>
          </div>
        )}
        <AddFeedForm knownIds={ids} />
      </div>
    </Card>
  );
}
