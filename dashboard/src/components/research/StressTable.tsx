/**
 * Stress replays: today's weights bought at the start of each past crash and held to its
 * end. Symbols without prices in an episode are named with how they were treated.
 */
import { changeClass, formatDateIST } from "../../lib/format";
import { dateRange, fractionPct, signedFractionPct } from "./fmt";
import type { StressRow } from "./types";

const TREATMENT_TEXT: Record<string, string> = {
  benchmark_proxy: "moved as beta × NIFTY 50",
  excluded_renormalised: "left out, the rest scaled up",
};

function notes(row: StressRow): string {
  if (row.status === "no_data") return row.reason ?? "no prices in this episode";
  if (row.missing_symbols.length === 0) return "";
  const how = row.missing_treatment ? TREATMENT_TEXT[row.missing_treatment] ?? row.missing_treatment : "";
  return `no prices for ${row.missing_symbols.join(", ")}${how ? `: ${how}` : ""}`;
}

export function StressTable({ rows }: { rows: StressRow[] }) {
  if (rows.length === 0) return <p className="p-3 text-sm text-slate-500 dark:text-slate-400">No stress episodes were replayed.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[300px] text-sm" data-testid="stress-table">
        <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-2 py-1 text-right">Portfolio</th>
            <th scope="col" className="px-2 py-1 text-right">NIFTY 50</th>
            <th scope="col" className="px-2 py-1 text-right" title="deepest fall inside the episode">Max DD</th>
            <th scope="col" className="px-2 py-1 text-right">Worst day</th>
          </tr>
        </thead>
        {/* one body per episode: its name, window and what was missing across the table, then its figures */}
        {rows.map((row) => {
          const note = notes(row);
          return (
            <tbody key={row.key} data-testid="stress-row" data-status={row.status} className="border-t border-slate-200 dark:border-slate-800">
              <tr>
                <th scope="rowgroup" colSpan={4} className="px-2 pt-1.5 text-left font-medium">
                  <span title={row.description}>{row.name}</span>
                  <span className="ml-2 text-xs font-normal text-slate-500 dark:text-slate-400">
                    {dateRange(row.first_date ?? row.start, row.last_date ?? row.end)}
                  </span>
                  {note && <span className="block text-xs font-normal text-amber-700 dark:text-amber-400">{note}</span>}
                </th>
              </tr>
              <tr className="align-top">
                <td className={`px-2 pb-1.5 text-right tabular-nums ${changeClass(row.return_fraction)}`}>{signedFractionPct(row.return_fraction)}</td>
                <td className={`px-2 pb-1.5 text-right tabular-nums ${changeClass(row.benchmark_return_fraction)}`}>{signedFractionPct(row.benchmark_return_fraction)}</td>
                <td className="px-2 pb-1.5 text-right tabular-nums">{fractionPct(row.max_drawdown.drawdown_fraction)}</td>
                <td className="px-2 pb-1.5 text-right tabular-nums">
                  <span className={changeClass(row.worst_day.return_fraction)}>{signedFractionPct(row.worst_day.return_fraction)}</span>
                  {row.worst_day.date && <div className="text-xs text-slate-500 dark:text-slate-400">{formatDateIST(row.worst_day.date)}</div>}
                </td>
              </tr>
            </tbody>
          );
        })}
      </table>
    </div>
  );
}
