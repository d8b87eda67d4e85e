/** What the run paid in charges, by contract-note line, and the dated rates it charged. */
import { useMemo } from "react";
import { costBreakdown, costProfileText, type ResultView } from "../../lib/backtest";
import { formatDateIST, formatINR, formatNumber } from "../../lib/format";
import { Empty } from "../ui";

function rateText(pct: number): string {
  // statutory rates go down to ₹5 a crore (0.00005 %): show enough digits to read them
  return `${formatNumber(pct, pct !== 0 && Math.abs(pct) < 0.01 ? 5 : 3)}%`;
}

const RATE_LABELS: Record<string, string> = {
  stt_buy_pct: "STT buy", stt_sell_pct: "STT sell", stamp_duty_buy_pct: "Stamp buy",
  stamp_duty_sell_pct: "Stamp sell", exchange_txn_pct: "Exchange", sebi_fee_pct: "SEBI fee",
  gst_pct: "GST / service tax",
};

export function CostsTable({ view }: { view: ResultView }) {
  const costs = view.config.costs;
  const breakdown = useMemo(
    () => costBreakdown(view.trades, view.costSchedule, costs), [view.trades, view.costSchedule, costs]);
  const profileName = typeof costs === "string" ? costProfileText(costs) : `Custom rates (${costs.name})`;

  if (view.trades.length === 0) {
    return <Empty title="No costs">There were no trades, so no charges. Cost profile: {profileName}.</Empty>;
  }
  const share = (inr: number) => (breakdown.total > 0 ? `${formatNumber((inr / breakdown.total) * 100, 1)}%` : "—");
  const rateKeys = [...new Set(view.costSchedule.flatMap((p) => Object.keys(p.rates_pct)))];
  // each rate's sources over the run, once each
  const sources = [...new Map(view.costSchedule.flatMap((p) => Object.entries(p.sources))
    .map(([k, source]) => [`${k}\u0000${source}`, [k, source] as const])).values()];

  return (
    <div className="space-y-3 p-3 text-sm">
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Cost profile: <span className="font-medium text-slate-700 dark:text-slate-200">{profileName}</span>.
        Each line is recomputed from the rates in force on each order's day; the total is the run's own.
      </p>
      <div className="overflow-x-auto">
        <table data-testid="costs" className="w-full max-w-2xl">
          <thead className="text-xs text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 text-left font-medium">Charge</th>
              <th scope="col" className="py-1 pl-3 text-right font-medium">Paid</th>
              <th scope="col" className="py-1 pl-3 text-right font-medium">Share</th>
            </tr>
          </thead>
          <tbody>
            {breakdown.lines.map((line) => (
              <tr key={line.key} data-cost={line.key} className="border-t border-slate-100 dark:border-slate-800">
                <th scope="row" className="py-1 text-left font-normal">
                  {line.label}
                  {line.note && <span className="ml-1 text-xs text-slate-400 dark:text-slate-500">({line.note})</span>}
                </th>
                <td className="whitespace-nowrap py-1 pl-3 text-right tabular-nums">{formatINR(line.inr)}</td>
                <td className="whitespace-nowrap py-1 pl-3 text-right tabular-nums text-slate-500 dark:text-slate-400">{share(line.inr)}</td>
              </tr>
            ))}
            {breakdown.unattributed !== 0 && (
              <tr data-cost="other" className="border-t border-slate-100 dark:border-slate-800">
                <th scope="row" className="py-1 text-left font-normal">
                  Brokerage, DP charges and their GST
                  <span className="ml-1 text-xs text-slate-400 dark:text-slate-500">
                    (the rest of the total: the API does not publish this profile's brokerage rates)
                  </span>
                </th>
                <td className="whitespace-nowrap py-1 pl-3 text-right tabular-nums">{formatINR(breakdown.unattributed)}</td>
                <td className="whitespace-nowrap py-1 pl-3 text-right tabular-nums text-slate-500 dark:text-slate-400">{share(breakdown.unattributed)}</td>
              </tr>
            )}
            <tr data-cost="total" className="border-t-2 border-slate-300 font-semibold dark:border-slate-600">
              <th scope="row" className="py-1 text-left">Total</th>
              <td className="whitespace-nowrap py-1 pl-3 text-right tabular-nums">{formatINR(breakdown.total)}</td>
              <td className="whitespace-nowrap py-1 pl-3 text-right tabular-nums">{share(breakdown.total)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      {view.costSchedule.length > 0 && (
        <details className="text-xs">
          <summary className="cursor-pointer text-slate-600 dark:text-slate-300">
            Rates charged, {view.costSchedule.length} period{view.costSchedule.length === 1 ? "" : "s"} (with their sources)
          </summary>
          <div className="mt-2 overflow-x-auto">
            <table className="w-full min-w-[40rem]">
              <thead className="text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-2 text-left font-medium">Period</th>
                  {rateKeys.map((k) => <th key={k} scope="col" className="px-1 py-1 text-right font-medium">{RATE_LABELS[k] ?? k}</th>)}
                </tr>
              </thead>
              <tbody>
                {view.costSchedule.map((p) => (
                  <tr key={p.from} className="border-t border-slate-100 dark:border-slate-800">
                    <td className="whitespace-nowrap py-1 pr-2">{formatDateIST(p.from)} – {formatDateIST(p.to)}</td>
                    {rateKeys.map((k) => (
                      <td key={k} className="px-1 py-1 text-right tabular-nums" title={p.sources[k]}>
                        {p.rates_pct[k] === undefined ? "—" : rateText(p.rates_pct[k])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            <h4 className="mt-2 font-medium text-slate-600 dark:text-slate-300">Sources</h4>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-slate-500 dark:text-slate-400">
              {sources.map(([k, source]) => <li key={`${k}-${source}`}>{RATE_LABELS[k] ?? k}: {source}</li>)}
            </ul>
          </div>
        </details>
      )}
    </div>
  );
}
