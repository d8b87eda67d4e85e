/**
 * Showing a field of an API object whose meaning is known only from its name: times in IST,
 * `_s` durations, `_ms` latencies, counts in Indian grouping. Lets a table show a field the
 * gateway has just gained without a code change.
 */
import { formatAgo, formatCount, formatDateTimeIST, formatNumber } from "../../lib/format";

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * "last_fetched_at" → "Last fetched at", "poll_interval_s" → "Poll interval (s)"; without
 * the unit when the value is shown with its own ("5 min", "8.0 ms").
 */
export function humanize(key: string, withUnit = true): string {
  const unit = /_(s|ms)$/.exec(key)?.[1];
  const words = (unit ? key.slice(0, -unit.length - 1) : key).replace(/_/g, " ").trim();
  const text = words === "db" ? "Database" : words.charAt(0).toUpperCase() + words.slice(1);
  return unit && withUnit ? `${text} (${unit})` : text;
}

/** "45 s", "5 min", "1 h 30 min", "2 d 3 h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const parts: [number, string][] = [
    [Math.floor(s / 86400), "d"], [Math.floor(s / 3600) % 24, "h"],
    [Math.floor(s / 60) % 60, "min"], [s % 60, "s"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts.slice(first, first + 2).filter(([n]) => n > 0)
    .map(([n, unit]) => `${formatCount(n)} ${unit}`).join(" ");
}

export function isTimeField(key: string, value: unknown): value is string {
  return typeof value === "string" && (key.endsWith("_at") || ISO_TIME.test(value));
}

/** The text of a field value (a time also gets "x min ago" as its title). */
export function FieldValue({ name, value, now }: { name: string; value: unknown; now?: number }) {
  if (value === null || value === undefined || value === "") {
    return <span className="text-slate-400 dark:text-slate-500">—</span>;
  }
  if (typeof value === "boolean") return <>{value ? "Yes" : "No"}</>;
  if (isTimeField(name, value)) {
    return <time dateTime={value} title={formatAgo(value, now)}>{formatDateTimeIST(value)}</time>;
  }
  if (typeof value === "number") {
    if (name.endsWith("_ms")) return <>{formatNumber(value, 1)} ms</>;
    if (name.endsWith("_s")) return <span title={`${formatNumber(value, 0)} s`}>{formatDuration(value)}</span>;
    return <>{Number.isInteger(value) ? formatCount(value) : formatNumber(value, 2)}</>;
  }
  if (typeof value === "string") return <>{value}</>;
  if (Array.isArray(value)) return <>{value.map(String).join(", ")}</>;
  return <code className="text-xs">{JSON.stringify(value)}</code>;
}

/** `{db: {status: "ok"}}` → `[["db.status", "ok"]]`, for showing a free-form object as a list. */
export function flatten(value: Record<string, unknown>, prefix = ""): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]): [string, unknown][] =>
    v && typeof v === "object" && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, v]]);
}
