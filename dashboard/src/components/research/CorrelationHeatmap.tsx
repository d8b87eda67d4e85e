/**
 * The correlation matrix of the held symbols' daily returns as a table whose cells are
 * tinted by sign and size (red: move together, blue: opposite), with the number in each.
 */
import { formatNumber } from "../../lib/format";
import type { Correlation } from "./types";

/** Beyond this many symbols the grid is unreadable on a phone; the list is summarised. */
const MAX_SHOWN = 25;

function tint(value: number | null): { backgroundColor?: string; color?: string } {
  if (value === null || !Number.isFinite(value)) return {};
  const alpha = Math.min(1, Math.abs(value)) * 0.85;
  const backgroundColor = value >= 0 ? `rgba(225, 29, 72, ${alpha})` : `rgba(2, 132, 199, ${alpha})`;
  return alpha > 0.45 ? { backgroundColor, color: "white" } : { backgroundColor };
}

export function CorrelationHeatmap({ correlation }: { correlation: Correlation }) {
  const { symbols, matrix } = correlation;
  if (symbols.length < 2) return <p className="p-3 text-sm text-slate-500 dark:text-slate-400">One position: nothing to correlate.</p>;
  if (symbols.length > MAX_SHOWN) {
    return <p className="p-3 text-sm text-slate-500 dark:text-slate-400">{symbols.length} positions: too many to show as a grid here.</p>;
  }
  return (
    <div className="overflow-x-auto p-2">
      <table className="text-xs tabular-nums" data-testid="correlation-heatmap">
        <thead>
          <tr>
            <td />
            {symbols.map((s) => <th key={s} scope="col" className="px-1 py-0.5 font-medium">{s}</th>)}
          </tr>
        </thead>
        <tbody>
          {symbols.map((row, i) => (
            <tr key={row}>
              <th scope="row" className="px-1 py-0.5 text-left font-medium">{row}</th>
              {symbols.map((col, j) => (
                <td key={col} className="min-w-12 px-1 py-0.5 text-center" style={tint(matrix[i]?.[j] ?? null)}
                  title={`${row} / ${col}: ${formatNumber(matrix[i]?.[j], 2)}`}>
                  {formatNumber(matrix[i]?.[j], 2)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
