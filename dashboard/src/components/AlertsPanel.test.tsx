import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { AlertsProvider, type Alert } from "../lib/alerts";
import { AlertsPanel } from "./AlertsPanel";

function alert(id: number, over: Partial<Alert> = {}): Alert {
  return {
    id, created_at: new Date().toISOString(), ts: "2021-04-30T10:00:00Z", symbol: "TCS",
    kind: "technical", rule: "rsi_oversold", direction: "bullish", impact: 0.5,
    confidence: 0.5, explanation: `alert number ${id}`, sources: null, ...over,
  } as Alert;
}

/** The gateway: one page of stored alerts, then a stream that repeats one of them. */
function gateway(page: Alert[], streamed: Alert[]) {
  const streamRequests: Record<string, string>[] = [];
  vi.stubGlobal("fetch", vi.fn(async (url: string, init?: RequestInit) => {
    if (url.startsWith("/api/alerts/stream")) {
      streamRequests.push((init?.headers ?? {}) as Record<string, string>);
      if (streamRequests.length > 1) return new Promise(() => {});
      const text = streamed.map((a) => `id: ${a.id}\nevent: new_alert\ndata: ${JSON.stringify(a)}\n\n`).join("");
      return new Response(new ReadableStream({
        start(c) { c.enqueue(new TextEncoder().encode(text)); },
      }), { status: 200 });
    }
    return new Response(JSON.stringify({ alerts: page, count: page.length, next_before_id: null }),
      { status: 200, headers: { "Content-Type": "application/json" } });
  }));
  return streamRequests;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

function renderPanel() {
  return render(
    <MemoryRouter>
      <AlertsProvider enabled>
        <AlertsPanel open />
      </AlertsProvider>
    </MemoryRouter>,
  );
}

describe("AlertsPanel", () => {
  it("shows stored then live alerts once each, resuming after the newest stored id", async () => {
    const requests = gateway([alert(2), alert(1)], [alert(2), alert(3, { symbol: "INFY" })]);
    renderPanel();
    await waitFor(() => expect(screen.getAllByTestId("alert-row")).toHaveLength(3));
    const ids = screen.getAllByTestId("alert-row").map((r) => r.dataset.alertId);
    expect(ids).toEqual(["3", "2", "1"]);
    expect(requests[0]["Last-Event-ID"]).toBe("2");
    const link = screen.getAllByRole("link", { name: "INFY" })[0];
    expect(link.getAttribute("href")).toBe("/chart/INFY?at=2021-04-30&alert=3");
  });

  it("mutes the candlestick rules and filters by symbol", async () => {
    gateway([alert(2, { rule: "candle_doji_bearish", direction: "bearish" }), alert(1)], []);
    renderPanel();
    await waitFor(() => expect(screen.getAllByTestId("alert-row")).toHaveLength(2));
    await act(async () => {
      fireEvent.click(screen.getByLabelText(/Mute the 61 candlestick-pattern rules/));
    });
    expect(screen.getAllByTestId("alert-row").map((r) => r.dataset.alertId)).toEqual(["1"]);
    expect(JSON.parse(localStorage.getItem("chitti.mutedRules")!)).toEqual(["candle_*"]);
    fireEvent.change(screen.getByLabelText("Filter alerts by symbol"), { target: { value: "INFY" } });
    expect(screen.queryAllByTestId("alert-row")).toHaveLength(0);
    expect(screen.getByText(/No alerts match/)).toBeTruthy();
  });
});
