/** Range buttons, interval, adjustment and "Add indicator": each writes the URL through `onChange`. */
import type { ChartState, Interval, RangeKey } from "../../lib/chartState";
import { rangesFor } from "../../lib/chartState";
import { inputClass } from "../ui";

const INTERVAL_LABELS: Record<Interval, string> = {
  "1d": "Daily", "1m": "1 minute", "3m": "3 minutes", "5m": "5 minutes", "10m": "10 minutes",
  "15m": "15 minutes", "30m": "30 minutes", "1h": "1 hour", "2h": "2 hours",
};

export function RangeButtons({ interval, range, onPick }: { interval: Interval; range: RangeKey; onPick: (r: RangeKey) => void }) {
  return (
    <div role="group" aria-label="Range" className="inline-flex overflow-hidden rounded border border-slate-300 dark:border-slate-700">
      {rangesFor(interval).map((r) => (
        <button key={r} type="button" aria-pressed={r === range} onClick={() => onPick(r)}
          className={`px-2 py-1 text-xs font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-sky-500 ${r === range
            ? "bg-sky-600 text-white"
            : "bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700"}`}>
          {r}
        </button>
      ))}
    </div>
  );
}

export function ChartToolbar({ state, onChange, pickerOpen, onTogglePicker }: {
  state: ChartState;
  onChange: (patch: Partial<ChartState>) => void;
  pickerOpen: boolean;
  onTogglePicker: () => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <RangeButtons interval={state.interval} range={state.range} onPick={(range) => onChange({ range })} />
      <label className="flex items-center gap-1 text-xs">
        <span className="sr-only sm:not-sr-only">Interval</span>
        <select aria-label="Interval" value={state.interval} className={inputClass}
          onChange={(e) => onChange({ interval: e.target.value as Interval })}>
          {Object.entries(INTERVAL_LABELS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      <label className="flex items-center gap-1 text-xs" title="Adjusted for splits, bonuses, rights and demergers; untick for the prices the exchange printed">
        <input type="checkbox" checked={state.adjust !== "none"}
          onChange={(e) => onChange({ adjust: e.target.checked ? "split" : "none" })} />
        Adjusted
      </label>
      {state.adjust !== "none" && (
        <label className="flex items-center gap-1 text-xs" title="Also adjust for dividends (total return)">
          <input type="checkbox" checked={state.adjust === "total"}
            onChange={(e) => onChange({ adjust: e.target.checked ? "total" : "split" })} />
          Dividends too
        </label>
      )}
      <button type="button" aria-expanded={pickerOpen} onClick={onTogglePicker}
        className="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
        Add indicator
      </button>
    </div>
  );
}
