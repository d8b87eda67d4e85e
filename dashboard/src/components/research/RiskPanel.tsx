/**
 * Risk of a portfolio of weights (POST /api/risk): typed here, or handed over by the
 * optimiser's "Check risk". The state lives in {@link useRiskCheck} so the page can start a
 * check from the portfolio panel.
 */
import { useMemo, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { api } from "../../api/client";
import { Button, Empty, ErrorBox, Spinner } from "../ui";
import { Field } from "./Field";
import { DEFAULT_RISK, FORM_ERROR, buildRiskBody, fieldErrors, formatWeightList, type RiskForm } from "./form";
import { RiskResult } from "./RiskResult";
import type { RiskBody, RiskReply } from "./types";

const FIELDS: ReadonlySet<string> = new Set(["weights", "value_inr", "end", "window_days"]);

export function useRiskCheck() {
  const [form, setFormState] = useState<RiskForm>(DEFAULT_RISK);
  const [tried, setTried] = useState(false);
  const mutation = useMutation({
    mutationFn: (body: RiskBody) => api.post<RiskReply>("/api/risk", body),
  });
  const run = (next: RiskForm) => {
    setTried(true);
    const built = buildRiskBody(next);
    if (built.body) mutation.mutate(built.body);
  };
  return {
    form, tried, mutation, run,
    setForm: (next: RiskForm) => {
      if (mutation.error) mutation.reset();
      setFormState(next);
    },
    /** Fill the form with `weights` (fractions) and measure them at once. */
    check: (weights: Record<string, number>, valueInr: number | null) => {
      const next = { ...form, weightsPct: formatWeightList(weights), valueInr: valueInr === null ? form.valueInr : String(valueInr) };
      setFormState(next);
      run(next);
    },
  };
}

export type RiskCheck = ReturnType<typeof useRiskCheck>;

export function RiskPanel({ risk }: { risk: RiskCheck }) {
  const { form, setForm, mutation } = risk;
  const built = useMemo(() => buildRiskBody(form), [form]);
  const apiErrors = fieldErrors(mutation.error, FIELDS);
  const errors = { ...(risk.tried ? built.errors : {}), ...apiErrors };
  const update = (patch: Partial<RiskForm>) => setForm({ ...form, ...patch });
  return (
    <div>
      <form aria-label="Risk setup" className="grid gap-3 p-3 sm:grid-cols-2 lg:grid-cols-4" noValidate
        onSubmit={(e) => { e.preventDefault(); risk.run(form); }}>
        <Field label="Weights (%)" error={errors.weights} className="sm:col-span-2"
          help="Percent of the portfolio's value, e.g. “TCS 30, INFY 30, HDFCBANK 40”; what is left is cash, a minus is a short.">
          {(p) => <textarea {...p} rows={2} value={form.weightsPct} onChange={(e) => update({ weightsPct: e.target.value })} />}
        </Field>
        <Field label="Portfolio value (₹, optional)" error={errors.value_inr} help="For VaR in rupees.">
          {(p) => <input {...p} inputMode="decimal" placeholder="e.g. 10,00,000" value={form.valueInr}
            onChange={(e) => update({ valueInr: e.target.value })} />}
        </Field>
        <Field label="Window (daily returns)" error={errors.window_days} help="Default 500, about two years.">
          {(p) => <input {...p} inputMode="numeric" placeholder="500" value={form.windowDays}
            onChange={(e) => update({ windowDays: e.target.value })} />}
        </Field>
        <Field label="As of" error={errors.end} help="Empty: the latest bar.">
          {(p) => <input {...p} type="date" value={form.end} onChange={(e) => update({ end: e.target.value })} />}
        </Field>
        <div className="flex flex-wrap items-end gap-3 sm:col-span-2 lg:col-span-3">
          <Button type="submit" disabled={mutation.isPending}>Measure risk</Button>
          {errors[FORM_ERROR] && <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">{errors[FORM_ERROR]}</p>}
        </div>
      </form>
      {mutation.isPending ? (
        <Spinner label="Measuring risk: VaR by three methods, stress replays… this takes a few seconds." />
      ) : mutation.error && Object.keys(apiErrors).length === 0 ? (
        <ErrorBox error={mutation.error} retry={() => risk.run(form)} />
      ) : mutation.data ? (
        <RiskResult reply={mutation.data} />
      ) : !mutation.error && (
        <Empty title="No risk measured yet">
          Type weights and press Measure risk, or optimise a portfolio above and press Check risk.
        </Empty>
      )}
    </div>
  );
}
