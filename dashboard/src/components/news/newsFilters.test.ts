import { describe, expect, it } from "vitest";
import { hasFilters, newsQuery, readFilters, sinceTime, sourcePattern, withFilter } from "./newsFilters";

describe("news filters in the URL", () => {
  it("reads known filters, upper-cases the symbol and drops unknown values", () => {
    const f = readFilters(new URLSearchParams("symbol=infy&sentiment=bullish&source=Mint&q=rate%20cut&since=7d&x=1"));
    expect(f).toEqual({ symbol: "INFY", sentiment: "", source: "Mint", q: "rate cut", since: "7d" });
    expect(hasFilters(f)).toBe(true);
    expect(hasFilters(readFilters(new URLSearchParams("since=1y")))).toBe(false);
  });

  it("sets and removes one filter, keeping the others", () => {
    const p = withFilter(new URLSearchParams("q=hdfc&tab=1"), "symbol", " tcs ");
    expect(p.toString()).toBe("q=hdfc&tab=1&symbol=TCS");
    expect(withFilter(p, "q", "  ").toString()).toBe("tab=1&symbol=TCS");
  });

  it("matches publishers by substring, the user's wildcards literally", () => {
    expect(sourcePattern("Economic")).toBe("%Economic%");
    expect(sourcePattern("50%_off\\")).toBe("%50\\%\\_off\\\\%");
  });

  it("builds the API query, leaving unset filters out", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");
    expect(sinceTime("24h", now)).toBe("2026-12-01T10:00:00.000Z");
    expect(sinceTime("", now)).toBeUndefined();
    const q = newsQuery(readFilters(new URLSearchParams("sentiment=negative")), 25, 25, now);
    expect(q).toEqual({ symbol: undefined, sentiment: "negative", source: undefined, q: undefined,
      since: undefined, limit: 25, offset: 25 });
  });
});
