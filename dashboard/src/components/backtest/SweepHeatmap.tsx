/** A finished sweep: one metric over the grid (two parameters: a heat map; one: a column), best cell marked. */
import { useState } from "react";
import {
  formatMetric, metricLabel, sequentialColor, sweepMatrix, type SweepReport,
} from "../../lib/backtest";
import { formatCount, formatNumber } from "../../lib/format";
import { Empty, inputClass } from "../ui";

function num(v: number): string {
  return formatNumber(v, Number.isInteger(v) ? 0 : 2);
}

export function SweepHeatmap({ report, canPick, picked, onPick }: {
  report: SweepReport;
  canPick: boolean;
  picked: string | null;
  onPick: (params: Record<string, number>) => void;
}) {
  const metricNames = Object.keys(report.metrics ?? {});
  const [shown, setShown] = useState(report.metric);
  const metric = metricNames.includes(shown) ? shown : report.metric;
  const matrix = sweepMatrix(report, metric);
  const best = report.best;

  const header = (
    <div className="flex flex-wrap items-end justify-between gap-2 text-sm">
      <p>
        {formatCount(report.combination_count)} combinations of <b>{report.strategy}</b>.{" "}
        {best ? (
          <span data-testid="sweep-best">Best by {metricLabel(report.metric)}:{" "}
            <b>{Object.entries(best.params).map(([k, v]) => `${k} ${num(v)}`).join(", ")}</b>{" "}
            ({formatMetric(report.metric, best.metrics[report.metric] ?? null)})
          </span>
        ) : `${metricLabel(report.metric)} is undefined for every combination (no trades?).`}
      </p>
      {metricNames.length > 0 && (
        <label className="text-xs font-medium text-slate-600 dark:text-slate-300">
          Colour by{" "}
          <select value={metric} onChange={(e) => setShown(e.target.value)} className={inputClass}>
            {metricNames.map((m) => <option key={m} value={m}>{metricLabel(m)}</option>)}
          </select>
        </label>
      )}
    </div>
  );

  if (!matrix) {
    return (
      <div className="space-y-2">
        {header}
        <Empty title="No grid to draw">The report has no per-combination table, or more than two parameters vary.</Empty>
      </div>
    );
  }

  const present = matrix.values.flat().filter((v): v is number => v !== null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  const cellLabel = (r: number, c: number) => {
    const parts = [`${matrix.rowKey} ${num(matrix.rows[r])}`];
    if (matrix.colKey) parts.push(`${matrix.colKey} ${num(matrix.cols[c])}`);
    return parts.join(", ");
  };
  const pick = (r: number, c: number) => {
    const params: Record<string, number> = { ...matrix.fixed, [matrix.rowKey]: matrix.rows[r] };
    if (matrix.colKey) params[matrix.colKey] = matrix.cols[c];
    onPick(params);
  };
  const columns = matrix.colKey ? matrix.cols : [Number.NaN];

  return (
    <div className="space-y-2">
      {header}
      {report.warnings.length > 0 && (
        <ul className="list-disc pl-5 text-xs text-amber-700 dark:text-amber-400">
          {report.warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
      <div className="overflow-x-auto">
        <table data-testid="sweep-heatmap" className="border-separate border-spacing-0.5 text-xs">
          <caption className="sr-only">{metricLabel(metric)} by {matrix.rowKey}{matrix.colKey ? ` and ${matrix.colKey}` : ""}</caption>
          <thead>
            <tr>
              <th scope="col" className="whitespace-nowrap px-2 py-1 text-left font-medium text-slate-500 dark:text-slate-400">
                {matrix.rowKey} ↓{matrix.colKey ? ` · ${matrix.colKey} →` : ""}
              </th>
              {matrix.colKey
                ? columns.map((c) => <th key={c} scope="col" className="px-2 py-1 text-right font-medium tabular-nums">{num(c)}</th>)
                : <th scope="col" className="px-2 py-1 text-right font-medium">{metricLabel(metric)}</th>}
            </tr>
          </thead>
          <tbody>
            {matrix.rows.map((row, r) => (
              <tr key={row}>
                <th scope="row" className="px-2 py-1 text-left font-medium tabular-nums">{num(row)}</th>
                {columns.map((_, c) => {
                  const value = matrix.values[r][c];
                  const isBest = matrix.best?.row === r && matrix.best?.col === c;
                  const text = value === null ? "—" : formatMetric(metric, value);
                  return (
                    <td key={c} className="p-0">
                      <button type="button" disabled={!canPick || value === null}
                        data-best={isBest || undefined}
                        aria-label={`${cellLabel(r, c)}: ${metricLabel(metric)} ${text}${isBest ? " (best)" : ""}${canPick ? "; fill the form" : ""}`}
                        title={value === null ? "left out by a constraint, or undefined" : canPick ? "Fill the form with these parameters" : undefined}
                        onClick={() => pick(r, c)}
                        style={{ backgroundColor: sequentialColor(value, min, max) }}
                        className={`block w-full min-w-[4.5rem] rounded px-2 py-1.5 text-right tabular-nums enabled:hover:ring-2 enabled:hover:ring-sky-400 disabled:cursor-default ${
                          isBest ? "font-bold ring-2 ring-amber-500 dark:ring-amber-400" : ""}`}>
                        {isBest && <span aria-hidden className="mr-1 text-amber-600 dark:text-amber-400">★</span>}
                        {text}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Deeper blue: higher {metricLabel(metric).toLowerCase()} ({formatMetric(metric, min)} to {formatMetric(metric, max)}).
        ★ best by {metricLabel(report.metric).toLowerCase()}.
        {Object.keys(matrix.fixed).length > 0 && ` Fixed: ${Object.entries(matrix.fixed).map(([k, v]) => `${k} ${num(v)}`).join(", ")}.`}
        {canPick && " Click a cell to put its parameters into the form."}
      </p>
      {picked && <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">Filled {picked} into the form: press Run backtest.</p>}
    </div>
  );
}
