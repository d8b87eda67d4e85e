/** One registered model version: what it predicts, from what, its record, and (traders) scores. */
import type { Schemas } from "../../api/client";
import { formatDateTimeIST, formatNumber } from "../../lib/format";
import { Badge } from "../ui";
import { dateRange } from "./fmt";
import { ESTIMATORS, TARGETS } from "./form";
import { ScoreComparison } from "./ModelReport";
import { PredictPanel } from "./PredictPanel";
import { modelSummary, type ModelInfo } from "./types";

export function targetText(target: string | null, horizonDays: number | null): string {
  const name = TARGETS.find((t) => t.value === target)?.label ?? target ?? "unknown target";
  return horizonDays ? `${name} over ${horizonDays} session${horizonDays === 1 ? "" : "s"}` : name;
}

export function ModelCard({ model, canPredict, watchlists }: {
  model: ModelInfo;
  canPredict: boolean;
  watchlists: Schemas["Watchlist"][];
}) {
  const { summary, backtests } = modelSummary(model);
  const estimator = ESTIMATORS.find((e) => e.value === model.kind)?.label ?? model.kind;
  return (
    <article className="space-y-2 border-t border-slate-200 p-3 first:border-t-0 dark:border-slate-800"
      data-testid="model-card" aria-label={`${model.name} v${model.version}`}>
      <header className="flex flex-wrap items-baseline gap-2">
        <h3 className="font-semibold">
          <code>ml.{model.name}</code> <span className="text-slate-500 dark:text-slate-400">v{model.version}</span>
        </h3>
        <Badge tone="info">{targetText(model.target, model.horizon_days)}</Badge>
        <Badge>{estimator}</Badge>
      </header>
      <p className="text-xs text-slate-600 dark:text-slate-300">
        {formatNumber(model.features.length, 0)} features · {formatNumber(model.symbols.length, 0)} symbols ·
        labelled {dateRange(model.data_start, model.data_end)} · registered {formatDateTimeIST(model.created_at)}
        {model.owner ? ` by ${model.owner}` : ""}
      </p>
      <ScoreComparison summary={summary} backtests={backtests} classifier={model.target === "sign"} />
      {canPredict && <PredictPanel model={model} watchlists={watchlists} />}
    </article>
  );
}
