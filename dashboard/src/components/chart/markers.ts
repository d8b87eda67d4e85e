/**
 * Alerts and news on the bars: which bar an event belongs to (by its IST day) and the
 * lightweight-charts markers for them, one per bar and kind so a busy day stays readable.
 */
import type { SeriesMarker, Time } from "lightweight-charts";
import type { Schemas } from "../../api/client";
import { isMuted } from "../../lib/alerts";
import { addDays, firstOnOrAfter } from "../../lib/chartState";
import { istDay } from "../../lib/format";
import { type BarSet } from "./data";

export type Alert = Schemas["Alert"];
export type Article = Schemas["Article"];

export interface BarEvents {
  alerts: Alert[];
  news: Article[];
}

export interface MarkerColours {
  up: string;
  down: string;
  neutral: string;
}

/** An event on a day without a session (weekend, holiday) goes on the next session this near. */
const MAX_GAP_DAYS = 5;

function lastAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= t) lo = mid + 1; else hi = mid;
  }
  return lo - 1;
}

/**
 * The bar an event at `moment` belongs to. Daily: the bar of its IST day (news after the close
 * stays on that day), else the next session's bar when the market was shut. Intraday: the bar
 * it happened in (or the day's last bar, after the close); before the open, the day's first bar.
 * Null when the event is outside the bars.
 */
export function barOf(bars: Pick<BarSet, "days" | "ms" | "intraday">, moment: string): number | null {
  const n = bars.days.length;
  const t = Date.parse(moment);
  if (!n || Number.isNaN(t)) return null;
  const day = istDay(t);
  const nextSession = (i: number) => (i < n && bars.days[i] <= addDays(day, MAX_GAP_DAYS) ? i : null);
  if (!bars.intraday) {
    const i = firstOnOrAfter(bars.days, day);
    return nextSession(i);
  }
  const i = lastAtOrBefore(bars.ms, t);
  if (i >= 0 && bars.days[i] === day) return i;
  return nextSession(i + 1);
}

/**
 * The alerts to mark on a symbol's chart: the stored ones fetched for it (`stored`, from `since`
 * on) and the live ones the alerts stream brought since (`live`, every symbol: only this
 * symbol's, from `since` on, are taken), each once, newest first. Alerts of muted rules are
 * left out as in the alerts panel, except the one being looked at (`focus`), which is always
 * marked, also when neither list has it.
 */
export function chartAlerts({ symbol, stored, live, muted, focusId, focus, since }: {
  symbol: string;
  stored: readonly Alert[];
  live: readonly Alert[];
  muted: ReadonlySet<string>;
  /** the alert of `?alert=`: its id, and the alert once fetched */
  focusId: number | null;
  focus?: Alert | null;
  /** IST day the stored alerts start at (null: all of them) */
  since: string | null;
}): Alert[] {
  const byId = new Map<number, Alert>();
  for (const a of stored) byId.set(a.id, a);
  for (const a of live) {
    if (a.symbol === symbol && !byId.has(a.id) && (since === null || istDay(a.ts) >= since)) byId.set(a.id, a);
  }
  const shown = [...byId.values()].filter((a) => !isMuted(a, muted) || a.id === focusId);
  if (focus && focus.symbol === symbol && !byId.has(focus.id)) shown.push(focus);
  return shown.sort((a, b) => b.id - a.id);
}

/** Events per bar index (each list newest first as the API gave it). */
export function eventsByBar(bars: Pick<BarSet, "days" | "ms" | "intraday">, alerts: readonly Alert[],
  news: readonly Article[]): Map<number, BarEvents> {
  const byBar = new Map<number, BarEvents>();
  const slot = (i: number) => {
    let e = byBar.get(i);
    if (!e) {
      e = { alerts: [], news: [] };
      byBar.set(i, e);
    }
    return e;
  };
  for (const alert of alerts) {
    const i = barOf(bars, alert.ts);
    if (i !== null) slot(i).alerts.push(alert);
  }
  for (const article of news) {
    const when = article.published_at; // a story without a date has no bar
    const i = when ? barOf(bars, when) : null;
    if (i !== null) slot(i).news.push(article);
  }
  return byBar;
}

/**
 * Markers for the candle series: per bar, an up arrow under it for bullish alerts, a down arrow
 * over it for bearish ones, a square for neutral ones and a circle for news coloured by the
 * stories' prevailing sentiment. The alert being looked at (`focus`) gets a bigger marker.
 */
export function buildMarkers(times: readonly Time[], byBar: ReadonlyMap<number, BarEvents>, colours: MarkerColours,
  focus: number | null = null): SeriesMarker<Time>[] {
  const markers: SeriesMarker<Time>[] = [];
  const bars = [...byBar.keys()].sort((a, b) => a - b);
  for (const i of bars) {
    const { alerts, news } = byBar.get(i)!;
    const time = times[i];
    const count = (n: number) => (n > 1 ? String(n) : undefined);
    const size = (list: Alert[]) => (focus !== null && list.some((a) => a.id === focus) ? 2 : 1);
    const bullish = alerts.filter((a) => a.direction === "bullish");
    const bearish = alerts.filter((a) => a.direction === "bearish");
    const neutral = alerts.filter((a) => a.direction === "neutral");
    if (bullish.length) {
      markers.push({ id: `alert-up-${i}`, time, position: "belowBar", shape: "arrowUp", color: colours.up,
        text: count(bullish.length), size: size(bullish) });
    }
    if (bearish.length) {
      markers.push({ id: `alert-down-${i}`, time, position: "aboveBar", shape: "arrowDown", color: colours.down,
        text: count(bearish.length), size: size(bearish) });
    }
    if (neutral.length) {
      markers.push({ id: `alert-neutral-${i}`, time, position: "aboveBar", shape: "square", color: colours.neutral,
        text: count(neutral.length), size: size(neutral) });
    }
    if (news.length) {
      const score = news.reduce((s, a) => s + (a.sentiment === "positive" ? 1 : a.sentiment === "negative" ? -1 : 0), 0);
      markers.push({ id: `news-${i}`, time, position: "aboveBar", shape: "circle",
        color: score > 0 ? colours.up : score < 0 ? colours.down : colours.neutral, text: count(news.length) });
    }
  }
  return markers;
}
