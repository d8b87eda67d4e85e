/** Every metric of the reply, labelled, formatted by its unit, with the unit the API states. */
import { changeClass } from "../../lib/format";
import { formatMetric, metricLabel, orderedMetricKeys } from "../../lib/backtest";

/** Metrics whose sign is good or bad news (coloured). */
const SIGNED = new Set(["total_return_pct", "cagr_pct", "alpha_pct", "expectancy_inr", "benchmark_return_pct"]);

export function MetricsTable({ metrics, units }: {
  metrics: Record<string, number | null>;
  units: Record<string, string> | undefined;
}) {
  const keys = orderedMetricKeys(metrics, units);
  return (
    <div className="overflow-x-auto">
      <table data-testid="metrics" className="w-full text-sm">
        <caption className="sr-only">Backtest metrics</caption>
        <tbody className="grid grid-cols-1 sm:grid-cols-2 xl:grid-cols-3">
          {keys.map((key) => {
            const value = metrics[key];
            return (
              <tr key={key} data-metric={key}
                className="flex items-baseline justify-between gap-3 border-b border-slate-100 px-3 py-1.5 dark:border-slate-800">
                <th scope="row" className="text-left font-normal text-slate-600 dark:text-slate-300">
                  {metricLabel(key)}
                  {units?.[key] && <span className="ml-1 text-xs text-slate-400 dark:text-slate-500">({units[key]})</span>}
                </th>
                <td className={`text-right font-medium tabular-nums ${SIGNED.has(key) ? changeClass(value) : ""}`}
                  title={value === null ? "undefined for this run (no trades, no losses or no benchmark)" : String(value)}>
                  {formatMetric(key, value, units?.[key])}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
