/**
 * What the prices on screen are: the adjustment the reply says it applied, the corporate
 * actions behind it, and the reply's warnings about missing bars.
 */
import type { Schemas } from "../../api/client";
import { formatDateIST, formatNumber } from "../../lib/format";

const ADJUST_TEXT: Record<Schemas["OhlcvResult"]["adjust"], string> = {
  split: "Adjusted for splits, bonuses, rights and demergers",
  total: "Adjusted for splits, bonuses, rights, demergers and dividends (total return)",
  none: "Raw prices, as the exchange printed them",
};

export function AdjustmentNote({ result, extraWarnings = [] }: { result: Schemas["OhlcvResult"]; extraWarnings?: string[] }) {
  const applied = result.actions.filter((a) => a.applied);
  const warnings = [...new Set([...result.warnings, ...extraWarnings])];
  return (
    <div className="mt-2 space-y-1 text-xs text-slate-600 dark:text-slate-300">
      <details>
        <summary className="cursor-pointer">
          <span data-testid="adjust-applied" data-adjust={result.adjust}>{ADJUST_TEXT[result.adjust]}</span>
          {" · "}
          {result.actions.length === 0 ? "no corporate actions on record"
            : `${result.actions.length} corporate action${result.actions.length === 1 ? "" : "s"}, ${applied.length} applied`}
        </summary>
        {result.actions.length > 0 && (
          <div className="mt-1 overflow-x-auto">
            <table className="min-w-full text-left tabular-nums">
              <thead className="text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="pr-3 font-medium">Ex-date</th>
                  <th scope="col" className="pr-3 font-medium">Action</th>
                  <th scope="col" className="pr-3 font-medium">Earlier prices ×</th>
                  <th scope="col" className="pr-3 font-medium">Earlier volumes ×</th>
                  <th scope="col" className="font-medium">Applied</th>
                </tr>
              </thead>
              <tbody>
                {result.actions.map((a) => (
                  <tr key={`${a.ex_date}-${a.kind}-${a.purpose}`}>
                    <td className="whitespace-nowrap pr-3">{formatDateIST(a.ex_date)}</td>
                    <td className="pr-3">{a.purpose}</td>
                    <td className="pr-3">{formatNumber(a.price_factor, 4)}</td>
                    <td className="pr-3">{formatNumber(a.volume_factor, 4)}</td>
                    <td>{a.applied ? "yes" : `no${a.note ? ` (${a.note})` : ""}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
      {warnings.length > 0 && (
        <ul className="rounded border border-amber-300 bg-amber-50 px-2 py-1 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          {warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
    </div>
  );
}
