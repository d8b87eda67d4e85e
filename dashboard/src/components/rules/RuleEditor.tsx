/**
 * The rule editor shared by the screener and alert rules: the rule as JSON (the format of
 * `POST /api/signals/rules`), started from an example or any built-in rule, checked locally
 * for JSON syntax and then by the API, whose message is shown under it.
 */
import { useId, useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { inputClass } from "../ui";

export const EXAMPLE_RULE = {
  indicators: {
    rsi: { fn: "rsi", params: { timeperiod: 14 } },
    sma50: { fn: "sma", params: { timeperiod: 50 } },
  },
  condition: {
    op: "and",
    args: [
      { op: "lt", left: "rsi", right: 50 },
      { op: "gt", left: "close", right: "sma50" },
    ],
  },
};

/** The JSON text parsed to an object, or the reason it is not one. */
export function parseRuleText(text: string): { rule: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: "The rule must be a JSON object with indicators and condition." };
  }
  if (!("condition" in value)) return { error: "The rule needs a condition." };
  return { rule: value as Record<string, unknown> };
}

export function RuleEditor({ text, onChange, apiError }: {
  text: string; onChange: (text: string) => void; apiError?: string | null;
}) {
  const id = useId();
  const rules = useQuery({
    queryKey: ["rules"],
    queryFn: ({ signal }) => api.get<Schemas["RuleList"]>("/api/signals/rules", undefined, signal),
    staleTime: 300_000,
  });
  const local = useMemo(() => parseRuleText(text), [text]);
  const starters = useMemo(() => [
    ...(rules.data?.user ?? []).map((r) => ({ label: `yours: ${r.name}`, rule: r.definition })),
    ...(rules.data?.builtin ?? []).filter((r) => !r.name.startsWith("candle_")).map((r) => ({ label: r.name, rule: r })),
  ], [rules.data]);

  function start(label: string) {
    if (label === "example") return onChange(JSON.stringify(EXAMPLE_RULE, null, 2));
    const found = starters.find((s) => s.label === label);
    if (!found) return;
    const { indicators, condition, params } = found.rule as Record<string, unknown>;
    onChange(JSON.stringify({ params, indicators, condition }, null, 2));
  }

  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <label htmlFor={id} className="font-medium">Rule (JSON)</label>
        <select aria-label="Start from" className={inputClass} value="" onChange={(e) => start(e.target.value)}>
          <option value="">Start from…</option>
          <option value="example">RSI(14) below 50, close above SMA(50)</option>
          {starters.map((s) => <option key={s.label} value={s.label}>{s.label}</option>)}
        </select>
        <a href="/docs#/signals" className="text-xs text-sky-700 hover:underline dark:text-sky-400" target="_blank" rel="noreferrer">
          rule language reference
        </a>
      </div>
      <textarea id={id} value={text} onChange={(e) => onChange(e.target.value)} spellCheck={false} rows={12}
        aria-invalid={"error" in local || Boolean(apiError)}
        className={`w-full font-mono text-xs ${inputClass}`} />
      {"error" in local && <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">{local.error}</p>}
      {!("error" in local) && apiError && (
        <p role="alert" data-testid="rule-error" className="text-sm text-rose-600 dark:text-rose-400">{apiError}</p>
      )}
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Series: open, high, low, close, volume, your indicator ids (outputs as <code>macd.macdsignal</code>),
        bar.change_pct, candle.&lt;pattern&gt;, news.bullish_2d …; operators gt/ge/lt/le, cross_above/cross_below, and/or/not.
      </p>
    </div>
  );
}
