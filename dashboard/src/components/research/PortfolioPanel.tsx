/**
 * Portfolio optimisation (POST /api/portfolio/optimize): the setup, then the weights. A 400
 * is shown at the field its message names; "Check risk" hands the weights to the risk panel.
 */
import { useMemo, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { Empty, ErrorBox } from "../ui";
import {
  DEFAULT_PORTFOLIO, FORM_ERROR, buildOptimizeBody, fieldErrors, formatWeightList, portfolioValue,
  type PortfolioForm as Form,
} from "./form";
import { PortfolioForm } from "./PortfolioForm";
import type { OptimizeBody, PortfolioReply } from "./types";
import { WeightsTable } from "./WeightsTable";

/** The request's fields the form shows (an API error naming one is shown under it). */
const FIELDS: ReadonlySet<string> = new Set([
  "symbols", "start", "end", "method", "covariance", "expected_returns", "model", "risk_free_rate",
  "target_return", "target_volatility", "min_weight", "max_weight", "sector_caps", "current_weights",
  "max_turnover", "value_inr",
]);

export function PortfolioPanel({ watchlists, models, onCheckRisk }: {
  watchlists: Schemas["Watchlist"][];
  models: Schemas["ModelInfo"][];
  onCheckRisk: (weights: Record<string, number>, valueInr: number | null) => void;
}) {
  const [form, setFormState] = useState<Form>(DEFAULT_PORTFOLIO);
  const [tried, setTried] = useState(false);
  const built = useMemo(() => buildOptimizeBody(form), [form]);
  const optimize = useMutation({
    mutationFn: (body: OptimizeBody) => api.post<PortfolioReply>("/api/portfolio/optimize", body),
  });
  const apiErrors = fieldErrors(optimize.error, FIELDS);
  const valueInr = portfolioValue(form.valueInr);
  const errors = {
    ...(tried ? built.errors : {}),
    ...(form.valueInr.trim() && valueInr === null ? { value_inr: "Type the value in rupees (a positive number), or leave it empty." } : {}),
    ...apiErrors,
  };
  const setForm = (next: Form) => {
    if (optimize.error) optimize.reset();
    setFormState(next);
  };
  const submit = () => {
    setTried(true);
    if (built.body) optimize.mutate(built.body);
  };
  const reply = optimize.data;
  // an error the form could not place is already shown by the button; others (a dropped
  // connection) get a box
  const unplaced = optimize.error && Object.keys(apiErrors).length === 0;

  return (
    <div>
      <PortfolioForm form={form} setForm={setForm} errors={errors} watchlists={watchlists} models={models}
        running={optimize.isPending} onSubmit={submit} />
      {unplaced && <ErrorBox error={optimize.error} retry={submit} />}
      {apiErrors[FORM_ERROR] === undefined && Object.keys(apiErrors).length > 0 && (
        <p role="status" className="px-3 pb-2 text-xs text-rose-600 dark:text-rose-400">
          The optimiser refused the setup: see the marked field{Object.keys(apiErrors).length > 1 ? "s" : ""} above.
        </p>
      )}
      {reply && !optimize.isPending ? (
        <WeightsTable reply={reply} valueInr={valueInr} current={optimize.variables?.current_weights ?? null}
          onCheckRisk={() => onCheckRisk(reply.weights, valueInr)}
          onUseAsCurrent={() => setForm({ ...form, currentWeightsPct: formatWeightList(reply.weights) })} />
      ) : !optimize.isPending && !optimize.error && (
        <Empty title="No portfolio yet">
          Pick two or more symbols (or a watchlist) and a method, then press Optimise.
        </Empty>
      )}
    </div>
  );
}
