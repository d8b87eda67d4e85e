/**
 * The backtest's setup: strategy and its parameters (or an edited spec), symbols and dates,
 * costs and every execution setting of BacktestConfig. Fields left empty keep the API's
 * defaults; the state lives in the page's URL.
 */
import { useId, useState, type FormEvent, type ReactNode } from "react";
import {
  ADJUST_TEXT, ADJUSTS, CONFIG_FIELDS, COST_FIELDS, CUSTOM_COSTS, DEFAULT_COSTS, INTERVALS,
  costProfileText, withInterval, type Catalog, type FieldGroup, type FormState, type StrategySpec,
} from "../../lib/backtest";
import { formatINR } from "../../lib/format";
import { Button, ErrorBox, Spinner, inputClass } from "../ui";
import { FieldError, FieldInput } from "./FieldInput";
import { SpecEditor } from "./SpecEditor";
import { SymbolInput } from "./SymbolInput";

export interface SpecState {
  text: string;
  edited: boolean;
  jsonError: string | null;
  onChange: (text: string) => void;
  onReset: () => void;
}

function Labelled({ label, children, error, help }: { label: string; children: (id: string) => ReactNode; error?: string; help?: ReactNode }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-600 dark:text-slate-300">{label}</label>
      {children(id)}
      {help && <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{help}</p>}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="min-w-0 space-y-3">
      <legend className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</legend>
      {children}
    </fieldset>
  );
}

const MORE_GROUPS: { group: FieldGroup; title: string }[] = [
  { group: "execution", title: "Fills and positions" },
  { group: "exits", title: "Stops and targets" },
  { group: "annualising", title: "Annualising" },
];

export function BacktestForm({ form, setForm, catalog, spec, specState, errors, canRun, running, runError, fieldsMarked, onRun, runLabel }: {
  form: FormState;
  setForm: (form: FormState) => void;
  catalog: Catalog;
  spec: StrategySpec | null;
  specState: SpecState;
  errors: Record<string, string>;
  canRun: boolean;
  running: boolean;
  runError: unknown;
  /** The API's error names fields of the form, marked where they are. */
  fieldsMarked: boolean;
  onRun: () => void;
  runLabel: string;
}) {
  const [specOpen, setSpecOpen] = useState(false);
  // starts open when the link sets one of its fields; a wrong field opens it too
  const [moreOpen, setMoreOpen] = useState(() => Object.keys(form.config).some((n) => n !== "costs"
    && n in CONFIG_FIELDS && CONFIG_FIELDS[n as keyof typeof CONFIG_FIELDS].group !== "capital" && form.config[n]));
  const update = (patch: Partial<FormState>) => setForm({ ...form, ...patch });
  const setConfig = (name: string, value: string) => update({ config: { ...form.config, [name]: value } });
  const intraday = form.interval !== "1d";
  const sizing = form.config.sizing || String(CONFIG_FIELDS.sizing.default);
  const costs = form.config.costs ?? "";
  const shipped = catalog.strategies.find((s) => s.name === form.strategy);

  const configField = (name: keyof typeof CONFIG_FIELDS, hint?: ReactNode) => (
    <FieldInput key={name} spec={CONFIG_FIELDS[name]} value={form.config[name] ?? ""} hint={hint}
      onChange={(v) => setConfig(name, v)} error={errors[`config.${name}`]} />
  );
  // "More settings" opens itself when one of its fields is set or wrong
  const moreNames = (Object.keys(CONFIG_FIELDS) as (keyof typeof CONFIG_FIELDS)[])
    .filter((n) => CONFIG_FIELDS[n].group !== "capital");
  const moreSet = moreNames.filter((n) => form.config[n]).length;
  const moreErrors = moreNames.some((n) => errors[`config.${n}`]);
  const specHasError = Boolean(specState.jsonError || (specState.edited && errors.strategy));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canRun && !running) onRun();
  };

  const sizeHint = {
    fixed_quantity: "Shares per entry.", fixed_cash: "Rupees per entry.",
    percent_equity: "% of current equity per entry.", volatility_target: "% of equity risked per ATR move.",
  }[sizing];
  const cashValue = Number(form.config.initial_cash_inr || CONFIG_FIELDS.initial_cash_inr.default);

  return (
    <form onSubmit={submit} aria-label="Backtest setup" className="space-y-4 p-3">
      <div className="grid gap-4 md:grid-cols-3">
        <Section title="Strategy">
          <Labelled label="Strategy" error={errors.strategy && !specState.edited ? errors.strategy : undefined}
            help={specState.edited ? "Running the edited spec below." : shipped?.description}>
            {(id) => (
              <select id={id} value={form.strategy} className={`mt-1 w-full ${inputClass}`}
                onChange={(e) => { specState.onReset(); update({ strategy: e.target.value, params: {} }); }}>
                {catalog.strategies.map((s) => <option key={s.name} value={s.name}>{s.name.replace(/_/g, " ")}</option>)}
              </select>
            )}
          </Labelled>
          {spec && Object.keys(spec.params ?? {}).length > 0 && (
            <div className="grid grid-cols-2 gap-2">
              {Object.entries(spec.params ?? {}).map(([name, fallback]) => (
                <Labelled key={name} label={name} error={errors[`params.${name}`]}>
                  {(id) => (
                    <input id={id} type="number" step="any" inputMode="decimal" placeholder={String(fallback)}
                      value={form.params[name] ?? ""}
                      className={`mt-1 w-full ${inputClass} ${errors[`params.${name}`] ? "ring-1 ring-rose-500" : ""}`}
                      aria-invalid={errors[`params.${name}`] ? true : undefined}
                      aria-describedby={errors[`params.${name}`] ? `${id}-error` : undefined}
                      onChange={(e) => update({ params: { ...form.params, [name]: e.target.value } })} />
                  )}
                </Labelled>
              ))}
            </div>
          )}
          {spec && <p className="text-xs text-slate-500 dark:text-slate-400">Empty parameters use the spec's values (shown greyed).</p>}
        </Section>

        <Section title="Market data">
          <SymbolInput value={form.symbols} onChange={(symbols) => update({ symbols })} error={errors.symbols} />
          <div className="grid grid-cols-2 gap-2">
            <Labelled label="Start" error={errors.start}>
              {(id) => <input id={id} type="date" value={form.start} className={`mt-1 w-full ${inputClass}`}
                onChange={(e) => update({ start: e.target.value })} />}
            </Labelled>
            <Labelled label="End" error={errors.end}>
              {(id) => <input id={id} type="date" value={form.end} className={`mt-1 w-full ${inputClass}`}
                onChange={(e) => update({ end: e.target.value })} />}
            </Labelled>
          </div>
          <p className="-mt-2 text-xs text-slate-500 dark:text-slate-400">Empty: from the first bar / to the last.</p>
          <div className="grid grid-cols-2 gap-2">
            <Labelled label="Bar length" error={errors.interval}>
              {(id) => (
                <select id={id} value={form.interval} className={`mt-1 w-full ${inputClass}`}
                  onChange={(e) => setForm(withInterval(form, e.target.value as FormState["interval"]))}>
                  {INTERVALS.map((i) => <option key={i} value={i}>{i === "1d" ? "Daily" : i}</option>)}
                </select>
              )}
            </Labelled>
            <Labelled label="Prices" error={errors.adjust}>
              {(id) => (
                <select id={id} value={form.adjust} className={`mt-1 w-full ${inputClass}`}
                  onChange={(e) => update({ adjust: e.target.value as FormState["adjust"] })}>
                  {ADJUSTS.map((a) => <option key={a} value={a}>{ADJUST_TEXT[a]}</option>)}
                </select>
              )}
            </Labelled>
          </div>
          <Labelled label="Benchmark" error={errors.benchmark}
            help={intraday ? "Compared on daily bars only: ignored for intraday bars." : "An index or symbol; empty: none."}>
            {(id) => <input id={id} value={form.benchmark} placeholder="none" className={`mt-1 w-full ${inputClass}`}
              onChange={(e) => update({ benchmark: e.target.value.toUpperCase() })} />}
          </Labelled>
        </Section>

        <Section title="Capital and costs">
          <Labelled label="Cost profile" error={errors["config.costs"]}
            help={intraday && !costs ? "Intraday bars default to NSE intraday, discount broker." : undefined}>
            {(id) => (
              <select id={id} value={costs} className={`mt-1 w-full ${inputClass}`}
                onChange={(e) => setConfig("costs", e.target.value)}>
                <option value="">{intraday ? "Default for intraday (NSE intraday, discount)" : `Default: ${costProfileText(DEFAULT_COSTS)}`}</option>
                {catalog.cost_profiles.filter((p) => p !== DEFAULT_COSTS || intraday).map((p) => (
                  <option key={p} value={p}>{costProfileText(p)}</option>
                ))}
                <option value={CUSTOM_COSTS}>Custom rates…</option>
              </select>
            )}
          </Labelled>
          {configField("initial_cash_inr", cashValue > 0 ? `${formatINR(cashValue, 0)} on the first bar.` : undefined)}
          {configField("sizing")}
          {configField("size", sizeHint)}
          {sizing === "volatility_target" && (
            <div className="grid grid-cols-2 gap-2">{configField("atr_period")}{configField("atr_multiple")}</div>
          )}
          {configField("fractional")}
        </Section>
      </div>

      {costs === CUSTOM_COSTS && (
        <fieldset className="rounded border border-slate-200 p-3 dark:border-slate-800">
          <legend className="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Custom cost rates</legend>
          <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">
            Percentages of each order's turnover; brokerage is min(per order + % of turnover, cap). Undated: the same rates on every day.
          </p>
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 md:grid-cols-4">
            {(Object.keys(COST_FIELDS) as (keyof typeof COST_FIELDS)[]).map((name) => (
              <FieldInput key={name} spec={COST_FIELDS[name]} value={form.costs[name] ?? ""}
                error={errors[`config.costs.${name}`]}
                onChange={(v) => update({ costs: { ...form.costs, [name]: v } })} />
            ))}
          </div>
        </fieldset>
      )}

      <details open={moreOpen || moreErrors} onToggle={(e) => setMoreOpen((e.currentTarget as HTMLDetailsElement).open)}
        className="rounded border border-slate-200 dark:border-slate-800">
        <summary className="cursor-pointer px-3 py-2 text-sm font-medium">
          More settings: fills, slippage, stops, pyramiding, annualising
          {moreSet > 0 && <span className="ml-2 text-xs font-normal text-sky-700 dark:text-sky-400">{moreSet} changed</span>}
        </summary>
        <div className="grid gap-4 px-3 pb-3 md:grid-cols-3">
          {MORE_GROUPS.map(({ group, title }) => (
            <Section key={group} title={title}>
              {(Object.keys(CONFIG_FIELDS) as (keyof typeof CONFIG_FIELDS)[])
                .filter((n) => CONFIG_FIELDS[n].group === group)
                .filter((n) => n !== "square_off_ist" || intraday || form.config[n])
                .map((n) => configField(n))}
            </Section>
          ))}
        </div>
      </details>

      <SpecEditor text={specState.text} edited={specState.edited} jsonError={specState.jsonError}
        apiError={specState.edited ? errors.strategy : undefined}
        onChange={specState.onChange} onReset={specState.onReset}
        open={specOpen || specHasError} onToggle={setSpecOpen} />

      {canRun && (
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={running}>Run backtest</Button>
          {running && <Spinner label={runLabel} />}
        </div>
      )}
      {runError !== null && runError !== undefined && <ErrorBox error={runError}
        hint={fieldsMarked ? "The field it is about is marked above: change it and run again."
          : "Change the setup (dates, symbols, settings) and run again."} />}
    </form>
  );
}
