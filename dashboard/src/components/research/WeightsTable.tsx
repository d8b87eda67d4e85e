/**
 * An optimised portfolio: its expected return, volatility and Sharpe ratio, then one row per
 * symbol, largest weight first, with a bar, its rupees (when a value is given), its change
 * from today's weights (when given) and its share of the portfolio's variance.
 */
import { Link } from "react-router";
import { changeClass, formatDateIST, formatINR, formatNumber, formatPct } from "../../lib/format";
import { Button } from "../ui";
import { fractionPct, signedFractionPct } from "./fmt";
import { METHODS } from "./form";
import type { PortfolioReply } from "./types";

export interface WeightRow {
  symbol: string;
  weight: number;
  riskShare: number | null;
  current: number | null;
}

/** Rows largest weight first (ties by symbol), with today's weight when one was given. */
export function weightRows(reply: PortfolioReply, current: Record<string, number> | null): WeightRow[] {
  return Object.entries(reply.weights)
    .map(([symbol, weight]) => ({
      symbol, weight, riskShare: reply.risk_contributions[symbol] ?? null,
      current: current ? current[symbol] ?? 0 : null,
    }))
    .sort((a, b) => b.weight - a.weight || a.symbol.localeCompare(b.symbol));
}

function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div title={title} className="rounded border border-slate-200 px-3 py-2 dark:border-slate-800">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value}</dd>
    </div>
  );
}

const COVARIANCE_TEXT: Record<string, string> = { ledoit_wolf: "Ledoit-Wolf", sample: "sample", ewma: "EWMA" };

/** The optimiser's notes worth a trader's eye, as short phrases. */
export function detailPhrases(details: PortfolioReply["details"]): string[] {
  const out: string[] = [];
  const { covariance, shrinkage, days_used: used, days_dropped: dropped, turnover } = details;
  if (typeof covariance === "string") {
    const shrunk = typeof shrinkage === "number" ? ` (shrinkage ${formatNumber(shrinkage, 3)})` : "";
    out.push(`${COVARIANCE_TEXT[covariance] ?? covariance} covariance${shrunk}`);
  }
  if (typeof used === "number") out.push(`${formatNumber(used, 0)} daily returns used`);
  if (typeof dropped === "number" && dropped > 0) out.push(`${formatNumber(dropped, 0)} days left out (a symbol had no close)`);
  if (typeof turnover === "number") out.push(`turnover ${fractionPct(turnover)}`);
  return out;
}

export function WeightsTable({ reply, valueInr, current, onCheckRisk, onUseAsCurrent }: {
  reply: PortfolioReply;
  valueInr: number | null;
  current: Record<string, number> | null;
  onCheckRisk: () => void;
  onUseAsCurrent: () => void;
}) {
  const rows = weightRows(reply, current);
  const method = METHODS.find((m) => m.value === reply.method)?.label ?? reply.method;
  const details = detailPhrases(reply.details);
  return (
    <div className="space-y-3 p-3" data-testid="portfolio-result">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        {method} on {formatNumber(reply.days, 0)} days of history, {formatDateIST(reply.start)} – {formatDateIST(reply.end)}.
        Figures are annual and assume the history repeats.
      </p>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="portfolio-stats">
        <Stat label="Expected return" value={formatPct(reply.expected_annual_return_pct)} />
        <Stat label="Volatility" value={reply.annual_volatility_pct === null ? "—" : `${formatNumber(reply.annual_volatility_pct)}%`} />
        <Stat label="Sharpe ratio" value={formatNumber(reply.sharpe_ratio)}
          title={`above a risk-free rate of ${reply.risk_free_rate_pct === null ? "—" : `${formatNumber(reply.risk_free_rate_pct)}%`}`} />
        <Stat label="Risk-free rate" value={reply.risk_free_rate_pct === null ? "—" : `${formatNumber(reply.risk_free_rate_pct)}%`} />
      </dl>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[340px] text-sm" data-testid="weights-table">
          <caption className="sr-only">Weights, largest first</caption>
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-2 py-1 text-left">Symbol</th>
              <th scope="col" className="px-2 py-1 text-right">Weight</th>
              <th scope="col" className="hidden w-1/4 px-2 py-1 sm:table-cell"><span className="sr-only">Bar</span></th>
              {valueInr !== null && <th scope="col" className="px-2 py-1 text-right">Amount</th>}
              {current !== null && <th scope="col" className="px-2 py-1 text-right">Change</th>}
              <th scope="col" className="px-2 py-1 text-right" title="share of the portfolio's variance (sums to 100%)">Risk share</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.symbol} data-testid="weight-row"
                className={`border-t border-slate-200 dark:border-slate-800 ${row.weight === 0 ? "text-slate-400 dark:text-slate-500" : ""}`}>
                <th scope="row" className="px-2 py-1 text-left font-semibold">
                  <Link className="text-sky-700 hover:underline dark:text-sky-400" to={`/chart/${encodeURIComponent(row.symbol)}`}>{row.symbol}</Link>
                </th>
                <td className="px-2 py-1 text-right tabular-nums">{fractionPct(row.weight)}</td>
                <td className="hidden px-2 py-1 sm:table-cell" aria-hidden>
                  <div className="h-2.5 w-full rounded bg-slate-100 dark:bg-slate-800">
                    <div data-testid="weight-bar" className="h-full rounded bg-sky-500"
                      style={{ width: `${Math.min(100, Math.max(0, row.weight * 100))}%` }} />
                  </div>
                </td>
                {valueInr !== null && <td className="px-2 py-1 text-right tabular-nums">{formatINR(row.weight * valueInr, 0)}</td>}
                {current !== null && row.current !== null && (
                  <td className={`px-2 py-1 text-right tabular-nums ${changeClass(row.weight - row.current)}`}>
                    {signedFractionPct(row.weight - row.current)}
                  </td>
                )}
                <td className="px-2 py-1 text-right tabular-nums">{fractionPct(row.riskShare)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {details.length > 0 && (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="portfolio-details">{details.join(" · ")}</p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button onClick={onCheckRisk}>Check risk</Button>
        <Button variant="secondary" onClick={onUseAsCurrent}
          title="Copy these weights into Today's weights, to limit turnover from them in the next run">
          Use as today's weights
        </Button>
      </div>
    </div>
  );
}
