/** Add an RSS 2.0 or Atom feed to poll (POST /api/news/feeds). */
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { Button, inputClass } from "../ui";
import { Field, InlineError } from "./bits";
import { formatDuration } from "./fields";
import { KEYS } from "./queries";

type FeedRequestBody = Schemas["FeedRequestBody"];
const DEFAULT_INTERVAL_S = 300;

export function AddFeedForm({ knownIds }: { knownIds: ReadonlySet<number> }) {
  const client = useQueryClient();
  const [url, setUrl] = useState("");
  const [title, setTitle] = useState("");
  const [pollInterval, setPollInterval] = useState(String(DEFAULT_INTERVAL_S));
  const [notice, setNotice] = useState<string | null>(null);

  const add = useMutation({
    mutationFn: (body: FeedRequestBody) => api.post<Schemas["FeedAdded"]>("/api/news/feeds", body),
    onSuccess: ({ feed }) => {
      // The gateway answers with the stored feed when the URL is already there.
      setNotice(knownIds.has(feed.id)
        ? `That URL is already stored as “${feed.title ?? feed.url}”.`
        : `Added “${feed.title ?? feed.url}”, polled every ${formatDuration(feed.poll_interval_s)}. “Fetch now” in its row gets it at once.`);
      setUrl("");
      setTitle("");
      setPollInterval(String(DEFAULT_INTERVAL_S));
      return client.invalidateQueries({ queryKey: KEYS.feeds });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    add.mutate({
      url: url.trim(),
      title: title.trim() || null,
      poll_interval_s: Number(pollInterval) || DEFAULT_INTERVAL_S,
    });
  }

  const seconds = Number(pollInterval);
  return (
    <form onSubmit={submit} aria-label="Add a feed" className="space-y-2">
      <div className="grid grid-cols-1 items-start gap-2 sm:grid-cols-[2fr_1fr_8rem_auto]">
        <Field label="Feed URL (RSS or Atom)">
          <input type="url" required minLength={8} maxLength={2000} pattern="https?://\S+" value={url}
            placeholder="https://example.com/markets.rss" onChange={(e) => setUrl(e.target.value)}
            className={inputClass} />
        </Field>
        <Field label="Title (optional)">
          <input value={title} maxLength={300} onChange={(e) => setTitle(e.target.value)}
            placeholder="Markets" className={inputClass} />
        </Field>
        <Field label="Poll every (s)" hint={Number.isFinite(seconds) && seconds >= 30 ? formatDuration(seconds) : "30 s to 7 d"}>
          <input type="number" min={30} max={604800} step={1} required value={pollInterval}
            onChange={(e) => setPollInterval(e.target.value)} className={inputClass} />
        </Field>
        <Button type="submit" disabled={add.isPending} className="sm:mt-4">
          {add.isPending ? "Adding…" : "Add feed"}
        </Button>
      </div>
      <InlineError error={add.error} />
      {notice && <p role="status" className="text-xs text-emerald-700 dark:text-emerald-300">{notice}</p>}
    </form>
  );
}
