/** Every view of one result: what was run, equity vs benchmark, drawdown, months, metrics, costs, trades. */
import { costProfileText, formatMetric, type ResultView } from "../../lib/backtest";
import { changeClass, formatDateIST, formatDateTimeIST, formatNumber } from "../../lib/format";
import { Card } from "../ui";
import { CostsTable } from "./CostsTable";
import { MetricsTable } from "./MetricsTable";
import { MonthlyHeatmap } from "./MonthlyHeatmap";
import { ResultCharts } from "./ResultCharts";
import { TradesTable } from "./TradesTable";

function Headline({ label, value, className = "" }: { label: string; value: string; className?: string }) {
  return (
    <div className="min-w-[7rem]">
      <div className="text-xs text-slate-500 dark:text-slate-400">{label}</div>
      <div className={`text-lg font-semibold tabular-nums ${className}`}>{value}</div>
    </div>
  );
}

function Summary({ view }: { view: ResultView }) {
  const params = Object.entries(view.params).map(([k, v]) => `${k} ${formatNumber(v, Number.isInteger(v) ? 0 : 2)}`).join(", ");
  const costs = view.config.costs;
  const m = view.metrics;
  return (
    <div className="space-y-3 p-3">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
        <div className="flex gap-2"><dt className="text-slate-500 dark:text-slate-400">Strategy</dt>
          <dd><b>{view.strategy}</b>{params && ` (${params})`}</dd></div>
        <div className="flex gap-2"><dt className="text-slate-500 dark:text-slate-400">Symbols</dt>
          <dd>{view.symbols.join(", ")}</dd></div>
        <div className="flex gap-2"><dt className="text-slate-500 dark:text-slate-400">Dates</dt>
          <dd>{view.start ? formatDateIST(view.start) : "first bar"} – {view.end ? formatDateIST(view.end) : "last bar"}
            {" · "}{view.interval === "1d" ? "daily" : view.interval} bars · {view.adjust}-adjusted</dd></div>
        <div className="flex gap-2"><dt className="text-slate-500 dark:text-slate-400">Costs</dt>
          <dd>{typeof costs === "string" ? costProfileText(costs) : `custom (${costs.name})`}</dd></div>
        {view.createdAt && (
          <div className="flex gap-2"><dt className="text-slate-500 dark:text-slate-400">Run</dt>
            <dd>{formatDateTimeIST(view.createdAt)}{view.owner ? ` by ${view.owner}` : ""}</dd></div>
        )}
      </dl>
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <Headline label="Total return" value={formatMetric("total_return_pct", m.total_return_pct, "%")} className={changeClass(m.total_return_pct)} />
        <Headline label="Benchmark" value={formatMetric("benchmark_return_pct", m.benchmark_return_pct, "%")} className={changeClass(m.benchmark_return_pct)} />
        <Headline label="CAGR" value={formatMetric("cagr_pct", m.cagr_pct, "%")} className={changeClass(m.cagr_pct)} />
        <Headline label="Max drawdown" value={formatMetric("max_drawdown_pct", m.max_drawdown_pct, "%")} />
        <Headline label="Sharpe" value={formatMetric("sharpe_ratio", m.sharpe_ratio, "ratio")} />
        <Headline label="Final equity" value={formatMetric("final_equity_inr", m.final_equity_inr, "₹")} />
      </div>
      {view.warnings.length > 0 && (
        <ul data-testid="warnings" className="list-disc space-y-0.5 rounded border border-amber-300 bg-amber-50 py-2 pl-6 pr-3 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100">
          {view.warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
    </div>
  );
}

export function ResultPanel({ view, benchmark, units }: {
  view: ResultView;
  benchmark: string | null;
  units: Record<string, string> | undefined;
}) {
  return (
    <div className="space-y-3" data-testid="backtest-result" data-id={view.id}>
      <Card title={`Backtest #${view.id}`}><Summary view={view} /></Card>
      <Card title="Equity against the benchmark"><ResultCharts view={view} benchmark={benchmark} /></Card>
      <Card title="Metrics"><MetricsTable metrics={view.metrics} units={units} /></Card>
      <Card title="Costs paid"><CostsTable view={view} /></Card>
      <Card title="Monthly returns"><div className="p-3"><MonthlyHeatmap view={view} /></div></Card>
      <Card title="Trades"><TradesTable trades={view.trades} id={view.id} /></Card>
    </div>
  );
}
