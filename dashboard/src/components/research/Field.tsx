/** A labelled form control with its help and its error, wired for screen readers. */
import { useId, type ReactNode } from "react";
import { FieldError } from "../backtest/FieldInput";
import { inputClass } from "../ui";

export interface ControlProps {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  className: string;
}

export function Field({ label, error, help, className = "", children }: {
  label: ReactNode;
  error?: string;
  help?: ReactNode;
  className?: string;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : "", help ? `${id}-help` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`min-w-0 ${className}`}>
      <label htmlFor={id} className="block text-xs font-medium text-slate-600 dark:text-slate-300">{label}</label>
      {children({
        id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy,
        className: `mt-1 w-full ${inputClass} ${error ? "ring-1 ring-rose-500" : ""}`,
      })}
      {help && <p id={`${id}-help`} className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{help}</p>}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** A group of fields under a small heading. */
export function FieldGroup({ title, children, note }: { title: string; children: ReactNode; note?: ReactNode }) {
  return (
    <fieldset className="min-w-0 space-y-3">
      <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</legend>
      {note && <p className="text-xs text-slate-500 dark:text-slate-400">{note}</p>}
      {children}
    </fieldset>
  );
}
