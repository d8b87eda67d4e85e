import { describe, expect, it } from "vitest";
import type { Schemas } from "../../api/client";
import { moved } from "../../pages/Watchlists";
import { sparkPath } from "../Sparkline";
import { newsMood } from "./WatchlistTable";

describe("moved", () => {
  it("moves one item and keeps the rest in order", () => {
    expect(moved(["A", "B", "C", "D"], 0, 2)).toEqual(["B", "C", "A", "D"]);
    expect(moved(["A", "B", "C"], 2, 1)).toEqual(["A", "C", "B"]);
  });
});

describe("sparkPath", () => {
  it("maps the lowest close to the bottom and the highest to the top", () => {
    expect(sparkPath([10, 20, 15], 100, 10)).toBe("M0.0,10.0 L50.0,0.0 L100.0,5.0");
  });
  it("draws a flat line for constant closes and nothing for one point", () => {
    expect(sparkPath([5, 5], 10, 10)).toBe("M0.0,10.0 L10.0,10.0");
    expect(sparkPath([5], 10, 10)).toBe("");
  });
});

describe("newsMood", () => {
  const article = (symbols: string[], score: number | null, at: string) =>
    ({ symbols, sentiment_score: score, published_at: at, fetched_at: at }) as Schemas["Article"];
  it("averages scored headlines per company and keeps the latest time", () => {
    const mood = newsMood([
      article(["TCS", "INFY"], 0.8, "2026-12-01T10:00:00Z"),
      article(["TCS"], -0.2, "2026-12-02T10:00:00Z"),
      article(["TCS"], null, "2026-12-03T10:00:00Z"),
    ]);
    const tcs = mood.get("TCS")!;
    expect(tcs.count).toBe(2);
    expect(tcs.mean).toBeCloseTo(0.3, 12);
    expect(tcs.latest).toBe("2026-12-02T10:00:00Z");
    expect(mood.get("INFY")?.count).toBe(1);
    expect(mood.has("SBIN")).toBe(false);
  });
});

describe("chunks", () => {
  it("splits a 450-symbol list into requests the API accepts, in order", async () => {
    const { chunks, QUOTES_PER_REQUEST } = await import("./WatchlistTable");
    const symbols = Array.from({ length: 450 }, (_, i) => `S${i}`);
    const parts = chunks(symbols, QUOTES_PER_REQUEST);
    expect(parts.map((p) => p.length)).toEqual([200, 200, 50]);
    expect(parts.flat()).toEqual(symbols);
    expect(chunks([], 200)).toEqual([]);
  });
});
