/**
 * The optimiser's setup: symbols (typed, or a watchlist's), history window, method and its
 * target, covariance and expected returns, and the constraints mean-variance methods take
 * (bounds, sector caps, a turnover limit from today's weights). Percentages as typed.
 */
import type { FormEvent } from "react";
import type { Schemas } from "../../api/client";
import { SymbolInput } from "../backtest/SymbolInput";
import { Button, Spinner } from "../ui";
import { Field, FieldGroup } from "./Field";
import {
  COVARIANCES, EXPECTED_RETURNS, FORM_ERROR, METHODS, takesConstraints,
  type Errors, type PortfolioForm as Form,
} from "./form";

export function PortfolioForm({ form, setForm, errors, watchlists, models, running, onSubmit }: {
  form: Form;
  setForm: (form: Form) => void;
  errors: Errors;
  watchlists: Schemas["Watchlist"][];
  models: Schemas["ModelInfo"][];
  running: boolean;
  onSubmit: () => void;
}) {
  const update = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const method = METHODS.find((m) => m.value === form.method) ?? METHODS[0];
  const constrained = takesConstraints(form.method);
  const listId = watchlists.find((w) => w.symbols.length > 0 && w.symbols.join(", ") === form.symbols.trim())?.id;
  const returnModels = [...new Set(models.filter((m) => m.target === "forward_return").map((m) => m.name))];
  const targetField = form.method === "efficient_return" ? "target_return" : "target_volatility";

  return (
    <form aria-label="Portfolio setup" className="space-y-4 p-3" noValidate
      onSubmit={(e: FormEvent) => { e.preventDefault(); onSubmit(); }}>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <div className="sm:col-span-2">
          <SymbolInput value={form.symbols} onChange={(symbols) => update({ symbols })} error={errors.symbols} />
        </div>
        <Field label="Fill from a watchlist" help={watchlists.length === 0 ? "You have no watchlists yet (Watchlists page)." : undefined}>
          {(p) => (
            <select {...p} value={listId === undefined ? "" : String(listId)} disabled={watchlists.length === 0}
              onChange={(e) => {
                const list = watchlists.find((w) => String(w.id) === e.target.value);
                if (list) update({ symbols: list.symbols.join(", ") });
              }}>
              <option value="">{listId === undefined ? "typed symbols" : "—"}</option>
              {watchlists.map((w) => (
                <option key={w.id} value={w.id} disabled={w.symbols.length < 2}>{w.name} ({w.symbols.length})</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Portfolio value (₹, optional)" error={errors.value_inr}
          help="Shows each weight in rupees, and rupee VaR in the risk check.">
          {(p) => <input {...p} inputMode="decimal" placeholder="e.g. 10,00,000" value={form.valueInr}
            onChange={(e) => update({ valueInr: e.target.value })} />}
        </Field>
        <Field label="History from" error={errors.start} help="Empty: three years before the end.">
          {(p) => <input {...p} type="date" value={form.start} onChange={(e) => update({ start: e.target.value })} />}
        </Field>
        <Field label="History to" error={errors.end} help="Empty: the latest bar.">
          {(p) => <input {...p} type="date" value={form.end} onChange={(e) => update({ end: e.target.value })} />}
        </Field>
      </div>

      <FieldGroup title="Method">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Method" error={errors.method} help={method.help}>
            {(p) => (
              <select {...p} value={form.method} onChange={(e) => update({ method: e.target.value as Form["method"] })}>
                {METHODS.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
              </select>
            )}
          </Field>
          {(form.method === "efficient_return" || form.method === "efficient_risk") && (
            <Field label={form.method === "efficient_return" ? "Target annual return (%)" : "Target annual volatility (%)"}
              error={errors[targetField]}>
              {(p) => <input {...p} inputMode="decimal" placeholder={form.method === "efficient_return" ? "e.g. 15" : "e.g. 20"}
                value={form.targetPct} onChange={(e) => update({ targetPct: e.target.value })} />}
            </Field>
          )}
          <Field label="Covariance" error={errors.covariance}>
            {(p) => (
              <select {...p} value={form.covariance} onChange={(e) => update({ covariance: e.target.value as Form["covariance"] })}>
                {COVARIANCES.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
              </select>
            )}
          </Field>
          <Field label="Expected returns" error={errors.expected_returns}>
            {(p) => (
              <select {...p} value={form.expectedReturns}
                onChange={(e) => update({ expectedReturns: e.target.value as Form["expectedReturns"] })}>
                {EXPECTED_RETURNS.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
              </select>
            )}
          </Field>
          {form.expectedReturns === "model" && (
            <Field label="Model" error={errors.model}
              help={returnModels.length === 0 ? "No forward-return model is registered yet: train one below." : "Its latest stored score per symbol, annualised."}>
              {(p) => (
                <select {...p} value={form.model} onChange={(e) => update({ model: e.target.value })}>
                  <option value="">choose…</option>
                  {returnModels.map((name) => <option key={name} value={name}>{name}</option>)}
                </select>
              )}
            </Field>
          )}
          <Field label="Risk-free rate (%/yr)" error={errors.risk_free_rate} help="Default 6.5, about the 91-day T-bill.">
            {(p) => <input {...p} inputMode="decimal" placeholder="6.5" value={form.riskFreePct}
              onChange={(e) => update({ riskFreePct: e.target.value })} />}
          </Field>
        </div>
      </FieldGroup>

      <fieldset disabled={!constrained} className="min-w-0 space-y-3 disabled:opacity-60">
        <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Constraints</legend>
        {!constrained && (
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {method.label} is long-only and takes no bounds, caps or turnover limit; pick a mean-variance method for those.
          </p>
        )}
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Min weight (%)" error={errors.min_weight}>
            {(p) => <input {...p} inputMode="decimal" placeholder="0" value={form.minWeightPct}
              onChange={(e) => update({ minWeightPct: e.target.value })} />}
          </Field>
          <Field label="Max weight (%)" error={errors.max_weight} help="The most any one symbol may hold.">
            {(p) => <input {...p} inputMode="decimal" placeholder="100" value={form.maxWeightPct}
              onChange={(e) => update({ maxWeightPct: e.target.value })} />}
          </Field>
          <Field label="Sector caps (%)" error={errors.sector_caps} className="sm:col-span-2"
            help="Optional, e.g. “IT 40, Financial Services 50”; sectors as listed for the symbols.">
            {(p) => <input {...p} value={form.sectorCapsPct} onChange={(e) => update({ sectorCapsPct: e.target.value })} />}
          </Field>
          <Field label="Today's weights (%)" error={errors.current_weights} className="sm:col-span-2"
            help="Optional, for a turnover limit: e.g. “TCS 30, INFY 20” (unlisted symbols hold 0).">
            {(p) => <textarea {...p} rows={2} value={form.currentWeightsPct}
              onChange={(e) => update({ currentWeightsPct: e.target.value })} />}
          </Field>
          <Field label="Max turnover (%)" error={errors.max_turnover} help="Sum of |new − today's| weights, at most.">
            {(p) => <input {...p} inputMode="decimal" placeholder="none" value={form.maxTurnoverPct}
              onChange={(e) => update({ maxTurnoverPct: e.target.value })} />}
          </Field>
        </div>
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={running}>Optimise</Button>
        {running && <Spinner label="Optimising… a long history can take several seconds." />}
      </div>
      {errors[FORM_ERROR] && (
        <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">{errors[FORM_ERROR]}</p>
      )}
    </form>
  );
}
