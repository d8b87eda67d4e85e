/** The alerts and stories of one bar: a hover tooltip, and a card when the bar is clicked. */
import { Link } from "react-router";
import { formatDateIST, formatDateTimeIST, formatTimeIST } from "../../lib/format";
import { Badge, Card, toneOf } from "../ui";
import type { BarEvents as Events } from "./markers";

const SHOWN = 4;

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

export function BarEventsCard({ events, day, hrefFor, onClose }: {
  events: Events;
  day: string;
  hrefFor: (alertId: number) => string;
  onClose: () => void;
}) {
  return (
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
            {n.link ? <a href={n.link} target="_blank" rel="noreferrer noopener" className="text-sky-700 hover:underline dark:text-sky-400">{n.title}</a>
              : n.title}
            <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">
              {n.publisher ?? "unknown publisher"} · {formatDateTimeIST(n.published_at)}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
