import { describe, expect, it } from "vitest";
import {
  chartable, defaultPlacement, formatParamValue, isHistogram, outputPlacement, resolveSpec, searchCatalog,
  type IndicatorInfo,
} from "./indicators";

function info(name: string, group: string, outputs: string[], params: IndicatorInfo["params"] = [], inputs = ["close"]): IndicatorInfo {
  return {
    name, group, display_name: name.toUpperCase(), description: `${name} description`, inputs, params, outputs,
    lookback_default: 0, talib: null, streaming: false,
  };
}

const period = (d: number, min = 2): IndicatorInfo["params"][number] =>
  ({ name: "timeperiod", type: "int", default: d, min, max: 100000, description: "bars" });

describe("overlay or pane", () => {
  it("puts TA-Lib's Overlap Studies on the price pane", () => {
    expect(defaultPlacement(info("sma", "overlap", ["sma"]))).toBe("price");
    expect(defaultPlacement(info("bbands", "overlap", ["upperband", "middleband", "lowerband"]))).toBe("price");
  });

  it("puts other price levels there too, and everything else in its own pane", () => {
    expect(defaultPlacement(info("vwap", "volume", ["vwap"]))).toBe("price");
    expect(defaultPlacement(info("ichimoku", "trend", ["tenkan_sen", "kijun_sen"]))).toBe("price");
    expect(defaultPlacement(info("pivot_classic", "support_resistance", ["pivot", "r1"]))).toBe("price");
    expect(defaultPlacement(info("typprice", "price_transform", ["typprice"]))).toBe("price");
    expect(defaultPlacement(info("linearreg", "statistic", ["linearreg"]))).toBe("price");
    expect(defaultPlacement(info("rsi", "momentum", ["rsi"]))).toBe("pane");
    expect(defaultPlacement(info("macd", "momentum", ["macd", "macdsignal", "macdhist"]))).toBe("pane");
    expect(defaultPlacement(info("atr", "volatility", ["atr"]))).toBe("pane");
    expect(defaultPlacement(info("obv", "volume", ["obv"]))).toBe("pane");
    expect(defaultPlacement(info("avgdev", "price_transform", ["avgdev"]))).toBe("pane");
    expect(defaultPlacement(info("cdldoji", "pattern", ["cdldoji"]))).toBe("pane");
  });

  it("sends a non-price output of a price indicator to a pane", () => {
    const st = info("supertrend", "overlap", ["supertrend", "trend"]);
    expect(outputPlacement(st, "supertrend")).toBe("price");
    expect(outputPlacement(st, "trend")).toBe("pane");
    expect(defaultPlacement(st)).toBe("price");
  });

  it("draws histograms for MACD's histogram and candle patterns", () => {
    expect(isHistogram({ group: "momentum" }, "macdhist")).toBe(true);
    expect(isHistogram({ group: "momentum" }, "macd")).toBe(false);
    expect(isHistogram({ group: "pattern" }, "cdldoji")).toBe(true);
  });
});

describe("resolving a spec against the catalogue", () => {
  const bbands = info("bbands", "overlap", ["upperband", "middleband", "lowerband"], [
    period(20),
    { name: "nbdevup", type: "float", default: 2, min: -3e37, max: 3e37, description: "" },
    { name: "nbdevdn", type: "float", default: 2, min: -3e37, max: 3e37, description: "" },
    { name: "matype", type: "int", default: 0, min: 0, max: 13, description: "" },
  ]);
  const catalog = new Map([["bbands", bbands], ["mavp", info("mavp", "overlap", ["mavp"], [], ["close", "periods"])]]);

  it("fills missing params with the defaults and keys the full list", () => {
    const r = resolveSpec({ name: "bbands", params: [20] }, catalog);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.indicator.key).toBe("bbands:20:2:2:0");
    expect(r.indicator.params).toEqual({ timeperiod: 20, nbdevup: 2, nbdevdn: 2, matype: 0 });
    expect(r.indicator.label).toBe("BBANDS(20, 2, 2, 0)");
  });

  it("says what is wrong with a bad spec", () => {
    const bad = (params: number[]) => resolveSpec({ name: "bbands", params }, catalog);
    expect(bad([1])).toMatchObject({ ok: false, error: expect.stringContaining("between 2 and 1,00,000") });
    expect(bad([20.5])).toMatchObject({ ok: false, error: expect.stringContaining("whole number") });
    expect(bad([20, 2, 2, 0, 9])).toMatchObject({ ok: false, error: expect.stringContaining("takes 4") });
    expect(resolveSpec({ name: "nope", params: [] }, catalog)).toMatchObject({ ok: false, key: "nope" });
    expect(resolveSpec({ name: "mavp", params: [] }, catalog)).toMatchObject({ ok: false });
  });
});

describe("searching the catalogue", () => {
  const list = [
    info("rsi", "momentum", ["rsi"], [period(14)]),
    info("stochrsi", "momentum", ["fastk", "fastd"]),
    info("sma", "overlap", ["sma"]),
    info("mavp", "overlap", ["mavp"], [], ["close", "periods"]),
  ];

  it("matches every word in name, title, description or group, grouped with overlaps first", () => {
    expect(searchCatalog(list, "rsi").map(([g, l]) => [g, l.map((i) => i.name)])).toEqual([["momentum", ["rsi", "stochrsi"]]]);
    expect(searchCatalog(list, "").map(([g]) => g)).toEqual(["overlap", "momentum"]);
    expect(searchCatalog(list, "overlap sma")[0][1].map((i) => i.name)).toEqual(["sma"]);
  });

  it("leaves out indicators a stored symbol cannot feed", () => {
    expect(chartable(list[3])).toBe(false);
    expect(searchCatalog(list, "mavp")).toEqual([]);
  });
});

describe("parameter bounds for people", () => {
  it("groups the Indian way with the decimals the value has", () => {
    expect(formatParamValue(100000)).toBe("1,00,000");
    expect(formatParamValue(2)).toBe("2");
    expect(formatParamValue(-1)).toBe("-1");
    expect(formatParamValue(0.85)).toBe("0.85");
    expect(formatParamValue(0.0001)).toBe("0.0001");
    expect(formatParamValue(12345.5)).toBe("12,345.5");
  });
});
