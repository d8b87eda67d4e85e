/**
 * The chart of one symbol: candles and volume, indicators from the catalogue, alert and news
 * markers and an alert's detail. Everything on screen is in the URL (see lib/chartState.ts).
 *
 * Bars, catalogue, indicators, alerts and news load in parallel (indicators need only the
 * catalogue's parameter names, a few ms) and the chart is drawn once they have all arrived.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, Navigate, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError } from "../api/client";
import { AdjustmentNote } from "../components/chart/AdjustmentNote";
import { AlertDetail } from "../components/chart/AlertDetail";
import { BarEventsCard, EventsInView, EventTooltip } from "../components/chart/BarEvents";
import { ChartLegend, type LegendItem } from "../components/chart/ChartLegend";
import { ChartSymbolSearch } from "../components/chart/ChartSymbolSearch";
import { ChartToolbar } from "../components/chart/ChartToolbar";
import { lastValue } from "../components/chart/data";
import { IndicatorPicker, type Placement } from "../components/chart/IndicatorPicker";
import { isHistogram, PALETTE, resolveSpec, type IndicatorInfo, type Resolution } from "../components/chart/indicators";
import { barOf, chartAlerts, eventsByBar } from "../components/chart/markers";
import { PriceChart, type DrawnIndicator } from "../components/chart/PriceChart";
import { rememberedLastDay, rememberLastDay } from "../components/chart/prefetch";
import {
  prefetchChart, useAlert, useBars, useCatalog, useIndicatorsFollowBars, useIndicatorValues, useIntradayLastDay,
  useSymbolAlerts, useSymbolNews, useSymbolSearch, useSymbolsWithPrices, type SeriesContext,
} from "../components/chart/queries";
import { Empty, ErrorBox, Spinner } from "../components/ui";
import { useAlerts } from "../lib/alerts";
import {
  defaultRange, fetchWindow, isIntraday, parseChartState, RANGE_DAYS, rangesFor, serialiseChartState, specKey,
  visibleBars, type ChartState, type IndicatorSpec,
} from "../lib/chartState";
import { formatCount, formatDateIST, formatDateTimeIST, istDay } from "../lib/format";

// This module loads when a chart is first opened: start its requests before React renders it.
prefetchChart(window.location.pathname, window.location.search);

type Requested = { spec: IndicatorSpec; placement: Placement; res: Resolution };

function chartHref(symbol: string, state: ChartState): string {
  const search = serialiseChartState(state);
  return `/chart/${encodeURIComponent(symbol)}${search ? `?${search}` : ""}`;
}

/** Symbols that do have bars, for the empty states. */
function SymbolsWithPrices({ current }: { current: string }) {
  const list = useSymbolsWithPrices(true);
  if (list.isPending) return <Spinner label="Finding symbols with prices…" />;
  if (list.isError) return <ErrorBox error={list.error} retry={() => void list.refetch()} />;
  const symbols = list.data.symbols.filter((s) => s.bar_count > 0 && s.symbol !== current);
  if (!symbols.length) return <p>No symbol has prices yet: load them with <code>chitti load-market</code>.</p>;
  return (
    <p className="mt-2">
      Symbols with daily prices:{" "}
      {symbols.map((s, i) => (
        <span key={s.symbol}>
          {i > 0 && ", "}
          <Link to={`/chart/${encodeURIComponent(s.symbol)}`} className="text-sky-700 hover:underline dark:text-sky-400"
            title={`${s.name}: ${formatCount(s.bar_count)} bars to ${formatDateIST(s.last_date)}`}>{s.symbol}</Link>
        </span>
      ))}
    </p>
  );
}

function ChartSkeleton({ label }: { label: string }) {
  return (
    <div data-testid="price-chart" data-ready="false" className="flex h-80 items-center justify-center rounded border border-slate-200 dark:border-slate-800 sm:h-[430px]">
      <Spinner label={label} />
    </div>
  );
}

export default function Chart() {
  const { symbol: rawSymbol = "" } = useParams();
  const symbol = rawSymbol.trim().toUpperCase();
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const urlState = useMemo(() => parseChartState(searchParams), [searchParams]);
  // react-router renders a navigation as a transition; until it has, show the state just asked
  // for, so a ticked box or a pressed range button answers at once
  const [asked, setAsked] = useState<{ search: string; state: ChartState } | null>(null);
  useEffect(() => setAsked(null), [searchParams]);
  const state = asked && asked.search !== serialiseChartState(urlState) ? asked.state : urlState;

  /**
   * Write the URL. The patch is applied to the URL as it is now, not as this render saw it:
   * react-router applies navigations in a transition, so two quick edits (add RSI, then add
   * Bollinger bands) must not both start from the same old state.
   */
  const update = useCallback((patch: Partial<ChartState> | ((latest: ChartState) => Partial<ChartState>)) => {
    const latest = parseChartState(window.location.search);
    const next = { ...latest, ...(typeof patch === "function" ? patch(latest) : patch) };
    if (!rangesFor(next.interval).includes(next.range)) next.range = defaultRange(next.interval);
    setAsked({ search: serialiseChartState(next), state: next });
    navigate(chartHref(symbol, next), { replace: true });
  }, [symbol, navigate]);
  const openSymbol = useCallback((next: string) => {
    navigate(chartHref(next, { ...state, at: null, alert: null }));
  }, [state, navigate]);
  const alertHrefFor = useCallback((id: number) => chartHref(symbol, { ...state, alert: id, at: null }), [state, symbol]);

  useEffect(() => {
    document.title = `${symbol} chart · Trading-Chitti`;
  }, [symbol]);

  // --- where to look: `at`, else the alert's day -----------------------------------------
  const focus = useAlert(state.alert);
  const at = state.at ?? (focus.data && focus.data.symbol === symbol ? istDay(focus.data.ts) : null);

  // --- bars ------------------------------------------------------------------------------
  const intraday = isIntraday(state.interval);
  // the latest sessions' intraday bars (not an `at` in the past, nor "All"): these follow the
  // live session, refetched every minute while it is open
  const needLastDay = intraday && !at && RANGE_DAYS[state.range] !== null;
  const live = needLastDay;
  const lastDay = useIntradayLastDay(symbol, needLastDay);
  // read once per symbol: remembering a newer day must not refetch what is on screen
  const dailyLastDay = useMemo(() => rememberedLastDay(symbol), [symbol]);
  const [fullHistoryOf, setFullHistoryOf] = useState<string | null>(null);
  const span = fetchWindow({ interval: state.interval, range: state.range, at }, {
    dailyLastDay, intradayLastDay: lastDay.data ?? null, fullHistory: fullHistoryOf === symbol,
  });
  const windowKnown = !needLastDay || (lastDay.isSuccess && lastDay.data !== null);
  const ctx: SeriesContext = useMemo(() => ({ symbol, interval: state.interval, adjust: state.adjust, window: span }),
    [symbol, state.interval, state.adjust, span.start, span.end]);
  const bars = useBars(ctx, windowKnown, live);
  useEffect(() => {
    const b = bars.data;
    if (b && !b.intraday && b.days.length && !bars.isPlaceholderData) rememberLastDay(b.symbol, b.days[b.days.length - 1]);
  }, [bars.data, bars.isPlaceholderData]);
  // the view reached the first bar of a partial history: fetch all of it
  const loadAllHistory = useMemo(() => (span.start !== null && !intraday ? () => setFullHistoryOf(symbol) : undefined),
    [span.start, intraday, symbol]);

  // --- indicators --------------------------------------------------------------------------
  const catalog = useCatalog();
  const byName = useMemo(() => new Map((catalog.data?.indicators ?? []).map((i) => [i.name, i])), [catalog.data]);
  const requested: Requested[] = useMemo(() => {
    if (!catalog.data) return [];
    const seen = new Set<string>(); // "bbands:20" and "bbands:20:2:2:0" are one indicator
    return [
      ...state.overlays.map((spec) => ({ spec, placement: "price" as const, res: resolveSpec(spec, byName) })),
      ...state.oscillators.map((spec) => ({ spec, placement: "pane" as const, res: resolveSpec(spec, byName) })),
    ].filter((r) => {
      const key = r.res.ok ? r.res.indicator.key : r.res.key;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }, [catalog.data, byName, state.overlays, state.oscillators]);
  const resolved = useMemo(() => requested.flatMap((r) => (r.res.ok ? [r.res.indicator] : [])), [requested]);
  const values = useIndicatorValues(ctx, resolved, windowKnown && catalog.isSuccess);
  useIndicatorsFollowBars(ctx, bars.isPlaceholderData ? 0 : bars.dataUpdatedAt, live);
  const wantsIndicators = state.overlays.length + state.oscillators.length > 0;
  const settled = !bars.isPlaceholderData && (!wantsIndicators || catalog.isError
    || (catalog.isSuccess && values.every((v) => !v.isPending && !v.isPlaceholderData)));

  const colours = useMemo(() => {
    const out = new Map<string, Record<string, string>>();
    let n = 0;
    for (const ind of resolved) {
      out.set(ind.key, Object.fromEntries(ind.info.outputs.map((o) => [o, PALETTE[n++ % PALETTE.length]])));
    }
    return out;
  }, [resolved]);

  const drawn: DrawnIndicator[] = useMemo(() => {
    const out: DrawnIndicator[] = [];
    let i = 0;
    for (const r of requested) {
      if (!r.res.ok) continue;
      const v = values[i++];
      if (v?.data) out.push({ indicator: r.res.indicator, placement: r.placement, values: v.data, colours: colours.get(r.res.indicator.key)! });
    }
    return out;
  }, [requested, values, colours]);

  const legendItems: LegendItem[] = useMemo(() => {
    let i = 0;
    return requested.map((r): LegendItem => {
      if (!r.res.ok) return { key: r.res.key, label: specKey(r.spec), title: r.res.error, state: "error", error: r.res.error, outputs: [], editable: false };
      const ind = r.res.indicator;
      const v = values[i++];
      const title = `${ind.info.display_name}${ind.info.params.length ? ` (${ind.info.params.map((p) => p.name).join(", ")})` : ""}`;
      const outputs = ind.info.outputs.map((o) => ({
        name: o, colour: colours.get(ind.key)?.[o] ?? PALETTE[0], histogram: isHistogram(ind.info, o),
        last: v?.data ? lastValue(v.data.outputs[o] ?? []) : null,
      }));
      if (v?.isError) return { key: ind.key, label: ind.label, title, state: "error", error: errorText(v.error), outputs, editable: true };
      return { key: ind.key, label: ind.label, title, state: v?.data ? "ready" : "loading", outputs, editable: true };
    });
  }, [requested, values, colours]);

  const indicatorWarnings = useMemo(() => [...new Set(values.flatMap((v) => v.data?.warnings ?? []))], [values]);

  // --- events --------------------------------------------------------------------------------
  const since = intraday ? span.start : null;
  // markers are not needed to draw: ask once the bars are in, so they do not slow the bars down
  const alertsQuery = useSymbolAlerts(symbol, since, bars.isSuccess);
  const newsQuery = useSymbolNews(symbol, since, bars.isSuccess);
  // the stored alerts, and the live ones the alerts panel's stream brings in while the chart is open
  const { alerts: liveAlerts, muted } = useAlerts();
  const events = useMemo(() => {
    if (!bars.data) return new Map();
    const list = chartAlerts({
      symbol, stored: alertsQuery.data?.alerts ?? [], live: liveAlerts, muted, focusId: state.alert, focus: focus.data, since,
    });
    return eventsByBar(bars.data, list, newsQuery.data?.articles ?? []);
  }, [bars.data, alertsQuery.data, liveAlerts, newsQuery.data, muted, focus.data, symbol, state.alert, since]);

  // bar indexes hold while the same bars are refetched (live) and change with the window
  const barsIdentity = bars.data ? `${bars.data.symbol}|${bars.data.source.interval}|${bars.data.source.adjust}|${bars.data.ms[0]}` : "";
  const [pickedBar, setPickedBar] = useState<number | null>(null);
  const [view, setView] = useState<{ from: number; to: number } | null>(null);
  useEffect(() => {
    setPickedBar(null);
    setView(null);
  }, [barsIdentity]);
  // a bar picked from the list takes the focus to its card, and gives it back when closed
  const [pickedByKeyboard, setPickedByKeyboard] = useState(false);
  const openerRef = useRef<HTMLElement | null>(null);
  const pickFromList = (i: number) => {
    openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setPickedByKeyboard(true);
    setPickedBar(i);
  };
  const closePicked = () => {
    setPickedBar(null);
    if (pickedByKeyboard && openerRef.current?.isConnected) openerRef.current.focus();
    setPickedByKeyboard(false);
  };
  const onView = useCallback((from: number, to: number) => setView({ from, to }), []);

  // --- the picker ------------------------------------------------------------------------------
  const [picker, setPicker] = useState<null | { edit?: string }>(null);

  const keyOfSpec = (spec: IndicatorSpec) => {
    const r = resolveSpec(spec, byName);
    return r.ok ? r.indicator.key : specKey(spec);
  };
  const removeIndicator = (key: string) => update((latest) => ({
    overlays: latest.overlays.filter((s) => keyOfSpec(s) !== key),
    oscillators: latest.oscillators.filter((s) => keyOfSpec(s) !== key),
  }));
  /** Add an indicator, or replace the one being edited in its place; never the same one twice. */
  const submitIndicator = (info: IndicatorInfo, params: number[], placement: Placement) => {
    const spec: IndicatorSpec = { name: info.name, params };
    const key = specKey(spec);
    const editKey = picker?.edit ?? null;
    const target = placement === "price" ? "overlays" : "oscillators";
    update((latest) => {
      const next: Pick<ChartState, "overlays" | "oscillators"> = { overlays: [], oscillators: [] };
      let placed = false;
      for (const list of ["overlays", "oscillators"] as const) {
        for (const s of latest[list]) {
          const k = keyOfSpec(s);
          if (k === editKey && list === target && !placed) {
            next[list].push(spec);
            placed = true;
          } else if (k !== editKey && k !== key) {
            next[list].push(s);
          }
        }
      }
      if (!placed) next[target].push(spec);
      return next;
    });
    setPicker(null);
  };
  const editing = picker?.edit ? requested.find((r) => r.res.ok && r.res.indicator.key === picker.edit) : undefined;

  const symbolInfo = useSymbolSearch(symbol, bars.isFetched).data?.symbols.find((s) => s.symbol === symbol);

  if (rawSymbol !== symbol) return <Navigate to={`/chart/${encodeURIComponent(symbol)}${location.search}`} replace />;

  // --- what to draw ---------------------------------------------------------------------------
  let body;
  const notFound = bars.error instanceof ApiError && bars.error.status === 404;
  if (lastDay.isError) {
    body = (
      <Empty title={`No ${state.interval} bars of ${symbol}`}>
        <p>No intraday bars of {symbol} are stored.</p>
        <p className="mt-1 text-xs">{errorText(lastDay.error)}</p>
        <p className="mt-1"><button type="button" className="text-sky-700 underline dark:text-sky-400" onClick={() => update({ interval: "1d" })}>Show daily bars</button></p>
      </Empty>
    );
  } else if (lastDay.isSuccess && lastDay.data === null) {
    body = <Empty title={`No intraday bars of ${symbol}`}><button type="button" className="text-sky-700 underline dark:text-sky-400" onClick={() => update({ interval: "1d" })}>Show daily bars</button></Empty>;
  } else if (notFound && /unknown symbol/i.test(bars.error?.message ?? "")) {
    body = (
      <Empty title={`There is no listed symbol “${symbol}”`}>
        <p>Search for the company or its NSE symbol:</p>
        <div className="mt-2 flex justify-center"><ChartSymbolSearch onPick={openSymbol} autoFocus /></div>
        <SymbolsWithPrices current={symbol} />
      </Empty>
    );
  } else if (bars.isError) {
    body = <ErrorBox error={bars.error} retry={() => void bars.refetch()} hint={notFound ? "Try daily bars, or another symbol." : undefined} />;
  } else if (!bars.data) {
    body = <ChartSkeleton label={`Loading ${symbol}…`} />;
  } else if (bars.data.candles.length === 0) {
    body = (
      <Empty title={`No ${intraday ? `${state.interval} ` : "daily "}bars of ${symbol}${span.start ? ` from ${formatDateIST(span.start)} to ${formatDateIST(span.end)}` : ""}`}>
        {bars.data.source.warnings.map((w) => <p key={w}>{w}</p>)}
        {intraday
          ? <p className="mt-1"><button type="button" className="text-sky-700 underline dark:text-sky-400" onClick={() => update({ interval: "1d", at: null })}>Show daily bars</button></p>
          : <SymbolsWithPrices current={symbol} />}
      </Empty>
    );
  } else {
    const b = bars.data;
    body = (
      <>
        <PriceChart bars={b} indicators={drawn} settled={settled} events={events} focusAlert={state.alert}
          range={state.range} at={at} onReachStart={loadAllHistory} onView={onView}
          onPickBar={(i) => { setPickedByKeyboard(false); setPickedBar(events.has(i) ? i : null); }}
          legend={(hover) => (
            <ChartLegend bars={b} hover={hover} items={legendItems}
              onEdit={(key) => setPicker({ edit: key })}
              onRemove={removeIndicator} />
          )}
          tooltip={(e, i) => <EventTooltip events={e} day={b.days[i]} />} />
        {catalog.isError && <ErrorBox error={catalog.error} retry={() => void catalog.refetch()} hint="Indicators need the catalogue; the bars are shown without them." />}
        {pickedBar !== null && events.get(pickedBar) && (
          <div className="mt-2">
            <BarEventsCard events={events.get(pickedBar)!} day={b.days[pickedBar]} hrefFor={alertHrefFor}
              focus={pickedByKeyboard} onClose={closePicked} />
          </div>
        )}
        <EventsInView events={events} picked={pickedBar} onPick={pickFromList}
          {...(view ?? visibleBars(b.days, state.range, at) ?? { from: 0, to: b.days.length - 1 })}
          when={(i) => (b.intraday ? formatDateTimeIST(b.ms[i]) : formatDateIST(b.days[i]))} />
        <AdjustmentNote result={b.source} extraWarnings={indicatorWarnings} />
        <EventsStatus alerts={alertsQuery} news={newsQuery} count={events.size} />
      </>
    );
  }

  return (
    <div className="mx-auto max-w-6xl space-y-2">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <h1 className="text-lg font-semibold">
          {symbol}
          {symbolInfo && <span className="ml-2 text-sm font-normal text-slate-500 dark:text-slate-400">{symbolInfo.name}</span>}
        </h1>
        <ChartSymbolSearch onPick={openSymbol} />
      </div>
      <ChartToolbar state={state} onChange={update} pickerOpen={picker !== null && !picker.edit}
        onTogglePicker={() => setPicker((p) => (p && !p.edit ? null : {}))} />
      {picker && catalog.isPending && <Spinner label="Loading the indicator catalogue…" />}
      {picker && catalog.isError && <ErrorBox error={catalog.error} retry={() => void catalog.refetch()} />}
      {picker && catalog.data && (!picker.edit || editing) && (
        <IndicatorPicker key={picker.edit ?? "add"} indicators={catalog.data.indicators}
          initial={editing?.res.ok ? { info: editing.res.indicator.info, params: editing.res.indicator.spec.params, placement: editing.placement } : undefined}
          onSubmit={submitIndicator} onClose={() => setPicker(null)} />
      )}
      {state.alert !== null && (
        <AlertDetail id={state.alert} symbol={symbol} hrefFor={alertHrefFor}
          onChart={(a) => (bars.data ? barOf(bars.data, a.ts) !== null : null)}
          onClose={() => update({ alert: null, at: null })} />
      )}
      {body}
    </div>
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A line under the chart on what the markers show (and when they could not be loaded). */
function EventsStatus({ alerts, news, count }: {
  alerts: ReturnType<typeof useSymbolAlerts>;
  news: ReturnType<typeof useSymbolNews>;
  count: number;
}) {
  return (
    <div className="text-xs text-slate-500 dark:text-slate-400">
      {alerts.isError && <ErrorBox error={alerts.error} retry={() => void alerts.refetch()} hint="Alert markers are missing." />}
      {news.isError && <ErrorBox error={news.error} retry={() => void news.refetch()} hint="News markers are missing." />}
      {alerts.isSuccess && news.isSuccess && (
        <p>
          {count === 0
            ? "No alerts or news fall on these bars."
            : `Markers: ▲ bullish / ▼ bearish alert, ■ neutral alert, ● news (coloured by sentiment) on ${formatCount(count)} bar${count === 1 ? "" : "s"}; hover one for details, click it (or pick it from the list of the bars in view) to list them.`}
          {alerts.data.next_before_id !== null && alerts.data.count >= 1000 ? " Only the newest 1,000 alerts are marked." : ""}
        </p>
      )}
    </div>
  );
}
