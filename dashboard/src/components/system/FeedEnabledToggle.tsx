/** Start or stop polling one feed (PATCH /api/news/feeds/{id}). */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { InlineError } from "./bits";
import { KEYS } from "./queries";

type Feed = Schemas["FeedState"];

export function FeedEnabledToggle({ feed }: { feed: Feed }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: (enabled: boolean) =>
      api.patch<Schemas["FeedAdded"]>(`/api/news/feeds/${feed.id}`, { enabled } satisfies Schemas["FeedChange"]),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS.feeds }),
  });
  const on = feed.enabled;
  const name = feed.title ?? feed.url;
  return (
    <div>
      <button type="button" role="switch" aria-checked={on} disabled={change.isPending}
        aria-label={`Poll ${name}`} onClick={() => change.mutate(!on)}
        className="inline-flex items-center gap-2 rounded text-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-60">
        <span aria-hidden className={`relative h-5 w-9 rounded-full transition-colors ${on ? "bg-emerald-500" : "bg-slate-300 dark:bg-slate-600"}`}>
          <span className={`absolute top-0.5 h-4 w-4 rounded-full bg-white shadow transition-all ${on ? "left-[1.125rem]" : "left-0.5"}`} />
        </span>
        <span className={on ? "text-emerald-700 dark:text-emerald-300" : "text-slate-500 dark:text-slate-400"}>
          {change.isPending ? "Saving…" : on ? "On" : "Off"}
        </span>
      </button>
      <InlineError error={change.error} />
    </div>
  );
}
