import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { parseRuleText } from "../components/rules/RuleEditor";
import { sortRows } from "./Screener";

const row = (symbol: string, matched: boolean, close: number, rsi: number | null) =>
  ({ symbol, date: "2021-04-30", close, change_pct: null, matched, values: { rsi } }) as Schemas["ScreenRow"];

describe("sortRows", () => {
  const rows = [row("TCS", false, 3000, 40), row("INFY", true, 1400, null), row("ITC", true, 200, 30)];
  it("sorts by a value column with missing values last both ways", () => {
    expect(sortRows(rows, "value:rsi", true).map((r) => r.symbol)).toEqual(["ITC", "TCS", "INFY"]);
    expect(sortRows(rows, "value:rsi", false).map((r) => r.symbol)).toEqual(["TCS", "ITC", "INFY"]);
  });
  it("sorts by symbol, close and match", () => {
    expect(sortRows(rows, "symbol", true).map((r) => r.symbol)).toEqual(["INFY", "ITC", "TCS"]);
    expect(sortRows(rows, "close", false).map((r) => r.symbol)).toEqual(["TCS", "INFY", "ITC"]);
    expect(sortRows(rows, "matched", false).map((r) => r.matched)).toEqual([true, true, false]);
  });
});

describe("parseRuleText", () => {
  it("says what is wrong before asking the API", () => {
    expect(parseRuleText("{")).toHaveProperty("error");
    expect(parseRuleText("[1]")).toEqual({ error: "The rule must be a JSON object with indicators and condition." });
    expect(parseRuleText('{"indicators": {}}')).toEqual({ error: "The rule needs a condition." });
    expect(parseRuleText('{"condition": {"op": "gt", "left": "close", "right": 1}}')).toHaveProperty("rule");
  });
});
