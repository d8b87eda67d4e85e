import { describe, expect, it } from "vitest";
import {
  formatAgo, formatCount, formatDateIST, formatDateTimeIST, formatINR, formatINRCompact,
  formatNumber, formatPct, formatTimeIST, istDay,
} from "./format";

/** Indian grouping written from its definition: the last three digits, then pairs. */
function indianGrouping(integer: string): string {
  if (integer.length <= 3) return integer;
  const head = integer.slice(0, -3);
  const pairs = head.replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${pairs},${integer.slice(-3)}`;
}

describe("Indian number grouping", () => {
  it("groups lakhs and crores", () => {
    expect(formatINR(1234567.89)).toBe("₹12,34,567.89");
    expect(formatINR(-1200)).toBe("-₹1,200.00");
    expect(formatNumber(123456789.5, 1)).toBe("12,34,56,789.5");
    expect(formatCount(100000)).toBe("1,00,000");
  });

  it("agrees with the definition for many integers", () => {
    for (let digits = 1; digits <= 15; digits += 1) {
      const integer = "9876543210987654".slice(0, digits).replace(/^0+/, "") || "0";
      expect(formatCount(Number(integer))).toBe(indianGrouping(integer));
    }
  });

  it("shows a dash for missing or non-finite values", () => {
    for (const v of [null, undefined, NaN, Infinity]) {
      expect(formatINR(v)).toBe("—");
      expect(formatPct(v)).toBe("—");
    }
  });

  it("writes lakh and crore amounts compactly", () => {
    expect(formatINRCompact(12_345_678)).toBe("₹1.23 Cr");
    expect(formatINRCompact(456_000)).toBe("₹4.56 L");
    expect(formatINRCompact(999)).toBe("₹999.00");
  });

  it("signs percentages", () => {
    expect(formatPct(1.254)).toBe("+1.25%");
    expect(formatPct(-0.4)).toBe("-0.40%");
    expect(formatPct(0)).toBe("0.00%");
    expect(formatPct(-0.04, 1)).toBe("0.0%");
    expect(formatPct(0.004)).toBe("0.00%");
  });
});

describe("IST times whatever the browser's zone", () => {
  it("shifts UTC by +05:30", () => {
    // 2024-03-28 10:00 UTC is 15:30 IST, the NSE close
    expect(formatTimeIST("2024-03-28T10:00:00Z")).toBe("15:30");
    expect(formatDateTimeIST("2024-03-28T10:00:00Z")).toMatch(/28 Mar 2024, 15:30 IST/);
  });

  it("takes the IST calendar day across midnight UTC", () => {
    // 20:00 UTC is 01:30 IST the next day
    expect(istDay("2024-03-28T20:00:00Z")).toBe("2024-03-29");
    expect(istDay("2024-03-28T18:29:59Z")).toBe("2024-03-28");
  });

  it("reads a bare date as that calendar day", () => {
    expect(formatDateIST("2021-04-30")).toBe("30 Apr 2021");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");
    expect(formatAgo("2026-12-02T09:59:50Z", now)).toBe("just now");
    expect(formatAgo("2026-12-02T09:55:00Z", now)).toBe("5 min ago");
    expect(formatAgo("2026-12-02T07:00:00Z", now)).toBe("3 h ago");
  });
});
