/**
 * The lightweight-charts canvas: candles and volume on the price pane, overlays on it, each
 * oscillator in a pane of its own, alert and news markers, a legend with the values under the
 * crosshair and a tooltip for the events of the hovered bar.
 *
 * The browser tests read it back through `window.__chitti` and wait for `data-ready="true"`
 * on the container, which is set (with `performance.mark("chart-ready")`) once the bars and
 * every requested indicator are on their series.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import {
  CandlestickSeries, ColorType, createChart, createSeriesMarkers, CrosshairMode, HistogramSeries, LineSeries,
  TickMarkType, type IChartApi, type ISeriesApi, type ISeriesMarkersPluginApi, type MouseEventParams,
  type SeriesType, type Time,
} from "lightweight-charts";
import { type RangeKey, visibleBars } from "../../lib/chartState";
import { formatCountCompact, formatDateIST, formatDateTimeIST, formatNumber, IST } from "../../lib/format";
import { chartColors, useTheme } from "../../lib/theme";
import { timeKey, toHistogramData, toLineData, toVolumeData, type BarSet } from "./data";
import { isHistogram, outputPlacement, type ResolvedIndicator } from "./indicators";
import { buildMarkers, type BarEvents } from "./markers";
import type { IndicatorValues } from "./queries";

declare global {
  interface Window {
    /** The price chart, for the browser tests: series keyed "candles", "volume", "<indicator key>.<output>". */
    __chitti?: { chart: IChartApi; series: Record<string, ISeriesApi<SeriesType>> };
  }
}

export interface DrawnIndicator {
  indicator: ResolvedIndicator;
  /** price: its price-level outputs go on the price pane; pane: all in a pane of its own */
  placement: "price" | "pane";
  values: IndicatorValues;
  colours: Record<string, string>;
}

export interface Hover {
  index: number;
  x: number;
  y: number;
  /** series key → value under the crosshair */
  values: Record<string, number | undefined>;
}

interface Props {
  bars: BarSet;
  indicators: readonly DrawnIndicator[];
  /** every requested indicator has values or has failed: draw */
  settled: boolean;
  events: ReadonlyMap<number, BarEvents>;
  focusAlert: number | null;
  range: RangeKey;
  at: string | null;
  onPickBar: (index: number) => void;
  /** called once when the view is panned to the first bar (more history may be fetched) */
  onReachStart?: () => void;
  /** the bars in view changed (indexes, inclusive), after a pan, a zoom or new bars */
  onView?: (from: number, to: number) => void;
  /** the legend, given the values under the crosshair (null: the last bar) */
  legend: (hover: Hover | null) => ReactNode;
  tooltip: (events: BarEvents, bar: number) => ReactNode;
}

const NARROW = typeof window !== "undefined" && window.matchMedia?.("(max-width: 640px)").matches;
const PRICE_HEIGHT = NARROW ? 320 : 430;
const PANE_HEIGHT = NARROW ? 110 : 140;

const tickFormats = {
  year: new Intl.DateTimeFormat("en-IN", { timeZone: IST, year: "numeric" }),
  month: new Intl.DateTimeFormat("en-IN", { timeZone: IST, month: "short" }),
  day: new Intl.DateTimeFormat("en-IN", { timeZone: IST, day: "numeric", month: "short" }),
  time: new Intl.DateTimeFormat("en-IN", { timeZone: IST, hour: "2-digit", minute: "2-digit", hour12: false }),
};

/** Intraday ticks in IST (the chart itself knows only UTC); daily ticks keep the default. */
function tickMark(time: Time, type: TickMarkType): string | null {
  if (typeof time !== "number") return null;
  const d = new Date(time * 1000);
  switch (type) {
    case TickMarkType.Year: return tickFormats.year.format(d);
    case TickMarkType.Month: return tickFormats.month.format(d);
    case TickMarkType.DayOfMonth: return tickFormats.day.format(d);
    default: return tickFormats.time.format(d);
  }
}

function crosshairTime(time: Time): string {
  return typeof time === "number" ? formatDateTimeIST(time * 1000) : formatDateIST(timeKey(time));
}

/** Axis prices in Indian grouping; small oscillator values keep four decimals. */
function axisPrice(p: number): string {
  return formatNumber(p, Math.abs(p) >= 1 || p === 0 ? 2 : 4);
}

interface Drawn {
  indicator: DrawnIndicator;
  series: Map<string, ISeriesApi<SeriesType>>;
  /** the histogram tints its columns were drawn in (they follow the theme) */
  tints: string;
}

interface Tints {
  up: string;
  down: string;
}

/** Same symbol, interval and adjustment (the window may differ). */
function sameSeries(a: BarSet, b: BarSet): boolean {
  return a.symbol === b.symbol && a.source.interval === b.source.interval && a.source.adjust === b.source.adjust;
}

/**
 * Keep the indicator series in step with `indicators`: update kept ones (also when the theme's
 * histogram tints changed), add new, remove gone.
 */
function drawIndicators(chart: IChartApi, drawn: Map<string, Drawn>, exposed: Record<string, ISeriesApi<SeriesType>>,
  indicators: readonly DrawnIndicator[], intraday: boolean, hist: Tints): void {
  const tints = `${hist.up}|${hist.down}`;
  const wanted = new Map(indicators.map((d) => [d.indicator.key, d]));
  for (const [key, d] of drawn) {
    const next = wanted.get(key);
    if (next && next.placement === d.indicator.placement) continue;
    for (const [output, s] of d.series) {
      chart.removeSeries(s);
      delete exposed[`${key}.${output}`];
    }
    drawn.delete(key);
  }
  for (const d of indicators) {
    const { indicator, values, placement, colours } = d;
    const existing = drawn.get(indicator.key);
    if (existing && existing.indicator.values === values && existing.tints === tints) continue;
    const series = existing?.series ?? new Map<string, ISeriesApi<SeriesType>>();
    let ownPane: number | null = null;
    indicator.info.outputs.forEach((output, n) => {
      const data = values.outputs[output];
      if (!data) return;
      const histogram = isHistogram(indicator.info, output);
      let s = series.get(output);
      if (!s) {
        const onPrice = placement === "price" && outputPlacement(indicator.info, output) === "price";
        const pane = onPrice ? 0 : (ownPane ??= chart.panes().length);
        s = histogram
          ? chart.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false, color: colours[output] }, pane)
          : chart.addSeries(LineSeries, {
            color: colours[output], lineWidth: n === 0 ? 2 : 1, priceLineVisible: false, lastValueVisible: false,
            crosshairMarkerRadius: 3,
          }, pane);
        series.set(output, s);
        exposed[`${indicator.key}.${output}`] = s;
      }
      s.setData(histogram
        ? toHistogramData(values.ts, data, intraday, hist.up, hist.down)
        : toLineData(values.ts, data, intraday));
    });
    drawn.set(indicator.key, { indicator: d, series, tints });
  }
}

export function PriceChart({
  bars, indicators, settled, events, focusAlert, range, at, onPickBar, onReachStart, onView, legend, tooltip,
}: Props) {
  const [theme] = useTheme();
  const colours = chartColors(theme);
  // the chart is created once, in the theme of that moment; the theme effect re-applies changes
  const coloursRef = useRef(colours);
  coloursRef.current = colours;
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const candlesRef = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const markersRef = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const seriesRef = useRef<Record<string, ISeriesApi<SeriesType>>>({});
  const drawnRef = useRef(new Map<string, Drawn>());
  /** the bars on the series now */
  const drawnBarsRef = useRef<BarSet | null>(null);
  const barsRef = useRef(bars);
  barsRef.current = bars;
  const pickRef = useRef(onPickBar);
  pickRef.current = onPickBar;
  const reachStartRef = useRef(onReachStart);
  reachStartRef.current = onReachStart;
  const viewChangeRef = useRef(onView);
  viewChangeRef.current = onView;

  const [hover, setHover] = useState<Hover | null>(null);
  const [paneLabels, setPaneLabels] = useState<{ top: number; text: string }[]>([]);

  // --- the chart, once -----------------------------------------------------------------------
  useEffect(() => {
    const container = containerRef.current!;
    const c = coloursRef.current;
    const chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: c.background }, textColor: c.text, fontSize: 11,
        panes: { separatorColor: c.grid } },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      crosshair: { mode: CrosshairMode.Normal },
      localization: { locale: "en-IN", priceFormatter: axisPrice, timeFormatter: crosshairTime },
      rightPriceScale: { borderColor: c.grid },
      // "All" is some 5,300 daily bars: let them fit a phone-wide chart
      timeScale: { borderColor: c.grid, rightOffset: 3, minBarSpacing: 0.05, tickMarkFormatter: tickMark },
    });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: c.up, downColor: c.down, wickUpColor: c.up, wickDownColor: c.down, borderVisible: false,
      // the volume band under the candles would otherwise be labelled with negative prices
      priceFormat: { type: "custom", minMove: 0.01, formatter: axisPrice,
        tickmarksFormatter: (prices: number[]) => prices.map((p) => (p < 0 ? "" : axisPrice(p))) },
    });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.06, bottom: 0.24 } });
    const volume = chart.addSeries(HistogramSeries, {
      priceScaleId: "volume", lastValueVisible: false, priceLineVisible: false,
      priceFormat: { type: "custom", formatter: formatCountCompact },
    });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 }, visible: false });
    chartRef.current = chart;
    candlesRef.current = candles;
    markersRef.current = createSeriesMarkers(candles, []);
    seriesRef.current = { candles, volume };
    const exposed = { chart, series: seriesRef.current };
    window.__chitti = exposed;

    let frame = 0;
    let last: MouseEventParams<Time> | null = null;
    const onMove = (param: MouseEventParams<Time>) => {
      last = param;
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const p = last;
        const index = p?.time !== undefined ? barsRef.current.index.get(timeKey(p.time)) : undefined;
        if (!p?.point || index === undefined) {
          setHover(null);
          return;
        }
        const values: Record<string, number | undefined> = {};
        for (const [key, s] of Object.entries(seriesRef.current)) {
          const d = p.seriesData.get(s);
          values[key] = d && "value" in d ? d.value : undefined;
        }
        setHover({ index, x: p.point.x, y: p.point.y, values });
      });
    };
    const onClick = (param: MouseEventParams<Time>) => {
      const index = param.time !== undefined ? barsRef.current.index.get(timeKey(param.time)) : undefined;
      if (index !== undefined) pickRef.current(index);
    };
    let viewFrame = 0;
    let asked = false;
    const onRange = (r: { from: number; to: number } | null) => {
      if (r && !viewFrame) {
        viewFrame = requestAnimationFrame(() => {
          viewFrame = 0;
          const now = chart.timeScale().getVisibleLogicalRange();
          const n = barsRef.current.candles.length;
          if (now && n) viewChangeRef.current?.(Math.max(0, Math.ceil(now.from)), Math.min(n - 1, Math.floor(now.to)));
        });
      }
      if (!r || r.from > 1 || asked || !reachStartRef.current || container.dataset.ready !== "true") return;
      asked = true;
      reachStartRef.current();
    };
    chart.subscribeCrosshairMove(onMove);
    chart.subscribeClick(onClick);
    chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    return () => {
      cancelAnimationFrame(frame);
      cancelAnimationFrame(viewFrame);
      chart.unsubscribeCrosshairMove(onMove);
      chart.unsubscribeClick(onClick);
      chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
      if (window.__chitti === exposed) delete window.__chitti;
      chart.remove();
      chartRef.current = null;
      drawnRef.current.clear();
    };
  }, []);

  // --- theme ---------------------------------------------------------------------------------
  useEffect(() => {
    chartRef.current?.applyOptions({
      layout: { background: { type: ColorType.Solid, color: colours.background }, textColor: colours.text,
        panes: { separatorColor: colours.grid } },
      grid: { vertLines: { color: colours.grid }, horzLines: { color: colours.grid } },
      rightPriceScale: { borderColor: colours.grid },
      timeScale: { borderColor: colours.grid },
    });
    candlesRef.current?.applyOptions({
      upColor: colours.up, downColor: colours.down, wickUpColor: colours.up, wickDownColor: colours.down,
    });
    const shown = drawnBarsRef.current;
    if (shown) seriesRef.current.volume?.setData(toVolumeData(shown, colours.volumeUp, colours.volumeDown));
  }, [colours.background, colours.text, colours.grid, colours.up, colours.down, colours.volumeUp, colours.volumeDown]);

  const measurePanes = useCallback(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const labelOf = new Map<ISeriesApi<SeriesType>, string>();
    for (const d of drawnRef.current.values()) {
      for (const s of d.series.values()) labelOf.set(s, d.indicator.indicator.label);
    }
    let top = 0;
    const labels: { top: number; text: string }[] = [];
    chart.panes().forEach((pane, i) => {
      if (i > 0) {
        const names = [...new Set(pane.getSeries().map((s) => labelOf.get(s)).filter(Boolean))];
        labels.push({ top, text: names.join(" · ") });
      }
      top += pane.getHeight() + 1; // 1 px separator
    });
    setPaneLabels(labels);
  }, []);

  // --- bars, indicators and view in ONE pass, once every requested indicator has settled, so
  // the canvas is painted once; then data-ready and the performance mark -----------------------
  const oscillatorCount = useMemo(() => indicators.filter((d) => d.placement === "pane"
    || d.indicator.info.outputs.some((o) => outputPlacement(d.indicator.info, o) === "pane")).length, [indicators]);
  const viewRef = useRef("");
  const readyRef = useRef(false);
  const [drawnBars, setDrawnBars] = useState<BarSet | null>(null);

  useEffect(() => {
    const chart = chartRef.current;
    const container = containerRef.current;
    if (!chart || !container) return;
    const setReady = (ready: boolean) => {
      container.dataset.ready = String(ready);
      if (ready && !readyRef.current) performance.mark("chart-ready");
      readyRef.current = ready;
    };
    if (!settled) {
      setReady(false);
      return;
    }
    const previous = drawnBarsRef.current;
    const newBars = previous !== bars;
    const same = newBars && previous !== null && sameSeries(previous, bars);
    // more history of the same series: keep the view where the user panned it
    const extended = same && previous.ms[previous.ms.length - 1] === bars.ms[bars.ms.length - 1];
    const keep = extended ? chart.timeScale().getVisibleRange() : null;
    // the same window refetched (live intraday bars): the bars keep their indexes, new ones follow
    const refreshed = same && !extended && previous.ms[0] === bars.ms[0];
    const logical = refreshed ? chart.timeScale().getVisibleLogicalRange() : null;
    const c = coloursRef.current;
    if (newBars) {
      seriesRef.current.candles.setData(bars.candles);
      seriesRef.current.volume.setData(toVolumeData(bars, c.volumeUp, c.volumeDown));
      chart.applyOptions({ timeScale: { timeVisible: bars.intraday, secondsVisible: false } });
      drawnBarsRef.current = bars;
    }
    drawIndicators(chart, drawnRef.current, seriesRef.current, indicators, bars.intraday, { up: c.histUp, down: c.histDown });
    chart.panes().forEach((pane, i) => pane.setStretchFactor(i === 0 ? PRICE_HEIGHT : PANE_HEIGHT));
    const viewKey = `${range}|${at ?? ""}`;
    if (keep && viewRef.current === viewKey) {
      chart.timeScale().setVisibleRange(keep);
    } else if (logical && previous && viewRef.current === viewKey) {
      // looking at the last bar: move on with the new ones; else stay on what was looked at
      const grown = bars.ms.length - previous.ms.length;
      const follow = logical.to >= previous.ms.length - 1;
      chart.timeScale().setVisibleLogicalRange(follow ? { from: logical.from + grown, to: logical.to + grown } : logical);
    } else if (newBars || viewRef.current !== viewKey) {
      viewRef.current = viewKey;
      const view = visibleBars(bars.days, range, at) ?? { from: 0, to: bars.days.length - 1 };
      chart.timeScale().setVisibleLogicalRange({ from: view.from - 0.5, to: view.to + 3 });
    }
    setDrawnBars(bars);
    setReady(true);
    requestAnimationFrame(measurePanes);
  }, [bars, indicators, settled, range, at, measurePanes, colours.histUp, colours.histDown]);

  // --- markers ------------------------------------------------------------------------------
  useEffect(() => {
    if (drawnBars !== bars) return;
    markersRef.current?.setMarkers(buildMarkers(bars.times, events,
      { up: colours.up, down: colours.down, neutral: colours.neutral }, focusAlert));
  }, [bars, drawnBars, events, focusAlert, colours.up, colours.down, colours.neutral]);

  // --- the pane labels follow resizes -------------------------------------------------------
  useEffect(() => {
    const el = containerRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => requestAnimationFrame(measurePanes));
    observer.observe(el);
    return () => observer.disconnect();
  }, [measurePanes]);

  const hoverEvents = hover ? events.get(hover.index) : undefined;
  const width = containerRef.current?.clientWidth ?? 0;
  return (
    <div>
      {legend(hover)}
      <div className="relative">
        {/* data-ready is written by the draw effect, not by React, so it flips in the same pass */}
        <div ref={containerRef} data-testid="price-chart" data-ready="false"
          role="img" aria-label={`Candlestick chart of ${bars.symbol}`}
          style={{ height: PRICE_HEIGHT + oscillatorCount * PANE_HEIGHT }} className="w-full" />
        {paneLabels.map((l) => (
          <div key={l.top} style={{ top: l.top + 4 }} aria-hidden
            className="pointer-events-none absolute left-2 z-10 rounded bg-white/80 px-1 text-[11px] text-slate-600 dark:bg-slate-950/80 dark:text-slate-300">
            {l.text}
          </div>
        ))}
        {hover && hoverEvents && (
          <div role="tooltip" style={{ top: Math.max(0, hover.y + 16), ...(hover.x > width - 300
            ? { right: Math.max(4, width - hover.x + 16) } : { left: hover.x + 16 }) }}
            className="pointer-events-none absolute z-20 w-72 max-w-[80vw] rounded border border-slate-200 bg-white p-2 text-xs shadow-lg dark:border-slate-700 dark:bg-slate-900">
            {tooltip(hoverEvents, hover.index)}
          </div>
        )}
        {/* not for newer bars of the same series (a live refresh): they replace the old at once */}
        {(!settled || drawnBars === null || (drawnBars !== bars && !sameSeries(drawnBars, bars))) && (
          <div className="pointer-events-none absolute inset-x-0 top-2 flex justify-center">
            <span role="status" className="rounded bg-white/90 px-2 py-1 text-xs text-slate-600 shadow dark:bg-slate-900/90 dark:text-slate-300">
              Drawing…
            </span>
          </div>
        )}
      </div>
    </div>
  );
}
