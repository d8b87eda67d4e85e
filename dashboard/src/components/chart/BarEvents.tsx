/**
 * The alerts and stories of the bars: a hover tooltip, a card of one bar's events (opened by
 * clicking its bar, or from the list), and the list of the bars in view that have events, the
 * way to them without a mouse.
 */
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import { formatCount, formatDateIST, formatDateTimeIST, formatTimeIST } from "../../lib/format";
import { Badge, Card, toneOf } from "../ui";
import type { BarEvents as Events } from "./markers";
import { StoryTitle } from "./StoryTitle";

const SHOWN = 4;
/** Bars listed under the chart at most (newest first): a 5-year view can have hundreds. */
const LISTED = 100;

export function EventTooltip({ events, day }: { events: Events; day: string }) {
  const { alerts, news } = events;
  return (
    <div className="space-y-1">
      <p className="font-medium">{formatDateIST(day)}</p>
      {alerts.slice(0, SHOWN).map((a) => (
        <p key={`a${a.id}`}>
          <Badge tone={toneOf(a.direction)}>{a.direction}</Badge> {a.explanation}
        </p>
      ))}
      {alerts.length > SHOWN && <p className="text-slate-500 dark:text-slate-400">and {alerts.length - SHOWN} more alerts</p>}
      {news.slice(0, SHOWN).map((n) => (
        <p key={`n${n.id}`}>
          <Badge tone={toneOf(n.sentiment)}>{n.sentiment ?? "unscored"}</Badge> {n.title}
          {n.publisher && <span className="text-slate-500 dark:text-slate-400"> · {n.publisher}</span>}
        </p>
      ))}
      {news.length > SHOWN && <p className="text-slate-500 dark:text-slate-400">and {news.length - SHOWN} more stories</p>}
      <p className="text-[11px] text-slate-500 dark:text-slate-400">Click the bar to list them.</p>
    </div>
  );
}

export function BarEventsCard({ events, day, hrefFor, onClose, focus = false }: {
  events: Events;
  day: string;
  hrefFor: (alertId: number) => string;
  onClose: () => void;
  /** take the keyboard focus when shown (opened from the list, not by a click on the canvas) */
  focus?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus, day]);
  return (
    <div ref={ref} tabIndex={-1} aria-label={`Alerts and news on ${formatDateIST(day)}`}
      onKeyDown={(e) => { if (e.key === "Escape") onClose(); }}
      className="rounded-lg focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
      <Card title={`Alerts and news on ${formatDateIST(day)}`}
        actions={<button type="button" onClick={onClose} aria-label="Close the list of this bar's events"
          className="rounded px-2 text-slate-500 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800">✕</button>}>
        <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800">
          {events.alerts.map((a) => (
            <li key={`a${a.id}`} className="px-3 py-1.5">
              <Badge tone={toneOf(a.direction)}>{a.direction}</Badge>{" "}
              <Link to={hrefFor(a.id)} className="text-sky-700 hover:underline dark:text-sky-400">{a.explanation}</Link>
              <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">{a.rule ?? a.kind} · {formatTimeIST(a.ts)} IST</span>
            </li>
          ))}
          {events.news.map((n) => (
            <li key={`n${n.id}`} className="px-3 py-1.5">
              <Badge tone={toneOf(n.sentiment)}>{n.sentiment ?? "unscored"}</Badge>{" "}
              <StoryTitle title={n.title} link={n.link} />
              <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">
                {n.publisher ?? "unknown publisher"} · {formatDateTimeIST(n.published_at)}
              </span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

/** The bars from `from` to `to` (inclusive) that have events, newest first, at most `limit`. */
export function barsWithEvents(events: ReadonlyMap<number, Events>, from: number, to: number,
  limit = LISTED): { bars: number[]; total: number } {
  const all = [...events.keys()].filter((i) => i >= from && i <= to).sort((a, b) => b - a);
  return { bars: all.slice(0, limit), total: all.length };
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

type Tone = ReturnType<typeof toneOf>;

/** One bar's events counted: "2 bearish alerts", "1 story", each with its badge tone. */
function counts(events: Events): { text: string; tone: Tone }[] {
  const out: { text: string; tone: Tone }[] = [];
  for (const d of ["bullish", "bearish", "neutral"] as const) {
    const n = events.alerts.filter((a) => a.direction === d).length;
    if (n) out.push({ text: plural(n, `${d} alert`, `${d} alerts`), tone: toneOf(d) });
  }
  if (events.news.length) out.push({ text: plural(events.news.length, "story", "stories"), tone: "info" });
  return out;
}

/**
 * The bars in view that carry alerts or news, as buttons that open the same card as clicking
 * the bar on the canvas: the keyboard's (and a screen reader's) way to the markers.
 */
export function EventsInView({ events, from, to, when, picked, onPick }: {
  events: ReadonlyMap<number, Events>;
  from: number;
  to: number;
  /** a bar's date (daily) or date and time (intraday), for people */
  when: (bar: number) => string;
  picked: number | null;
  onPick: (bar: number) => void;
}) {
  const { bars, total } = barsWithEvents(events, from, to);
  if (total === 0) return null;
  return (
    <details className="rounded-lg border border-slate-200 text-sm dark:border-slate-800">
      <summary className="cursor-pointer rounded-lg px-3 py-1.5 font-medium hover:bg-slate-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:hover:bg-slate-800/60">
        Alerts and news in view: {plural(total, "bar", "bars")}
      </summary>
      <ul aria-label="Bars in view with alerts or news, newest first"
        className="max-h-72 divide-y divide-slate-200 overflow-y-auto border-t border-slate-200 dark:divide-slate-800 dark:border-slate-800">
        {bars.map((i) => {
          const e = events.get(i)!;
          const parts = counts(e);
          const first = e.alerts[0]?.explanation ?? e.news[0]?.title ?? "";
          return (
            <li key={i}>
              <button type="button" onClick={() => onPick(i)} aria-pressed={picked === i}
                aria-label={`${when(i)}: ${parts.map((p) => p.text).join(", ")}. ${first}`}
                className={`flex w-full flex-wrap items-center gap-1 px-3 py-1 text-left text-xs hover:bg-slate-100 focus-visible:bg-slate-100 focus-visible:outline-none dark:hover:bg-slate-800 dark:focus-visible:bg-slate-800 ${picked === i ? "bg-sky-50 dark:bg-sky-950" : ""}`}>
                <span className="font-medium tabular-nums">{when(i)}</span>
                {parts.map((p) => <Badge key={p.text} tone={p.tone}>{p.text}</Badge>)}
                <span className="min-w-0 truncate text-slate-600 dark:text-slate-300">{first}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {total > bars.length && (
        <p className="border-t border-slate-200 px-3 py-1 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
          The newest {formatCount(bars.length)} of {formatCount(total)} are listed; zoom in or pick a shorter range to list older ones.
        </p>
      )}
    </details>
  );
}
