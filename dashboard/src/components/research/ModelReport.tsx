/**
 * A model's out-of-sample record beside the two baselines scored in the same test windows:
 * the pooled IC and rank IC (with t-statistics) and the backtest of each score's top picks
 * with Indian costs; and the per-fold table of a training.
 */
import { formatCount, formatINR, formatNumber, formatPct } from "../../lib/format";
import { dateRange } from "./fmt";
import type { FoldRow, ScoreBacktest } from "./types";

const SCORE_TEXT: Record<string, string> = {
  model: "Model", momentum_12_1: "12-1 momentum", reversal_5d: "5-day reversal",
};

export function scoreName(key: string): string {
  return SCORE_TEXT[key] ?? key.replace(/_/g, " ");
}

/** The model first, then the baselines in the reply's order. */
function scoreKeys(summary: Record<string, unknown>, backtests: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(summary), ...Object.keys(backtests)])];
  return keys.sort((a, b) => (a === "model" ? -1 : b === "model" ? 1 : 0));
}

function IcCell({ mean, t }: { mean: number | null | undefined; t: number | null | undefined }) {
  return (
    <td className="px-2 py-1 text-right tabular-nums">
      {formatNumber(mean, 4)}
      <div className="text-xs text-slate-500 dark:text-slate-400">t {formatNumber(t, 2)}</div>
    </td>
  );
}

/** Pooled out-of-sample IC / rank IC and backtest metrics: the model against its baselines. */
export function ScoreComparison({ summary, backtests, classifier }: {
  summary: Record<string, FoldRow>;
  backtests: Record<string, ScoreBacktest>;
  classifier: boolean;
}) {
  const keys = scoreKeys(summary, backtests);
  if (keys.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">No out-of-sample figures stored for this model.</p>;
  return (
    <div>
      <p className="pb-1 text-xs text-slate-500 dark:text-slate-400">
        Out of sample, all test windows pooled; backtests hold each score's top picks with Indian costs.
      </p>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[560px] text-sm" data-testid="score-comparison">
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-2 py-1 text-left">Score</th>
              <th scope="col" className="px-2 py-1 text-right">IC</th>
              <th scope="col" className="px-2 py-1 text-right">Rank IC</th>
              {classifier && <th scope="col" className="px-2 py-1 text-right">Accuracy / AUC</th>}
              <th scope="col" className="px-2 py-1 text-right">Return</th>
              <th scope="col" className="px-2 py-1 text-right">CAGR</th>
              <th scope="col" className="px-2 py-1 text-right">Sharpe</th>
              <th scope="col" className="px-2 py-1 text-right">Max DD</th>
              <th scope="col" className="px-2 py-1 text-right">Costs</th>
              <th scope="col" className="px-2 py-1 text-right">Trades</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => {
              const row = summary[key];
              const bt = backtests[key];
              return (
                <tr key={key} data-testid="score-row" data-score={key}
                  className={`border-t border-slate-200 dark:border-slate-800 ${key === "model" ? "font-medium" : ""}`}>
                  <th scope="row" className="px-2 py-1 text-left">{scoreName(key)}</th>
                  <IcCell mean={row?.ic_mean} t={row?.ic_t_stat} />
                  <IcCell mean={row?.rank_ic_mean} t={row?.rank_ic_t_stat} />
                  {classifier && (
                    <td className="px-2 py-1 text-right tabular-nums">{formatNumber(row?.accuracy, 3)} / {formatNumber(row?.auc, 3)}</td>
                  )}
                  {bt?.skipped ? (
                    <td colSpan={6} className="px-2 py-1 text-xs text-slate-500 dark:text-slate-400">backtest skipped: {bt.skipped}</td>
                  ) : (
                    <>
                      <td className="px-2 py-1 text-right tabular-nums">{formatPct(bt?.total_return_pct)}</td>
                      <td className="px-2 py-1 text-right tabular-nums">{formatPct(bt?.cagr_pct)}</td>
                      <td className="px-2 py-1 text-right tabular-nums">{formatNumber(bt?.sharpe_ratio)}</td>
                      <td className="px-2 py-1 text-right tabular-nums">{bt?.max_drawdown_pct == null ? "—" : `${formatNumber(bt.max_drawdown_pct)}%`}</td>
                      <td className="px-2 py-1 text-right tabular-nums">{formatINR(bt?.total_costs_inr, 0)}</td>
                      <td className="px-2 py-1 text-right tabular-nums">{formatCount(bt?.trade_count)}</td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** One row per test window (then the pooled row): the model's IC and rank IC beside each baseline's. */
export function FoldTable({ folds, baselines }: { folds: FoldRow[]; baselines: Record<string, FoldRow[]> }) {
  const names = Object.keys(baselines);
  const baselineRow = (name: string, fold: FoldRow["fold"]) => baselines[name]?.find((r) => r.fold === fold);
  return (
    <div>
      <p className="pb-1 text-xs text-slate-500 dark:text-slate-400">
        Purged walk-forward folds: each model was fitted on the days before its test window only (IC with its t-statistic below).
      </p>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[640px] text-sm" data-testid="fold-table">
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" rowSpan={2} className="px-2 py-1 text-left">Fold</th>
              <th scope="col" rowSpan={2} className="px-2 py-1 text-left">Test window</th>
              <th scope="col" rowSpan={2} className="px-2 py-1 text-right">Train rows</th>
              <th scope="col" rowSpan={2} className="px-2 py-1 text-right">Test rows</th>
              {["model", ...names].map((n) => (
                <th key={n} scope="colgroup" colSpan={2} className="border-l border-slate-200 px-2 py-1 text-center dark:border-slate-800">{scoreName(n)}</th>
              ))}
            </tr>
            <tr>
              {["model", ...names].flatMap((n) => [
                <th key={`${n}-ic`} scope="col" className="border-l border-slate-200 px-2 py-1 text-right dark:border-slate-800">IC</th>,
                <th key={`${n}-ric`} scope="col" className="px-2 py-1 text-right">Rank IC</th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {folds.map((row) => (
              <tr key={String(row.fold)} data-testid="fold-row"
                className={`border-t border-slate-200 dark:border-slate-800 ${row.fold === "all" ? "font-semibold" : ""}`}>
                <th scope="row" className="px-2 py-1 text-left">{row.fold === "all" ? "All" : row.fold + 1}</th>
                <td className="whitespace-nowrap px-2 py-1">{dateRange(row.test_start, row.test_end)}</td>
                <td className="px-2 py-1 text-right tabular-nums">{formatCount(row.n_train)}</td>
                <td className="px-2 py-1 text-right tabular-nums">{formatCount(row.n_test)}</td>
                {[row, ...names.map((n) => baselineRow(n, row.fold))].flatMap((r, i) => [
                  <IcCell key={`${i}-ic`} mean={r?.ic_mean} t={r?.ic_t_stat} />,
                  <IcCell key={`${i}-ric`} mean={r?.rank_ic_mean} t={r?.rank_ic_t_stat} />,
                ])}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
