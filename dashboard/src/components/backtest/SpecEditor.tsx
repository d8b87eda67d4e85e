/**
 * The full strategy spec as JSON. Editing it runs the edited spec instead of the shipped one;
 * the JSON is checked here as it is typed, the spec itself by the API when it runs (its 400
 * message is shown under the editor).
 */
import { useId } from "react";
import { Badge, Button } from "../ui";
import { FieldError } from "./FieldInput";

export function SpecEditor({ text, edited, jsonError, apiError, onChange, onReset, open, onToggle }: {
  text: string;
  edited: boolean;
  jsonError: string | null;
  apiError?: string;
  onChange: (text: string) => void;
  onReset: () => void;
  open: boolean;
  onToggle: (open: boolean) => void;
}) {
  const id = useId();
  return (
    <details open={open} onToggle={(e) => onToggle((e.currentTarget as HTMLDetailsElement).open)}
      className="rounded border border-slate-200 dark:border-slate-800">
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium">
        <span className="mr-2">Strategy spec (JSON)</span>
        <span className="inline-flex flex-wrap gap-1 align-middle">
          {edited && <Badge tone="warn">edited: runs this spec</Badge>}
          {(jsonError || apiError) && <Badge tone="down">has errors</Badge>}
        </span>
      </summary>
      <div className="space-y-2 px-3 pb-3">
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Indicators (<code>fn</code>, <code>params</code> with <code>$param</code> references, <code>source</code>) and
          rules (<code>gt</code>, <code>lt</code>, <code>cross_above</code>, <code>and</code>, <code>or</code>, <code>not</code> …)
          for <code>entry_long</code>, <code>exit_long</code>, <code>entry_short</code>, <code>exit_short</code>.
          An edited spec is stored with the backtest it runs, but not kept in this page's link.
        </p>
        <label htmlFor={id} className="sr-only">Spec as JSON</label>
        <textarea id={id} value={text} onChange={(e) => onChange(e.target.value)} spellCheck={false}
          rows={14} aria-invalid={jsonError || apiError ? true : undefined}
          aria-describedby={`${id}-json ${id}-api`}
          className={`w-full rounded border bg-slate-50 p-2 font-mono text-xs text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:bg-slate-950 dark:text-slate-100 ${
            jsonError || apiError ? "border-rose-500" : "border-slate-300 dark:border-slate-700"}`} />
        <FieldError id={`${id}-json`} error={jsonError ? `JSON: ${jsonError}` : undefined} />
        <FieldError id={`${id}-api`} error={apiError ? `The API refused this spec: ${apiError}` : undefined} />
        {edited && <Button variant="secondary" onClick={onReset}>Back to the shipped spec</Button>}
      </div>
    </details>
  );
}

/** The spec in the editor, or what is wrong with its JSON. */
export function parseSpecText(text: string): { spec: Record<string, unknown> } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== "object" || Array.isArray(value)) return { error: "the spec is a JSON object { … }" };
    return { spec: value as Record<string, unknown> };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
