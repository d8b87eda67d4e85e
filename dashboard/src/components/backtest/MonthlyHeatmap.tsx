/** Month-by-month returns of the equity curve: years down, months across, the year's total last. */
import { useMemo } from "react";
import { divergingColor, monthlyReturns, type ResultView } from "../../lib/backtest";
import { formatNumber, formatPct } from "../../lib/format";
import { Empty } from "../ui";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function Cell({ value, scale, strong = false }: { value: number | null; scale: number; strong?: boolean }) {
  return (
    <td className={`whitespace-nowrap px-1.5 py-1 text-right tabular-nums ${strong ? "font-semibold" : ""}`}
      style={{ backgroundColor: divergingColor(value, scale) }}
      title={value === null ? "no bars" : formatPct(value, 4)}>
      {value === null ? "" : formatPct(Math.abs(value) < 0.05 ? 0 : value, 1)}
    </td>
  );
}

export function MonthlyHeatmap({ view }: { view: ResultView }) {
  const rows = useMemo(() => monthlyReturns(view.equity.ts, view.equity.equity_inr), [view.equity]);
  // one scale for the months, another for the years (a year's total dwarfs its months)
  const monthScale = Math.max(0, ...rows.flatMap((r) => r.months.map((m) => Math.abs(m ?? 0))));
  const yearScale = Math.max(0, ...rows.map((r) => Math.abs(r.total ?? 0)));
  if (rows.length === 0) return <Empty title="No equity values to split into months">Run a backtest with bars in the chosen dates.</Empty>;
  return (
    <div className="overflow-x-auto">
      <table data-testid="monthly-returns" className="w-full border-separate border-spacing-0.5 text-xs">
        <caption className="sr-only">Monthly returns in percent, by year</caption>
        <thead>
          <tr className="text-slate-500 dark:text-slate-400">
            <th scope="col" className="px-1.5 py-1 text-left font-medium">Year</th>
            {MONTHS.map((m) => <th key={m} scope="col" className="px-1.5 py-1 text-right font-medium">{m}</th>)}
            <th scope="col" className="px-1.5 py-1 text-right font-semibold">Year</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.year}>
              <th scope="row" className="px-1.5 py-1 text-left font-medium tabular-nums">{row.year}</th>
              {row.months.map((m, i) => <Cell key={i} value={m} scale={monthScale} />)}
              <Cell value={row.total} scale={yearScale} strong />
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
        Each month's last equity against the previous month's; green up, red down, deeper for larger moves
        (months scaled to ±{formatNumber(monthScale, 1)}%, years to ±{formatNumber(yearScale, 1)}%).
      </p>
    </div>
  );
}
