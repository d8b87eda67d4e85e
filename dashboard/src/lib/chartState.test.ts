import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_STATE, LIVE_REFRESH_MS, addDays, fetchWindow, firstOnOrAfter, liveRefetchInterval, msUntilSessionOpens,
  nseSessionOpen, parseChartState, parseSpec, rangesFor, serialiseChartState, specKey, visibleBars, type ChartState,
} from "./chartState";

describe("chart URL state", () => {
  it("has sensible defaults and an empty query for them", () => {
    expect(parseChartState("")).toEqual(DEFAULT_STATE);
    expect(serialiseChartState(DEFAULT_STATE)).toBe("");
  });

  it("round-trips every field", () => {
    const state: ChartState = {
      range: "5Y", interval: "1d", adjust: "none",
      overlays: [{ name: "sma", params: [50] }, { name: "bbands", params: [20, 2, 2, 0] }],
      oscillators: [{ name: "rsi", params: [14] }, { name: "macd", params: [12, 26, 9] }, { name: "bop", params: [] }],
      at: "2020-03-23", alert: 42,
    };
    const text = serialiseChartState(state);
    expect(text).toBe("range=5Y&adjust=none&ov=sma:50,bbands:20:2:2:0&osc=rsi:14,macd:12:26:9,bop&at=2020-03-23&alert=42");
    expect(parseChartState(text)).toEqual(state);
  });

  it("reads a URL whose : and , were percent-encoded (URLSearchParams.toString does that)", () => {
    const q = new URLSearchParams();
    q.set("ov", "bbands:20:2:2:0,sma:50");
    expect(q.toString()).toContain("%3A");
    expect(parseChartState(q).overlays).toEqual([{ name: "bbands", params: [20, 2, 2, 0] }, { name: "sma", params: [50] }]);
  });

  it("keeps floats, negatives and exponents exact (a + must not become a space)", () => {
    const state: ChartState = { ...DEFAULT_STATE, overlays: [{ name: "alma", params: [9, 0.85, 6] }, { name: "x", params: [-1.5, 3e37] }] };
    const text = serialiseChartState(state);
    expect(text).toBe("ov=alma:9:0.85:6,x:-1.5:3e%2B37");
    expect(parseChartState(text).overlays).toEqual(state.overlays);
  });

  it("drops malformed and repeated indicators, and one listed on both sides stays on price", () => {
    const s = parseChartState("ov=sma:20,SMA:20,sma:abc,:5,bad name,rsi:&osc=rsi:14,sma:20");
    expect(s.overlays).toEqual([{ name: "sma", params: [20] }]);
    expect(s.oscillators).toEqual([{ name: "rsi", params: [14] }]);
  });

  it("falls back to defaults for unknown values", () => {
    const s = parseChartState("range=2W&interval=7m&adjust=weird&at=2021-02-30&alert=-3");
    expect(s).toEqual(DEFAULT_STATE);
  });

  it("defaults intraday charts to five sessions and refuses ranges with too many bars", () => {
    expect(parseChartState("interval=5m").range).toBe("5D");
    expect(serialiseChartState(parseChartState("interval=5m"))).toBe("interval=5m");
    expect(parseChartState("interval=1m&range=1Y").range).toBe("5D");
    expect(parseChartState("interval=5m&range=6M").range).toBe("6M");
    expect(parseChartState("range=1D").range).toBe("1Y"); // 1D is for intraday only
  });

  it("offers ranges that fit in the bar budget", () => {
    expect(rangesFor("1d")).toEqual(["1M", "6M", "1Y", "5Y", "All"]);
    expect(rangesFor("1m")).toEqual(["1D", "5D", "1M"]);
    expect(rangesFor("5m")).toEqual(["1D", "5D", "1M", "6M"]);
    expect(rangesFor("1h")).toEqual(["1D", "5D", "1M", "6M", "1Y", "5Y", "All"]);
  });

  it("parses one spec and keys it", () => {
    expect(parseSpec("bbands:20:2")).toEqual({ name: "bbands", params: [20, 2] });
    expect(parseSpec("bbands:20:")).toBeNull();
    expect(specKey({ name: "bbands", params: [20, 2, 2, 0] })).toBe("bbands:20:2:2:0");
    expect(specKey({ name: "bop", params: [] })).toBe("bop");
  });
});

describe("fetch window and visible bars", () => {
  const none = { dailyLastDay: null, intradayLastDay: null, fullHistory: false };

  it("fetches a daily window back from the remembered last bar, else everything", () => {
    const daily = { interval: "1d" as const, range: "1Y" as const, at: null };
    expect(fetchWindow(daily, none)).toEqual({ start: null, end: null });
    expect(fetchWindow(daily, { ...none, dailyLastDay: "2021-04-30" })).toEqual({ start: addDays("2021-04-30", -2400), end: null });
    expect(fetchWindow({ ...daily, range: "All" }, { ...none, dailyLastDay: "2021-04-30" })).toEqual({ start: null, end: null });
    expect(fetchWindow(daily, { ...none, dailyLastDay: "2021-04-30", fullHistory: true })).toEqual({ start: null, end: null });
    // `at` before the window: everything
    expect(fetchWindow({ ...daily, at: "2005-01-03" }, { ...none, dailyLastDay: "2021-04-30" })).toEqual({ start: null, end: null });
    expect(fetchWindow({ ...daily, at: "2020-01-03" }, { ...none, dailyLastDay: "2021-04-30" }).start).not.toBeNull();
  });

  it("fetches an intraday range ending on the last session or centred on `at`", () => {
    expect(fetchWindow({ interval: "5m", range: "5D", at: null }, { ...none, intradayLastDay: "2024-06-28" })).toEqual({ start: "2024-06-22", end: "2024-06-28" });
    expect(fetchWindow({ interval: "5m", range: "1D", at: "2024-01-05" }, none)).toEqual({ start: "2024-01-05", end: "2024-01-05" });
    expect(fetchWindow({ interval: "5m", range: "1M", at: "2024-01-31" }, none)).toEqual({ start: "2024-01-16", end: "2024-02-15" });
    expect(fetchWindow({ interval: "1h", range: "All", at: null }, none)).toEqual({ start: null, end: null });
  });

  const days = Array.from({ length: 400 }, (_, i) => addDays("2020-01-01", i));

  it("shows the range back from the last bar", () => {
    expect(visibleBars(days, "1M", null)).toEqual({ from: 399 - 30, to: 399 });
    expect(visibleBars(days, "All", null)).toBeNull();
  });

  it("centres on `at`", () => {
    const at = days[200];
    expect(visibleBars(days, "1M", at)).toEqual({ from: 185, to: 215 });
  });

  it("widens a tiny view to ten bars", () => {
    const v = visibleBars(days, "1D", days[100])!;
    expect(v.to - v.from + 1).toBeGreaterThanOrEqual(10);
    expect(v.from).toBeLessThanOrEqual(100);
    expect(v.to).toBeGreaterThanOrEqual(100);
  });

  it("ignores an `at` with no bar near it", () => {
    expect(visibleBars(days, "1M", "2030-01-01")).toEqual(visibleBars(days, "1M", null));
    expect(visibleBars(days, "1M", "2001-01-01")).toEqual(visibleBars(days, "1M", null));
  });
});

describe("firstOnOrAfter", () => {
  const days = ["2024-06-24", "2024-06-25", "2024-06-27"];
  it("finds the first day on or after the one asked for", () => {
    expect(firstOnOrAfter(days, "2024-06-01")).toBe(0);
    expect(firstOnOrAfter(days, "2024-06-25")).toBe(1);
    expect(firstOnOrAfter(days, "2024-06-26")).toBe(2);
    expect(firstOnOrAfter(days, "2024-06-28")).toBe(3);
    expect(firstOnOrAfter([], "2024-06-28")).toBe(0);
  });
});

describe("the NSE session, in IST", () => {
  const at = (ist: string) => Date.parse(`${ist}+05:30`);
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ; else process.env.TZ = zone;
  });

  it("is open 09:15 to 15:30 IST, Monday to Friday", () => {
    expect(nseSessionOpen(at("2024-06-24T09:14:59"))).toBe(false); // Monday, before the open
    expect(nseSessionOpen(at("2024-06-24T09:15:00"))).toBe(true);
    expect(nseSessionOpen(at("2024-06-26T12:00:00"))).toBe(true); // Wednesday
    expect(nseSessionOpen(at("2024-06-28T15:29:59"))).toBe(true); // Friday
    expect(nseSessionOpen(at("2024-06-28T15:30:00"))).toBe(false); // the close
    expect(nseSessionOpen(at("2024-06-29T11:00:00"))).toBe(false); // Saturday
    expect(nseSessionOpen(at("2024-06-30T11:00:00"))).toBe(false); // Sunday
  });

  it("does not depend on the browser's time zone", () => {
    process.env.TZ = "America/Los_Angeles";
    const mondayMorning = at("2024-06-24T09:30:00"); // Sunday 21:00 in Los Angeles, 04:00 UTC
    expect(new Date(mondayMorning).getDay()).toBe(0);
    expect(nseSessionOpen(mondayMorning)).toBe(true);
    const fridayEvening = at("2024-06-28T20:00:00"); // 14:30 UTC: it would look open if read in UTC
    expect(nseSessionOpen(fridayEvening)).toBe(false);
    process.env.TZ = "Pacific/Kiritimati"; // UTC+14: already the next day
    expect(nseSessionOpen(at("2024-06-28T10:00:00"))).toBe(true); // Saturday 06:30 there, Friday in IST
  });

  it("knows how long until the next open", () => {
    const min = 60_000;
    const hour = 60 * min;
    expect(msUntilSessionOpens(at("2024-06-24T10:00:00"))).toBe(0);
    expect(msUntilSessionOpens(at("2024-06-24T08:00:00"))).toBe(hour + 15 * min); // Monday, before the open
    expect(msUntilSessionOpens(at("2024-06-24T16:00:00"))).toBe(17 * hour + 15 * min); // → Tuesday 09:15
    expect(msUntilSessionOpens(at("2024-06-28T15:30:00"))).toBe(65 * hour + 45 * min); // Friday close → Monday
    expect(msUntilSessionOpens(at("2024-06-29T10:00:00"))).toBe(47 * hour + 15 * min); // Saturday → Monday
    expect(msUntilSessionOpens(at("2024-06-30T23:59:00"))).toBe(9 * hour + 16 * min); // Sunday night → Monday
  });

  it("refreshes every minute while open, else wakes up just after the next open", () => {
    expect(liveRefetchInterval(at("2024-06-24T11:00:00"))).toBe(LIVE_REFRESH_MS);
    const early = liveRefetchInterval(at("2024-06-24T09:00:00"));
    expect(early).toBeGreaterThan(15 * 60_000);
    expect(nseSessionOpen(at("2024-06-24T09:00:00") + early)).toBe(true);
    const weekend = liveRefetchInterval(at("2024-06-29T10:00:00"));
    expect(nseSessionOpen(at("2024-06-29T10:00:00") + weekend)).toBe(true);
    expect(weekend).toBeLessThan(2 ** 31 - 1); // a timer can hold it
  });
});
