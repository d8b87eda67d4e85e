/** Display helpers of the research panels on top of lib/format (Indian grouping, IST days). */
import { formatDateIST, formatNumber, formatPct } from "../../lib/format";

/** A fraction as an unsigned percentage: 0.4 → "40.00%"; null → "—". */
export function fractionPct(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${formatNumber(value * 100, digits)}%`;
}

/** A fraction as a signed percentage: -0.123 → "-12.30%". */
export function signedFractionPct(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return formatPct(value * 100, digits);
}

/** "02 Jan 2020 – 31 Dec 2020"; one end missing shows as "—". */
export function dateRange(start: string | null | undefined, end: string | null | undefined): string {
  return `${formatDateIST(start)} – ${formatDateIST(end)}`;
}

/** A confidence level as traders say it: 0.95 → "95%", 0.975 → "97.5%". */
export function confidenceText(confidence: number): string {
  return `${+(confidence * 100).toFixed(2)}%`;
}
