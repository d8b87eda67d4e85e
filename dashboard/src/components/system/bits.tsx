/** Small pieces of the System page: status pills, a two-step confirm, a labelled form field. */
import { cloneElement, useId, useState, type ReactElement, type ReactNode } from "react";
import { errorMessage } from "../../api/client";
import { Button } from "../ui";

const STATUS_STYLE: Record<string, [string, string]> = {
  ok: ["bg-emerald-500", "text-emerald-700 dark:text-emerald-300"],
  not_modified: ["bg-sky-500", "text-sky-700 dark:text-sky-300"],
  down: ["bg-rose-500", "text-rose-700 dark:text-rose-300"],
  error: ["bg-rose-500", "text-rose-700 dark:text-rose-300"],
};
const STATUS_TEXT: Record<string, string> = { ok: "OK", not_modified: "Not modified", down: "Down", error: "Error" };

/** A coloured dot and word for "ok", "down", "error", "not_modified" (unknown words in amber). */
export function StatusPill({ status, label }: { status: string | null | undefined; label?: string }) {
  if (!status) return <span className="text-xs text-slate-500 dark:text-slate-400">{label ?? "Never"}</span>;
  const [dot, text] = STATUS_STYLE[status] ?? ["bg-amber-500", "text-amber-700 dark:text-amber-300"];
  return (
    <span data-status={status} className={`inline-flex items-center gap-1.5 text-xs font-semibold ${text}`}>
      <span aria-hidden className={`h-2 w-2 shrink-0 rounded-full ${dot}`} />
      {label ?? STATUS_TEXT[status] ?? status}
    </span>
  );
}

/** The API's message of a failed mutation, next to the control that failed. */
export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  return <p role="alert" className="mt-1 text-xs text-rose-700 dark:text-rose-300">{errorMessage(error)}</p>;
}

/**
 * A destructive button that asks first, in place: the first press shows the question with
 * "Yes" (focused) and "Cancel". Escape cancels.
 */
export function ConfirmButton({ label, question, yesLabel = "Yes", onConfirm, disabled, busy, ariaLabel }: {
  label: string; question: string; yesLabel?: string; onConfirm: () => void;
  disabled?: boolean; busy?: boolean; ariaLabel?: string;
}) {
  const [asking, setAsking] = useState(false);

  if (!asking) {
    return (
      <Button variant="secondary" className="px-2 py-1 text-xs disabled:opacity-50" disabled={disabled || busy}
        aria-label={ariaLabel} onClick={() => setAsking(true)}>
        {busy ? "Working…" : label}
      </Button>
    );
  }
  return (
    <span role="group" aria-label={question} className="inline-flex flex-wrap items-center gap-1 text-xs"
      onKeyDown={(e) => { if (e.key === "Escape") setAsking(false); }}>
      <span className="text-slate-700 dark:text-slate-200">{question}</span>
      <Button autoFocus variant="danger" className="px-2 py-1 text-xs disabled:opacity-50"
        onClick={() => { setAsking(false); onConfirm(); }}>{yesLabel}</Button>
      <Button variant="secondary" className="px-2 py-1 text-xs disabled:opacity-50" onClick={() => setAsking(false)}>Cancel</Button>
    </span>
  );
}

/** A label above its control; the hint below is the control's description, not part of its name. */
export function Field({ label, hint, children, className = "" }: {
  label: string; hint?: ReactNode; children: ReactElement<{ "aria-describedby"?: string }>; className?: string;
}) {
  const hintId = useId();
  return (
    <div className={`flex flex-col gap-0.5 text-xs text-slate-600 dark:text-slate-400 ${className}`}>
      <label className="flex flex-col gap-0.5">
        {label}
        {hint ? cloneElement(children, { "aria-describedby": hintId }) : children}
      </label>
      {hint && <span id={hintId} className="text-[11px] text-slate-500 dark:text-slate-500">{hint}</span>}
    </div>
  );
}

/** Table cell classes shared by the System tables. */
export const th = "whitespace-nowrap px-2 py-1.5 text-left text-xs font-semibold text-slate-600 dark:text-slate-300";
export const td = "px-2 py-1.5 align-top";
/** Rows keep their width (the wrapper scrolls sideways); an empty table fits the screen instead. */
export const tableClass = (empty = false) => `w-full border-collapse text-sm ${empty ? "" : "min-w-max"}`;
export const rowClass = "border-t border-slate-200 dark:border-slate-800";

/** The one row of an empty table: what is missing and what to do. */
export function EmptyRow({ columns, title, children }: { columns: number; title: string; children: ReactNode }) {
  return (
    <tr className={rowClass}>
      <td colSpan={columns} className="px-3 py-6 text-center text-sm text-slate-500 dark:text-slate-400">
        <p className="font-medium text-slate-700 dark:text-slate-200">{title}</p>
        <p className="mt-1 whitespace-normal">{children}</p>
      </td>
    </tr>
  );
}
