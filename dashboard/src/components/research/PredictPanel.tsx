/**
 * "Predict latest": one model version's scores for a universe's latest day
 * (POST /api/ml/predict), highest first. The scores are stored, so alert rules reading
 * `ml.<name>` see them too.
 */
import { useState } from "react";
import { Link } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { formatDateIST, formatNumber } from "../../lib/format";
import { Button, ErrorBox, Spinner } from "../ui";
import { FORM_ERROR, buildPredictBody, fieldErrors, type Universe } from "./form";
import type { ModelInfo, PredictBody, PredictResult } from "./types";
import { UniverseSelect } from "./UniverseSelect";

const FIELDS: ReadonlySet<string> = new Set(["symbols"]);

/** Predictions highest score first (ties by symbol). */
export function sortedPredictions(result: PredictResult): Schemas["Prediction"][] {
  return [...(result.predictions ?? [])].sort((a, b) => b.score - a.score || a.symbol.localeCompare(b.symbol));
}

function Scores({ result }: { result: PredictResult }) {
  const rows = sortedPredictions(result);
  const missing = result.missing ?? [];
  return (
    <div className="space-y-1">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">No scores: none of these symbols has the history the model's features need.</p>
      ) : (
        <div className="max-h-96 overflow-auto">
          <table className="w-full text-sm" data-testid="prediction-table">
            <caption className="pb-1 text-left text-xs text-slate-500 dark:text-slate-400">
              Scores on {formatDateIST(rows[0].ts)}, highest first
              {result.stored ? `; ${formatNumber(result.stored, 0)} stored for rules (ml.${result.model.name})` : ""}.
            </caption>
            <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="px-2 py-1 text-right">#</th>
                <th scope="col" className="px-2 py-1 text-left">Symbol</th>
                <th scope="col" className="px-2 py-1 text-right">Score</th>
                <th scope="col" className="px-2 py-1 text-right">Day</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p, i) => (
                <tr key={`${p.symbol}-${p.ts}`} data-testid="prediction-row" className="border-t border-slate-200 dark:border-slate-800">
                  <td className="px-2 py-1 text-right tabular-nums text-slate-500">{i + 1}</td>
                  <th scope="row" className="px-2 py-1 text-left">
                    <Link className="font-semibold text-sky-700 hover:underline dark:text-sky-400" to={`/chart/${encodeURIComponent(p.symbol)}`}>{p.symbol}</Link>
                  </th>
                  <td className="px-2 py-1 text-right tabular-nums">{formatNumber(p.score, 4)}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{formatDateIST(p.ts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {missing.length > 0 && (
        <p className="text-xs text-amber-700 dark:text-amber-400">No bars for {missing.join(", ")} (chitti load-market or update-eod loads them).</p>
      )}
    </div>
  );
}

export function PredictPanel({ model, watchlists }: { model: ModelInfo; watchlists: Schemas["Watchlist"][] }) {
  // until the trader picks one: the first watchlist (the lists may arrive after the models)
  const [picked, setUniverse] = useState<Universe | null>(null);
  const first = watchlists.find((w) => w.symbols.length >= 2);
  const universe = picked ?? { source: first ? `list:${first.id}` : "NIFTY 50", symbols: "" };
  const [tried, setTried] = useState(false);
  const predict = useMutation({
    mutationFn: (body: PredictBody) => api.post<PredictResult>("/api/ml/predict", body),
  });
  const built = buildPredictBody(model.name, model.version, universe, watchlists);
  const apiErrors = fieldErrors(predict.error, FIELDS);
  const errors = { ...(tried ? built.errors : {}), ...apiErrors };
  return (
    <form aria-label={`Predict with ${model.name} v${model.version}`} className="space-y-2" noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (built.body) predict.mutate(built.body);
      }}>
      <div className="grid gap-2 sm:grid-cols-3">
        <UniverseSelect label="Predict on" value={universe} watchlists={watchlists} error={errors.symbols}
          onChange={(next) => { predict.reset(); setUniverse(next); }} />
        <div className="flex items-end">
          <Button type="submit" disabled={predict.isPending}>Predict latest</Button>
        </div>
      </div>
      {errors[FORM_ERROR] && <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">{errors[FORM_ERROR]}</p>}
      {predict.isPending && <Spinner label="Computing features and scoring…" />}
      {predict.error && Object.keys(apiErrors).length === 0 && <ErrorBox error={predict.error} />}
      {predict.data && <Scores result={predict.data} />}
    </form>
  );
}
