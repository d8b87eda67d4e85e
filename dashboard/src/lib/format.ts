/**
 * Formatting for an Indian trader: rupees and counts in Indian digit grouping
 * (₹12,34,567.89), percentages with a sign, and every time in IST whatever the
 * browser's own time zone is.
 */

export const IST = "Asia/Kolkata";

const grouping = new Map<string, Intl.NumberFormat>();

function indian(digits: number): Intl.NumberFormat {
  const key = String(digits);
  let fmt = grouping.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat("en-IN", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    grouping.set(key, fmt);
  }
  return fmt;
}

/** A number in Indian grouping ("12,34,567.89"); an em dash for missing values. */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return indian(digits).format(value);
}

/** Rupees: "₹12,34,567.89", "-₹1,200.00". */
export function formatINR(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const sign = value < 0 ? "-" : "";
  return `${sign}₹${indian(digits).format(Math.abs(value))}`;
}

/** Large rupee amounts in lakh and crore ("₹1.23 Cr", "₹45.60 L"), as Indian screens show them. */
export function formatINRCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  if (abs >= 1e7) return `${sign}₹${indian(2).format(abs / 1e7)} Cr`;
  if (abs >= 1e5) return `${sign}₹${indian(2).format(abs / 1e5)} L`;
  return formatINR(value);
}

/** Counts in lakh and crore ("12.35 L", "1,234.57 Cr"), as volumes are read in India. */
export function formatCountCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  if (abs >= 1e7) return `${sign}${indian(2).format(abs / 1e7)} Cr`;
  if (abs >= 1e5) return `${sign}${indian(2).format(abs / 1e5)} L`;
  return `${sign}${indian(0).format(abs)}`;
}

/** Share volumes and counts without decimals, Indian grouping. */
export function formatCount(value: number | null | undefined): string {
  return formatNumber(value, 0);
}

/** A percentage with its sign: "+1.25%", "-0.40%", "0.00%". */
export function formatPct(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const shown = indian(digits).format(Math.abs(value));
  // the sign of what is shown: -0.004 at two digits is "0.00%", not "-0.00%"
  const zero = Number(shown.replace(/,/g, "")) === 0;
  const sign = zero ? "" : value > 0 ? "+" : "-";
  return `${sign}${shown}%`;
}

const istDateTime = new Intl.DateTimeFormat("en-IN", {
  timeZone: IST, day: "2-digit", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit", hour12: false,
});
const istDate = new Intl.DateTimeFormat("en-IN", {
  timeZone: IST, day: "2-digit", month: "short", year: "numeric",
});
const istTime = new Intl.DateTimeFormat("en-IN", {
  timeZone: IST, hour: "2-digit", minute: "2-digit", hour12: false,
});

function toDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "02 Dec 2026, 15:30 IST". */
export function formatDateTimeIST(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const d = toDate(value);
  return Number.isNaN(d.getTime()) ? "—" : `${istDateTime.format(d)} IST`;
}

/** "02 Dec 2026" (the IST calendar day). A bare "YYYY-MM-DD" is taken as that day. */
export function formatDateIST(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const d = typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T12:00:00+05:30`) : toDate(value);
  return Number.isNaN(d.getTime()) ? "—" : istDate.format(d);
}

/** "15:30" in IST. */
export function formatTimeIST(value: string | number | Date): string {
  return istTime.format(toDate(value));
}

const IST_OFFSET_MS = 330 * 60_000; // IST is UTC+05:30 all year (no daylight saving)

/** "YYYY-MM-DD" of the IST day a moment falls on (cheap: called per alert per render). */
export function istDay(value: string | number | Date): string {
  const ms = toDate(value).getTime();
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 10);
}

/** How long ago, for live lists: "just now", "5 min ago", "3 h ago", else the IST date. */
export function formatAgo(value: string | number | Date, now: number = Date.now()): string {
  const seconds = Math.round((now - toDate(value).getTime()) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return formatDateIST(value);
}

/** Tailwind text colour for a signed change. */
export function changeClass(value: number | null | undefined): string {
  if (value === null || value === undefined || value === 0 || !Number.isFinite(value)) {
    return "text-slate-500 dark:text-slate-400";
  }
  return value > 0 ? "text-emerald-600 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400";
}
