import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { BarEventsCard, barsWithEvents, EventsInView } from "./BarEvents";
import type { Alert, Article, BarEvents } from "./markers";

afterEach(cleanup);

const alert = (id: number, direction: Alert["direction"]): Alert => ({
  id, created_at: "2024-06-28T04:00:00Z", ts: "2024-06-28T04:00:00Z", symbol: "TCS", kind: "technical",
  rule: "rsi_oversold", direction, impact: 0.5, confidence: 0.5, explanation: `alert ${id}`, sources: {},
} as Alert);

const story = (id: number, link: string | null): Article => ({
  id, title: `story ${id}`, summary: "", link, publisher: "ET", publishers: ["ET"], duplicate_count: 0,
  published_at: "2024-06-28T04:00:00Z", fetched_at: "2024-06-28T04:00:00Z", sentiment: "positive",
  sentiment_score: null, sentiment_confidence: null, symbols: ["TCS"],
});

const events = new Map<number, BarEvents>([
  [2, { alerts: [alert(1, "bullish")], news: [] }],
  [5, { alerts: [alert(2, "bearish"), alert(3, "bearish")], news: [story(10, "https://example.com/a")] }],
  [9, { alerts: [], news: [story(11, null)] }],
]);

describe("the bars in view with events", () => {
  it("lists those between the edges, newest first, up to the limit", () => {
    expect(barsWithEvents(events, 0, 8)).toEqual({ bars: [5, 2], total: 2 });
    expect(barsWithEvents(events, 3, 9)).toEqual({ bars: [9, 5], total: 2 });
    expect(barsWithEvents(events, 0, 9, 1)).toEqual({ bars: [9], total: 3 });
  });

  it("offers each as a button that opens its bar's card", () => {
    const onPick = vi.fn();
    render(<EventsInView events={events} from={0} to={8} when={(i) => `bar ${i}`} picked={null} onPick={onPick} />);
    const list = screen.getByRole("list", { name: /bars in view/i });
    const buttons = within(list).getAllByRole("button");
    expect(buttons.map((b) => b.getAttribute("aria-label"))).toEqual([
      "bar 5: 2 bearish alerts, 1 story. alert 2", "bar 2: 1 bullish alert. alert 1",
    ]);
    fireEvent.click(buttons[0]);
    expect(onPick).toHaveBeenCalledWith(5);
  });

  it("shows nothing when no bar in view has events", () => {
    const { container } = render(<EventsInView events={events} from={6} to={8} when={String} picked={null} onPick={() => {}} />);
    expect(container.textContent).toBe("");
  });
});

describe("a bar's card", () => {
  it("links only safe story links out and takes the focus when asked", () => {
    const bar: BarEvents = { alerts: [], news: [story(10, "https://example.com/a"), story(11, "javascript:alert(1)")] };
    render(
      <MemoryRouter>
        <BarEventsCard events={bar} day="2024-06-28" hrefFor={(id) => `/chart/TCS?alert=${id}`} onClose={() => {}} focus />
      </MemoryRouter>,
    );
    expect(screen.getByRole("link", { name: "story 10" }).getAttribute("href")).toBe("https://example.com/a");
    expect(screen.queryByRole("link", { name: "story 11" })).toBeNull();
    expect(screen.getByText("story 11")).toBeTruthy();
    expect(document.activeElement?.getAttribute("aria-label")).toBe("Alerts and news on 28 Jun 2024");
  });
});
