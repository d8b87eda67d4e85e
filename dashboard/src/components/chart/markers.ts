/**
 * Alerts and news on the bars: which bar an event belongs to (by its IST day) and the
 * lightweight-charts markers for them, one per bar and kind so a busy day stays readable.
 */
import type { SeriesMarker, Time } from "lightweight-charts";
import type { Schemas } from "../../api/client";
import { addDays } from "../../lib/chartState";
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

function firstOnOrAfter(sorted: readonly string[], day: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < day) lo = mid + 1; else hi = mid;
  }
  return lo;
}

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
