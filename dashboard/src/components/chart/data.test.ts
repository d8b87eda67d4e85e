import { describe, expect, it } from "vitest";
import { formatCountCompact } from "../../lib/format";
import {
  lastValue, timeKey, toBarSet, toHistogramData, toLineData, toTime, toVolumeData, tsDay, type Ohlcv,
} from "./data";

function ohlcv(ts: string[], interval = "1d"): Ohlcv {
  const n = ts.length;
  return {
    symbol: "TCS", interval, adjust: "split", count: n, ts,
    open: ts.map((_, i) => 100 + i), high: ts.map((_, i) => 110 + i), low: ts.map((_, i) => 90 + i),
    close: ts.map((_, i) => (i % 2 ? 99 + i : 105 + i)), volume: ts.map((_, i) => 1000 * (i + 1)),
    actions: [], warnings: [],
  };
}

describe("bars", () => {
  it("keeps a daily bar's ISO day as its time", () => {
    const b = toBarSet(ohlcv(["2021-04-29", "2021-04-30"]));
    expect(b.intraday).toBe(false);
    expect(b.times).toEqual(["2021-04-29", "2021-04-30"]);
    expect(b.candles[1]).toEqual({ time: "2021-04-30", open: 101, high: 111, low: 91, close: 100 });
    expect(b.index.get("2021-04-30")).toBe(1);
  });

  it("turns intraday IST stamps into UTC seconds and keeps their IST day", () => {
    const b = toBarSet(ohlcv(["2024-06-28T09:15:00+05:30", "2024-06-28T15:25:00+05:30"], "5m"));
    expect(b.intraday).toBe(true);
    expect(b.times[0]).toBe(Date.UTC(2024, 5, 28, 3, 45) / 1000);
    expect(b.days).toEqual(["2024-06-28", "2024-06-28"]);
    expect(b.index.get(String(b.times[1]))).toBe(1);
  });

  it("finds the IST day of a UTC stamp", () => {
    expect(tsDay("2024-06-27T20:00:00Z")).toBe("2024-06-28"); // 01:30 IST next day
    expect(tsDay("2024-06-28")).toBe("2024-06-28");
  });

  it("keys every form of chart time the same way", () => {
    expect(timeKey("2021-04-30")).toBe("2021-04-30");
    expect(timeKey({ year: 2021, month: 4, day: 3 })).toBe("2021-04-03");
    expect(timeKey(toTime("2024-06-28T09:15:00+05:30", true))).toBe(String(Date.UTC(2024, 5, 28, 3, 45) / 1000));
  });
});

describe("indicator outputs", () => {
  const ts = ["2021-04-26", "2021-04-27", "2021-04-28", "2021-04-29"];

  it("makes warm-up nulls and NaN whitespace, not zeros", () => {
    const rows = toLineData(ts, [null, Number.NaN, 0, 12.5], false);
    expect(rows).toEqual([
      { time: "2021-04-26" }, { time: "2021-04-27" }, { time: "2021-04-28", value: 0 }, { time: "2021-04-29", value: 12.5 },
    ]);
  });

  it("colours histogram columns by sign and skips gaps", () => {
    const rows = toHistogramData(ts, [null, -1, 0, 2], false, "up", "down");
    expect(rows).toEqual([
      { time: "2021-04-26" }, { time: "2021-04-27", value: -1, color: "down" },
      { time: "2021-04-28", value: 0, color: "up" }, { time: "2021-04-29", value: 2, color: "up" },
    ]);
  });

  it("finds the last real value", () => {
    expect(lastValue([1, 2, null])).toBe(2);
    expect(lastValue([null, null])).toBeNull();
  });
});

describe("volume", () => {
  it("tints each column by its candle's direction in the colours given (the theme's)", () => {
    const b = toBarSet(ohlcv(["2021-04-29", "2021-04-30"]));
    expect(toVolumeData(b, "up", "down")).toEqual([
      { time: "2021-04-29", value: 1000, color: "up" }, // close 105 ≥ open 100
      { time: "2021-04-30", value: 2000, color: "down" }, // close 100 < open 101
    ]);
  });

  it("is shown in lakh and crore with Indian grouping", () => {
    expect(formatCountCompact(0)).toBe("0");
    expect(formatCountCompact(99_999)).toBe("99,999");
    expect(formatCountCompact(1_234_567)).toBe("12.35 L");
    expect(formatCountCompact(123_456_789)).toBe("12.35 Cr");
    expect(formatCountCompact(12_345_678_900)).toBe("1,234.57 Cr");
    expect(formatCountCompact(-250_000)).toBe("-2.50 L");
    expect(formatCountCompact(null)).toBe("—");
    expect(formatCountCompact(Number.NaN)).toBe("—");
  });
});
