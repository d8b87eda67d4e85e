import { describe, expect, it } from "vitest";
import { CANDLE_GROUP, NO_FILTER, isMuted, matches, mergeAlerts, type Alert } from "./alerts";

function alert(id: number, over: Partial<Alert> = {}): Alert {
  return {
    id, created_at: "2026-12-02T09:00:00Z", ts: "2021-04-30T10:00:00Z", symbol: "TCS",
    kind: "technical", rule: "rsi_oversold", direction: "bullish", impact: 0.5, confidence: 0.5,
    explanation: "x", sources: null, ...over,
  } as Alert;
}

describe("mergeAlerts", () => {
  it("keeps newest first and drops ids already shown", () => {
    const merged = mergeAlerts([alert(5), alert(3)], [alert(4), alert(5), alert(6)]);
    expect(merged.map((a) => a.id)).toEqual([6, 5, 4, 3]);
  });

  it("returns the same list when nothing is new (no re-render)", () => {
    const current = [alert(2)];
    expect(mergeAlerts(current, [alert(2)])).toBe(current);
  });

  it("keeps a bounded number", () => {
    const many = Array.from({ length: 600 }, (_, i) => alert(i + 1));
    const merged = mergeAlerts([], many);
    expect(merged).toHaveLength(500);
    expect(merged[0].id).toBe(600);
    expect(merged.at(-1)!.id).toBe(101);
  });
});

describe("mutes and filters", () => {
  it("mutes one rule or the whole candlestick group", () => {
    const candle = alert(1, { rule: "candle_engulfing_bullish" });
    expect(isMuted(candle, new Set())).toBe(false);
    expect(isMuted(candle, new Set([CANDLE_GROUP]))).toBe(true);
    expect(isMuted(alert(2), new Set([CANDLE_GROUP]))).toBe(false);
    expect(isMuted(alert(2), new Set(["rsi_oversold"]))).toBe(true);
  });

  it("filters by symbol, direction, kind and impact", () => {
    const a = alert(1, { symbol: "INFY", direction: "bearish", kind: "news", impact: 0.6 });
    expect(matches(a, NO_FILTER)).toBe(true);
    expect(matches(a, { ...NO_FILTER, symbol: "infy" })).toBe(true);
    expect(matches(a, { ...NO_FILTER, symbol: "TCS" })).toBe(false);
    expect(matches(a, { ...NO_FILTER, direction: "bullish" })).toBe(false);
    expect(matches(a, { ...NO_FILTER, kind: "news" })).toBe(true);
    expect(matches(a, { ...NO_FILTER, minImpact: 0.7 })).toBe(false);
  });
});
