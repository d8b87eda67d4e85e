/**
 * The equity curve against the benchmark, and the drawdown under it, on one time axis
 * (scrolling or zooming one scrolls the other).
 */
import { useEffect, useMemo, useRef, useState } from "react";
import {
  AreaSeries, LineSeries, type IChartApi, type ISeriesApi, type LogicalRange, type MouseEventParams, type Time,
} from "lightweight-charts";
import { errorMessage } from "../../api/client";
import { chartTime, rebaseBenchmark, seriesReturnPct, type ResultView } from "../../lib/backtest";
import { formatINR, formatINRCompact, formatPct } from "../../lib/format";
import { useTheme } from "../../lib/theme";
import { formatChartTime, seriesColors, useThemedChart } from "./chart";
import { useBenchmarkBars } from "./queries";

declare global {
  interface Window {
    /** The values the equity chart draws, for the browser tests. */
    __chitti_backtest?: { equity: number[]; benchmark: number[] };
  }
}

interface Point { time: Time; value: number }

function points(ts: readonly string[], values: readonly (number | null)[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < ts.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    const time = chartTime(ts[i]) as Time;
    // the chart needs strictly increasing times: a repeated bar time keeps its last value
    if (out.length && out[out.length - 1].time === time) out[out.length - 1] = { time, value: v };
    else out.push({ time, value: v });
  }
  return out;
}

/** `day` minus `days` calendar days, ISO. */
function daysBefore(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** Show all the data once the chart has laid itself out (autoSize measures asynchronously). */
function fitSoon(chart: IChartApi): () => void {
  const frame = requestAnimationFrame(() => chart.timeScale().fitContent());
  return () => cancelAnimationFrame(frame);
}

/** Keep two charts' visible ranges together. */
function useLinkedRanges(a: IChartApi | null, b: IChartApi | null) {
  useEffect(() => {
    if (!a || !b) return;
    let syncing = false;
    const follow = (target: IChartApi) => (range: LogicalRange | null) => {
      if (syncing || !range) return;
      syncing = true;
      target.timeScale().setVisibleLogicalRange(range);
      syncing = false;
    };
    const toB = follow(b);
    const toA = follow(a);
    a.timeScale().subscribeVisibleLogicalRangeChange(toB);
    b.timeScale().subscribeVisibleLogicalRangeChange(toA);
    return () => {
      a.timeScale().unsubscribeVisibleLogicalRangeChange(toB);
      b.timeScale().unsubscribeVisibleLogicalRangeChange(toA);
    };
  }, [a, b]);
}

interface Hover { time: string; equity?: number; benchmark?: number; drawdown?: number }

export function ResultCharts({ view, benchmark }: { view: ResultView; benchmark: string | null }) {
  const [theme] = useTheme();
  const colors = seriesColors(theme);
  const intraday = view.interval !== "1d";
  const ts = view.equity.ts;
  const capital = view.config.initial_cash_inr;

  // the reply has the benchmark's return only; its curve comes from the market data
  const benchSymbol = intraday ? null : benchmark;
  const first = ts[0]?.slice(0, 10) ?? "";
  const last = ts[ts.length - 1]?.slice(0, 10) ?? "";
  const bench = useBenchmarkBars(benchSymbol, first ? daysBefore(first, 10) : "", last, view.adjust);

  const equityPoints = useMemo(() => points(ts, view.equity.equity_inr), [ts, view.equity.equity_inr]);
  const drawdownPoints = useMemo(() => points(ts, view.equity.drawdown_pct), [ts, view.equity.drawdown_pct]);
  const benchValues = useMemo(
    () => (bench.data ? rebaseBenchmark(ts, capital, bench.data.ts, bench.data.close) : []),
    [bench.data, ts, capital]);
  const benchPoints = useMemo(() => points(ts, benchValues), [ts, benchValues]);
  const benchReturn = seriesReturnPct(benchValues);

  const equityBox = useRef<HTMLDivElement>(null);
  const drawdownBox = useRef<HTMLDivElement>(null);
  const equityChart = useThemedChart(equityBox, formatINRCompact, intraday);
  const drawdownChart = useThemedChart(drawdownBox, (p) => formatPct(p, 1), intraday);
  useLinkedRanges(equityChart, drawdownChart);

  const equitySeries = useRef<ISeriesApi<"Line"> | null>(null);
  const benchSeries = useRef<ISeriesApi<"Line"> | null>(null);
  const ddSeries = useRef<ISeriesApi<"Area"> | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);

  useEffect(() => {
    if (!equityChart) return;
    benchSeries.current = equityChart.addSeries(LineSeries, { lineWidth: 1, priceLineVisible: false, lastValueVisible: false });
    equitySeries.current = equityChart.addSeries(LineSeries, { lineWidth: 2, priceLineVisible: false });
    const onMove = (param: MouseEventParams) => {
      if (!param.time) { setHover(null); return; }
      const e = equitySeries.current ? param.seriesData.get(equitySeries.current) : undefined;
      const b = benchSeries.current ? param.seriesData.get(benchSeries.current) : undefined;
      setHover({
        time: formatChartTime(param.time),
        equity: e && "value" in e ? (e.value as number) : undefined,
        benchmark: b && "value" in b ? (b.value as number) : undefined,
      });
    };
    equityChart.subscribeCrosshairMove(onMove);
    return () => {
      equityChart.unsubscribeCrosshairMove(onMove);
      equitySeries.current = null;
      benchSeries.current = null;
    };
  }, [equityChart]);

  useEffect(() => {
    if (!drawdownChart) return;
    ddSeries.current = drawdownChart.addSeries(AreaSeries, {
      lineWidth: 1, priceLineVisible: false, invertFilledArea: true,
    });
    return () => { ddSeries.current = null; };
  }, [drawdownChart]);

  useEffect(() => {
    equitySeries.current?.applyOptions({ color: colors.equity });
    benchSeries.current?.applyOptions({ color: colors.benchmark });
    ddSeries.current?.applyOptions({
      lineColor: colors.drawdown, topColor: colors.drawdownFill, bottomColor: "rgba(0, 0, 0, 0)",
    });
  }, [colors.equity, colors.benchmark, colors.drawdown, colors.drawdownFill, equityChart, drawdownChart]);

  useEffect(() => {
    if (!equityChart || !equitySeries.current) return;
    equitySeries.current.setData(equityPoints);
    return fitSoon(equityChart);
  }, [equityChart, equityPoints]);

  useEffect(() => {
    benchSeries.current?.setData(benchPoints);
  }, [equityChart, benchPoints]);

  useEffect(() => {
    if (!drawdownChart || !ddSeries.current) return;
    ddSeries.current.setData(drawdownPoints);
    return fitSoon(drawdownChart);
  }, [drawdownChart, drawdownPoints]);

  // what is drawn, for the browser tests
  useEffect(() => {
    window.__chitti_backtest = {
      equity: equityPoints.map((p) => p.value),
      benchmark: benchPoints.map((p) => p.value),
    };
  }, [equityPoints, benchPoints]);
  useEffect(() => () => { delete window.__chitti_backtest; }, []);

  // for the browser tests: the benchmark arrives after the equity (a second request)
  const benchState = !benchSymbol ? "none" : bench.isPending ? "loading" : bench.error ? "error" : "ready";
  const benchText = (() => {
    if (intraday) return "No benchmark: benchmarks are compared on daily bars only.";
    if (!benchSymbol) return "No benchmark was set.";
    if (bench.isPending) return `Loading ${benchSymbol}…`;
    if (bench.error) return `${benchSymbol} could not be loaded: ${errorMessage(bench.error)}`;
    if (benchPoints.length === 0) return `${benchSymbol} has no bars in these dates.`;
    return `${benchSymbol} closes from market data, rebased to the ${formatINR(capital, 0)} starting capital`
      + (benchReturn !== null ? ` (${formatPct(benchReturn)} over its bars)` : "");
  })();

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 pt-2 text-xs text-slate-600 dark:text-slate-300">
        <span className="inline-flex items-center gap-1">
          <span aria-hidden className="inline-block h-0.5 w-4" style={{ backgroundColor: colors.equity }} />
          Strategy equity{hover?.equity !== undefined && <b className="ml-1">{formatINR(hover.equity, 0)}</b>}
        </span>
        <span className="inline-flex items-center gap-1" data-testid="benchmark-legend">
          <span aria-hidden className="inline-block h-0.5 w-4" style={{ backgroundColor: colors.benchmark }} />
          {benchText}{hover?.benchmark !== undefined && <b className="ml-1">{formatINR(hover.benchmark, 0)}</b>}
        </span>
        {hover && <span className="ml-auto tabular-nums">{hover.time}</span>}
      </div>
      <div ref={equityBox} data-testid="equity-chart" data-points={equityPoints.length}
        data-benchmark-points={benchPoints.length} data-benchmark={benchState} role="img"
        aria-label={`Equity curve, ${equityPoints.length} points, against ${benchSymbol ?? "no benchmark"}`}
        className="h-72 w-full sm:h-80" />
      <h3 className="px-3 text-xs font-semibold text-slate-600 dark:text-slate-300">Drawdown below the running peak</h3>
      <div ref={drawdownBox} data-testid="drawdown-chart" data-points={drawdownPoints.length} role="img"
        aria-label={`Drawdown, ${drawdownPoints.length} points`} className="h-40 w-full" />
    </div>
  );
}
