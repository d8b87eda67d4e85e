/** One form field drawn from its API description (kind, default, bounds), with its error. */
import { useId, type ReactNode } from "react";
import type { FieldSpec } from "../../lib/backtest";
import { inputClass } from "../ui";

export function FieldError({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return <p id={id} role="alert" className="mt-0.5 text-xs text-rose-600 dark:text-rose-400">{error}</p>;
}

function step(spec: FieldSpec): string {
  if (spec.kind === "integer") return "1";
  return "any";
}

export function FieldInput({ spec, value, onChange, error, hint }: {
  spec: FieldSpec;
  /** The input's text ("" = the API's default). */
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const describedBy = [error ? errorId : "", spec.help || hint ? helpId : ""].filter(Boolean).join(" ") || undefined;
  const help = (spec.help || hint) && (
    <p id={helpId} className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{hint ?? spec.help}</p>
  );

  if (spec.kind === "boolean") {
    const checked = value === "" ? Boolean(spec.default) : value === "1";
    return (
      <div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={checked} aria-describedby={describedBy}
            onChange={(e) => onChange(e.target.checked === spec.default ? "" : e.target.checked ? "1" : "0")}
            className="h-4 w-4 rounded border-slate-300 accent-sky-600 dark:border-slate-600" />
          {spec.label}
        </label>
        {help}
        <FieldError id={errorId} error={error} />
      </div>
    );
  }

  const common = {
    id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy,
    className: `mt-1 w-full ${inputClass} ${error ? "ring-1 ring-rose-500" : ""}`,
  };
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-600 dark:text-slate-300">{spec.label}</label>
      {spec.kind === "enum" ? (
        <select {...common} value={value === "" ? String(spec.default) : value}
          onChange={(e) => onChange(e.target.value === spec.default ? "" : e.target.value)}>
          {spec.options?.map((o) => <option key={o} value={o}>{spec.optionText?.[o] ?? o}</option>)}
        </select>
      ) : spec.kind === "time" ? (
        <input {...common} type="time" value={value} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type="number" inputMode="decimal" step={step(spec)} value={value}
          min={spec.min ?? undefined} max={spec.max ?? undefined}
          placeholder={spec.default === null ? "off" : String(spec.default)}
          onChange={(e) => onChange(e.target.value)} />
      )}
      {help}
      <FieldError id={errorId} error={error} />
    </div>
  );
}
