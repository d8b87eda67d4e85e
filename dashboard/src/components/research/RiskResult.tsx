/**
 * A risk report: the window, volatility, beta and drawdown; VaR and CVaR by method,
 * confidence and horizon (percent of the portfolio, and rupees when its value is known);
 * each position's share; stress replays; correlations; and the notes that qualify them.
 */
import { formatDateIST, formatINR, formatNumber } from "../../lib/format";
import { Card } from "../ui";
import { CorrelationHeatmap } from "./CorrelationHeatmap";
import { confidenceText, dateRange, fractionPct } from "./fmt";
import { StressTable } from "./StressTable";
import { riskView, type RiskReply, type RiskView, type VarRow } from "./types";

const METHOD_TEXT: Record<VarRow["method"], string> = {
  historical: "Historical", parametric: "Parametric (normal)", monte_carlo: "Monte Carlo",
};

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="rounded border border-slate-200 px-3 py-2 dark:border-slate-800">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value}</dd>
      {sub && <dd className="text-xs text-slate-500 dark:text-slate-400">{sub}</dd>}
    </div>
  );
}

function drawdownText(view: RiskView): string {
  const dd = view.max_drawdown;
  if (!dd.peak_date) return "no fall in the window";
  const recovery = dd.recovery_date ? `recovered ${formatDateIST(dd.recovery_date)}` : "not recovered";
  return `${formatDateIST(dd.peak_date)} → ${formatDateIST(dd.trough_date)}, ${recovery}`;
}

function Summary({ view }: { view: RiskView }) {
  return (
    <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="risk-summary">
      <Stat label="Volatility (annual)" value={fractionPct(view.annual_volatility_fraction)} />
      <Stat label="Beta to NIFTY 50" value={formatNumber(view.beta)}
        sub={`tracking error ${fractionPct(view.tracking_error_annual_fraction)} a year`} />
      <Stat label="Max drawdown" value={fractionPct(view.max_drawdown.drawdown_fraction)} sub={drawdownText(view)} />
      <Stat label="Invested" value={fractionPct(view.invested_fraction)}
        sub={`cash ${fractionPct(view.cash_fraction)}, gross ${fractionPct(view.gross_exposure_fraction)}`} />
    </dl>
  );
}

/** Two lines in one cell: the percentage, and its rupees when the value is known. */
function Loss({ fraction, inr, rupees }: { fraction: number | null; inr: number | null; rupees: boolean }) {
  return (
    <td className="px-2 py-1 text-right tabular-nums">
      {fractionPct(fraction)}
      {rupees && <div className="text-xs text-slate-500 dark:text-slate-400">{formatINR(inr, 0)}</div>}
    </td>
  );
}

/** Rows grouped by method (its name spans them), one per confidence and horizon. */
function VarTable({ view }: { view: RiskView }) {
  const rupees = view.portfolio_value_inr !== null;
  const groups = [...new Set(view.var.map((row) => row.method))].map((method) => view.var.filter((row) => row.method === method));
  return (
    <div className="space-y-1 p-2">
      <p className="text-xs text-slate-500 dark:text-slate-400">
        VaR: the loss not exceeded with the given confidence over the horizon; CVaR: the mean loss beyond it.
        {rupees ? " Percent of the portfolio, rupees below." : " Give a portfolio value for rupees."}
      </p>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="var-table">
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-2 py-1 text-left">Method</th>
              <th scope="col" className="px-2 py-1 text-left">Confidence, horizon</th>
              <th scope="col" className="px-2 py-1 text-right">VaR</th>
              <th scope="col" className="px-2 py-1 text-right">CVaR</th>
            </tr>
          </thead>
          {groups.map((rows) => (
            <tbody key={rows[0].method} className="border-t border-slate-200 dark:border-slate-800">
              {rows.map((row, i) => (
                <tr key={`${row.confidence}-${row.horizon_days}`} data-testid="var-row" data-method={row.method}>
                  {i === 0 && (
                    <th scope="rowgroup" rowSpan={rows.length} className="px-2 py-1 text-left align-top font-medium">
                      {METHOD_TEXT[row.method] ?? row.method}
                    </th>
                  )}
                  <th scope="row" className="whitespace-nowrap px-2 py-1 text-left font-normal tabular-nums">
                    {confidenceText(row.confidence)}, {row.horizon_days} day{row.horizon_days === 1 ? "" : "s"}
                  </th>
                  <Loss fraction={row.var_fraction} inr={row.var_inr} rupees={rupees} />
                  <Loss fraction={row.cvar_fraction} inr={row.cvar_inr} rupees={rupees} />
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </div>
  );
}

function PositionsTable({ view }: { view: RiskView }) {
  const rupees = view.portfolio_value_inr !== null;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="positions-table">
        <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-2 py-1 text-left">Symbol</th>
            <th scope="col" className="px-2 py-1 text-right">Weight</th>
            <th scope="col" className="px-2 py-1 text-right" title="annualised volatility of its daily returns">Vol.</th>
            <th scope="col" className="px-2 py-1 text-right" title="beta to NIFTY 50">Beta</th>
            <th scope="col" className="px-2 py-1 text-right" title="share of the portfolio's variance">Risk share</th>
          </tr>
        </thead>
        <tbody>
          {view.positions.map((p) => (
            <tr key={p.symbol} className="border-t border-slate-200 dark:border-slate-800">
              <th scope="row" className="px-2 py-1 text-left font-semibold">{p.symbol}</th>
              <td className="px-2 py-1 text-right tabular-nums">
                {fractionPct(p.weight)}
                {rupees && <div className="text-xs text-slate-500 dark:text-slate-400">{formatINR(p.value_inr, 0)}</div>}
              </td>
              <td className="px-2 py-1 text-right tabular-nums">{fractionPct(p.annual_volatility_fraction)}</td>
              <td className="px-2 py-1 text-right tabular-nums">{formatNumber(p.beta)}</td>
              <td className="px-2 py-1 text-right tabular-nums">{fractionPct(p.variance_contribution_fraction)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RiskResult({ reply }: { reply: RiskReply }) {
  const view = riskView(reply);
  return (
    <div className="space-y-3 p-3" data-testid="risk-result">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        As of {formatDateIST(view.as_of)}: {formatNumber(view.window.return_days, 0)} daily returns, {dateRange(view.window.start, view.window.end)}
        {view.portfolio_value_inr !== null && <>, on a portfolio of {formatINR(view.portfolio_value_inr, 0)}</>}.
      </p>
      <Summary view={view} />
      {view.notes.length > 0 && (
        <ul className="list-disc space-y-0.5 pl-5 text-xs text-amber-700 dark:text-amber-400" data-testid="risk-notes" aria-label="Notes">
          {view.notes.map((note) => <li key={note}>{note}</li>)}
        </ul>
      )}
      <Card title="Value at risk"><VarTable view={view} /></Card>
      <Card title="Positions"><PositionsTable view={view} /></Card>
      <Card title="Stress tests: today's weights through past crashes"><StressTable rows={view.stress} /></Card>
      <Card title="Correlation of daily returns"><CorrelationHeatmap correlation={view.correlation} /></Card>
      <details className="text-xs text-slate-500 dark:text-slate-400">
        <summary className="cursor-pointer">How each figure is computed</summary>
        <dl className="mt-1 space-y-1">
          {Object.entries(view.conventions).map(([k, v]) => (
            <div key={k}><dt className="inline font-medium">{k.replace(/_/g, " ")}: </dt><dd className="inline">{v}</dd></div>
          ))}
        </dl>
      </details>
    </div>
  );
}
