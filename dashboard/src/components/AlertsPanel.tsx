/** The live alerts panel shown beside every page. */
import { useEffect } from "react";
import { Link } from "react-router";
import { CANDLE_GROUP, useAlerts, type Alert } from "../lib/alerts";
import { formatAgo, formatDateIST, formatDateTimeIST, formatNumber, istDay } from "../lib/format";
import { useNow } from "../lib/useNow";
import { Badge, ErrorBox, inputClass, toneOf } from "./ui";

const STATE_TEXT = {
  connecting: ["Connecting", "bg-amber-400"],
  live: ["Live", "bg-emerald-500"],
  reconnecting: ["Reconnecting", "bg-amber-500"],
  offline: ["Offline", "bg-rose-500"],
} as const;

export function StreamStatus() {
  const { state, stateDetail } = useAlerts();
  const [text, colour] = STATE_TEXT[state];
  return (
    <span data-testid="stream-state" data-state={state} title={stateDetail ?? text}
      className="inline-flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
      <span className={`h-2 w-2 rounded-full ${colour}`} aria-hidden />
      {text}
    </span>
  );
}

/** The chart link of an alert: that symbol, centred on the alert's bar. */
export function alertHref(alert: Alert): string {
  return `/chart/${encodeURIComponent(alert.symbol)}?at=${istDay(alert.ts)}&alert=${alert.id}`;
}

function AlertRow({ alert, now }: { alert: Alert; now: number }) {
  const { toggleMute } = useAlerts();
  return (
    <li data-testid="alert-row" data-alert-id={alert.id}
      className="border-b border-slate-200 px-3 py-2 text-sm dark:border-slate-800">
      <div className="flex items-center justify-between gap-2">
        <Link to={alertHref(alert)} className="font-semibold text-sky-700 hover:underline dark:text-sky-400">
          {alert.symbol}
        </Link>
        <span className="flex items-center gap-1">
          <Badge tone={toneOf(alert.direction)}>{alert.direction}</Badge>
          <Badge tone="info" title="impact in [0, 1]">{formatNumber(alert.impact, 2)}</Badge>
        </span>
      </div>
      <Link to={alertHref(alert)} className="mt-1 block text-slate-700 hover:underline dark:text-slate-300">
        {alert.explanation}
      </Link>
      <div className="mt-1 flex items-center justify-between text-xs text-slate-500 dark:text-slate-400">
        <span title={`bar ${formatDateTimeIST(alert.ts)}, raised ${formatDateTimeIST(alert.created_at)}`}>
          {alert.kind} · {formatDateIST(alert.ts)} · {formatAgo(alert.created_at, now)}
        </span>
        {alert.rule && (
          <button type="button" className="hover:underline" onClick={() => toggleMute(alert.rule!)}
            aria-label={`Mute rule ${alert.rule}`} title={`Hide alerts of rule ${alert.rule}`}>mute</button>
        )}
      </div>
    </li>
  );
}

export function AlertsPanel({ open }: { open: boolean }) {
  const { visible, filter, setFilter, muted, toggleMute, markSeen, loadError, alerts } = useAlerts();
  useEffect(() => {
    if (open) markSeen();
  }, [open, alerts, markSeen]);
  const userMutes = [...muted].filter((r) => r !== CANDLE_GROUP);
  const now = useNow(30_000); // "5 min ago" keeps counting
  return (
    <aside aria-label="Live alerts" data-testid="alerts-panel" className="flex h-full flex-col">
      <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2 dark:border-slate-800">
        <h2 className="text-sm font-semibold">Live alerts</h2>
        <StreamStatus />
      </div>
      <div className="grid grid-cols-2 gap-1 border-b border-slate-200 p-2 text-xs dark:border-slate-800">
        <input aria-label="Filter alerts by symbol" placeholder="Symbol" value={filter.symbol}
          className={inputClass} onChange={(e) => setFilter({ ...filter, symbol: e.target.value.trim() })} />
        <select aria-label="Filter alerts by direction" className={inputClass} value={filter.direction}
          onChange={(e) => setFilter({ ...filter, direction: e.target.value as typeof filter.direction })}>
          <option value="">Any direction</option>
          <option value="bullish">Bullish</option>
          <option value="bearish">Bearish</option>
          <option value="neutral">Neutral</option>
        </select>
        <select aria-label="Filter alerts by kind" className={inputClass} value={filter.kind}
          onChange={(e) => setFilter({ ...filter, kind: e.target.value as typeof filter.kind })}>
          <option value="">Any kind</option>
          <option value="technical">Technical</option>
          <option value="news">News</option>
          <option value="combined">Combined</option>
          <option value="model">Model</option>
        </select>
        <select aria-label="Minimum impact" className={inputClass} value={filter.minImpact}
          onChange={(e) => setFilter({ ...filter, minImpact: Number(e.target.value) })}>
          <option value={0}>Any impact</option>
          <option value={0.3}>Impact ≥ 0.3</option>
          <option value={0.5}>Impact ≥ 0.5</option>
          <option value={0.7}>Impact ≥ 0.7</option>
        </select>
        <label className="col-span-2 flex items-center gap-1">
          <input type="checkbox" checked={muted.has(CANDLE_GROUP)} onChange={() => toggleMute(CANDLE_GROUP)} />
          Mute the 61 candlestick-pattern rules
        </label>
        {userMutes.length > 0 && (
          <div className="col-span-2 flex flex-wrap gap-1">
            {userMutes.map((rule) => (
              <button key={rule} type="button" onClick={() => toggleMute(rule)} title="Unmute"
                className="rounded bg-slate-200 px-1 dark:bg-slate-700">{rule} ✕</button>
            ))}
          </div>
        )}
      </div>
      {loadError ? <ErrorBox error={loadError} /> : null}
      <ul className="flex-1 overflow-y-auto" data-testid="alerts-list">
        {visible.length === 0 && (
          <li className="p-4 text-sm text-slate-500 dark:text-slate-400">
            No alerts match. New ones appear here as they are raised.
          </li>
        )}
        {visible.slice(0, 200).map((alert) => <AlertRow key={alert.id} alert={alert} now={now} />)}
      </ul>
    </aside>
  );
}
