import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "@testing-library/react";
import { FieldValue, flatten, formatDuration, humanize } from "./fields";

afterEach(cleanup);

describe("showing a field from its name", () => {
  it("labels a field from its name", () => {
    expect(humanize("last_fetched_at")).toBe("Last fetched at");
    expect(humanize("poll_interval_s")).toBe("Poll interval (s)");
    expect(humanize("latency_ms", false)).toBe("Latency");
    expect(humanize("db")).toBe("Database");
  });

  it("writes durations with two units at most", () => {
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(300)).toBe("5 min");
    expect(formatDuration(5400)).toBe("1 h 30 min");
    expect(formatDuration(3 * 86400 + 7200 + 5)).toBe("3 d 2 h");
    expect(formatDuration(null)).toBe("—");
  });

  it("formats counts in Indian grouping, times in IST, missing values as a dash", () => {
    const text = (name: string, value: unknown) => render(<FieldValue name={name} value={value} />).container.textContent;
    expect(text("article_count", 1234567)).toBe("12,34,567");
    expect(text("last_fetched_at", "2026-12-02T14:47:15Z")).toBe("02 Dec 2026, 20:17 IST");
    expect(text("latency_ms", 8.04)).toBe("8.0 ms");
    expect(text("poll_interval_s", 600)).toBe("10 min");
    expect(text("last_error", null)).toBe("—");
    expect(text("enabled", false)).toBe("No");
  });

  it("flattens nested details", () => {
    expect(flatten({ version: "0.1.0", db: { status: "ok", latency_ms: 1.2 } }))
      .toEqual([["version", "0.1.0"], ["db.status", "ok"], ["db.latency_ms", 1.2]]);
  });
});
