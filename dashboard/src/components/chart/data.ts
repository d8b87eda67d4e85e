/**
 * The gateway's column arrays → lightweight-charts rows. Daily bars keep their ISO day as the
 * time (a business day: no time zone at all); intraday bars become UTC seconds and are shown in
 * IST by the chart's formatters. Null and NaN values (warm-up) become whitespace rows, so a
 * line starts where its values start instead of dropping to 0.
 */
import type {
  BusinessDay, CandlestickData, HistogramData, LineData, Time, UTCTimestamp, WhitespaceData,
} from "lightweight-charts";
import type { Schemas } from "../../api/client";
import { istDay } from "../../lib/format";

export type Ohlcv = Schemas["OhlcvResult"];

export interface BarSet {
  symbol: string;
  intraday: boolean;
  /** chart time of each bar */
  times: Time[];
  /** IST day of each bar, ascending */
  days: string[];
  /** epoch ms of each bar (a daily bar: midnight UTC of its day) */
  ms: number[];
  candles: CandlestickData<Time>[];
  /** timeKey(time) → bar index */
  index: Map<string, number>;
  source: Ohlcv;
}

const IST_SUFFIX = /\+05:30$/;

/** The chart time of one `ts` from the API. */
export function toTime(ts: string, intraday: boolean): Time {
  return intraday ? (Math.floor(Date.parse(ts) / 1000) as UTCTimestamp) : ts.slice(0, 10);
}

/** The IST day of an API `ts` (intraday stamps come in IST, so the date part is the day). */
export function tsDay(ts: string): string {
  if (ts.length === 10 || IST_SUFFIX.test(ts)) return ts.slice(0, 10);
  return istDay(ts);
}

/** A string key for any form of chart time (number, "YYYY-MM-DD" or a BusinessDay). */
export function timeKey(time: Time): string {
  if (typeof time === "number") return String(time);
  if (typeof time === "string") return time;
  const t = time as BusinessDay;
  return `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")}`;
}

export function toBarSet(result: Ohlcv): BarSet {
  const intraday = result.interval !== "1d";
  const n = result.ts.length;
  const times: Time[] = new Array(n);
  const days: string[] = new Array(n);
  const ms: number[] = new Array(n);
  const candles: CandlestickData<Time>[] = new Array(n);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i += 1) {
    const ts = result.ts[i];
    const time = toTime(ts, intraday);
    times[i] = time;
    days[i] = tsDay(ts);
    ms[i] = intraday ? Date.parse(ts) : Date.parse(`${days[i]}T00:00:00Z`);
    candles[i] = { time, open: result.open[i], high: result.high[i], low: result.low[i], close: result.close[i] };
    index.set(timeKey(time), i);
  }
  return { symbol: result.symbol, intraday, times, days, ms, candles, index, source: result };
}

/**
 * Volume columns tinted by their candle's direction. Built when drawn, not cached with the bars,
 * so the tints follow the theme (chartColors().volumeUp / volumeDown).
 */
export function toVolumeData(bars: Pick<BarSet, "candles" | "source">, up: string, down: string): HistogramData<Time>[] {
  const volume = bars.source.volume;
  return bars.candles.map((c, i) => ({ time: c.time, value: volume[i], color: c.close >= c.open ? up : down }));
}

function usable(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** One output as line rows; null/NaN → whitespace (no point, no line to 0). */
export function toLineData(ts: readonly string[], values: readonly (number | null)[], intraday: boolean):
  (LineData<Time> | WhitespaceData<Time>)[] {
  const out: (LineData<Time> | WhitespaceData<Time>)[] = new Array(ts.length);
  for (let i = 0; i < ts.length; i += 1) {
    const time = toTime(ts[i], intraday);
    const v = values[i];
    out[i] = usable(v) ? { time, value: v } : { time };
  }
  return out;
}

/** One output as histogram columns coloured by sign; null/NaN → whitespace. */
export function toHistogramData(ts: readonly string[], values: readonly (number | null)[], intraday: boolean,
  up: string, down: string): (HistogramData<Time> | WhitespaceData<Time>)[] {
  const out: (HistogramData<Time> | WhitespaceData<Time>)[] = new Array(ts.length);
  for (let i = 0; i < ts.length; i += 1) {
    const time = toTime(ts[i], intraday);
    const v = values[i];
    out[i] = usable(v) ? { time, value: v, color: v >= 0 ? up : down } : { time };
  }
  return out;
}

/** The last real value of an output (the legend's value when the crosshair is away). */
export function lastValue(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const v = values[i];
    if (usable(v)) return v;
  }
  return null;
}

