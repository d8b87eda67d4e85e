/**
 * Above the canvas: the bar under the crosshair (or the last one) and every indicator with
 * its values there, each with edit and remove buttons. Text, so it wraps on a phone.
 */
import { changeClass, formatDateIST, formatDateTimeIST, formatNumber, formatPct } from "../../lib/format";
import { chartColors, useTheme } from "../../lib/theme";
import { formatCountCompact } from "../../lib/format";
import { type BarSet } from "./data";
import type { Hover } from "./PriceChart";

export interface LegendItem {
  key: string;
  label: string;
  /** display name and parameter names, for the hover title */
  title: string;
  state: "ready" | "loading" | "error";
  error?: string;
  outputs: { name: string; colour: string; last: number | null; histogram: boolean }[];
  /** false for a spec the catalogue does not know: it can only be removed */
  editable: boolean;
}

function BarLine({ bars, index }: { bars: BarSet; index: number }) {
  const bar = bars.candles[index];
  const prev = index > 0 ? bars.candles[index - 1].close : null;
  const change = prev ? ((bar.close - prev) / prev) * 100 : null;
  const when = bars.intraday ? formatDateTimeIST(bars.ms[index]) : formatDateIST(bars.days[index]);
  const cell = (name: string, value: string) => (
    <span><span className="text-slate-500 dark:text-slate-400">{name}</span> {value}</span>
  );
  return (
    <p data-testid="chart-ohlc" className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs tabular-nums">
      <span className="font-medium">{when}</span>
      {cell("O", formatNumber(bar.open))}
      {cell("H", formatNumber(bar.high))}
      {cell("L", formatNumber(bar.low))}
      {cell("C", formatNumber(bar.close))}
      <span className={changeClass(change)}>{formatPct(change)}</span>
      {cell("Vol", formatCountCompact(bars.source.volume[index]))}
    </p>
  );
}

export function ChartLegend({ bars, hover, items, onEdit, onRemove }: {
  bars: BarSet;
  hover: Hover | null;
  items: readonly LegendItem[];
  onEdit: (key: string) => void;
  onRemove: (key: string) => void;
}) {
  const index = hover?.index ?? bars.candles.length - 1;
  const [theme] = useTheme();
  const { up, down } = chartColors(theme); // a histogram's swatch: its up and down columns
  return (
    <div className="mb-1 space-y-1">
      {index >= 0 && <BarLine bars={bars} index={index} />}
      {items.length > 0 && (
        <ul aria-label="Indicators on the chart" className="flex flex-wrap gap-1 text-xs">
          {items.map((item) => (
            <li key={item.key} data-testid="legend-item" data-key={item.key}
              className={`flex max-w-full flex-wrap items-center gap-x-1 rounded border px-1.5 py-0.5 ${item.state === "error"
                ? "border-rose-300 bg-rose-50 dark:border-rose-800 dark:bg-rose-950"
                : "border-slate-200 dark:border-slate-700"}`}>
              <span title={item.title} className="font-medium">{item.label}</span>
              {item.state === "loading" && <span className="text-slate-500 dark:text-slate-400">loading…</span>}
              {item.state === "error" && <span role="alert" className="text-rose-700 dark:text-rose-300">{item.error}</span>}
              {item.state === "ready" && item.outputs.map((o) => {
                const v = hover ? hover.values[`${item.key}.${o.name}`] : o.last;
                return (
                  <span key={o.name} title={o.name} className="flex items-center gap-0.5 tabular-nums">
                    <span aria-hidden className={`inline-block h-2 w-2 ${o.histogram ? "" : "rounded-full"}`}
                      style={{ background: o.histogram ? `linear-gradient(90deg, ${up} 50%, ${down} 50%)` : o.colour }} />
                    {item.outputs.length > 1 && <span className="text-slate-500 dark:text-slate-400">{o.name}</span>}
                    {formatNumber(v, Math.abs(v ?? 0) >= 1 || !v ? 2 : 4)}
                  </span>
                );
              })}
              {item.editable && <button type="button" onClick={() => onEdit(item.key)} aria-label={`Edit ${item.label}`}
                title="Edit parameters"
                className="rounded px-1 text-slate-500 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white">
                ✎
              </button>}
              <button type="button" onClick={() => onRemove(item.key)} aria-label={`Remove ${item.label}`}
                title="Remove"
                className="rounded px-1 text-slate-500 hover:bg-slate-100 hover:text-rose-700 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-rose-300">
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
