import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { Schemas } from "../api/client";
import { json, renderPage } from "../testing";
import News from "./News";

type Article = Schemas["Article"];

function article(id: number, over: Partial<Article> = {}): Article {
  return {
    id, title: `Story ${id}`, summary: "", link: `https://news.example.in/${id}`, publisher: "Mint",
    publishers: ["Mint"], duplicate_count: 0, published_at: "2024-07-04T04:45:00Z",
    fetched_at: "2024-07-04T05:00:00Z", sentiment: "positive", sentiment_score: 0.9,
    sentiment_confidence: 0.964, symbols: [], ...over,
  };
}

/** The gateway: /api/auth/me, and /api/news answered by `news` (every request URL is kept). */
function gateway(news: (url: URL) => Response, role = "admin") {
  const newsUrls: URL[] = [];
  vi.stubGlobal("fetch", vi.fn(async (input: string) => {
    const url = new URL(input, "http://gw");
    if (url.pathname === "/api/auth/me") return json({ id: 1, name: "admin", role, via: "token", auth: "on" });
    if (url.pathname === "/api/news") {
      newsUrls.push(url);
      return news(url);
    }
    return json({ error: { code: "not_found", message: "no route" } }, 404);
  }));
  return newsUrls;
}

function renderNews(entry = "/news") {
  return renderPage(<News />, entry);
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("News page", () => {
  it("shows each story with publisher, IST time, sentiment, companies and other publishers", async () => {
    gateway(() => json({ count: 2, articles: [
      article(1, { title: "Reliance shares jump 3% after Jio tariff hike", publisher: "The Economic Times",
        publishers: ["The Economic Times", "Moneycontrol", "Business Standard"], duplicate_count: 2,
        symbols: ["RELIANCE"], summary: "Jio raised tariffs." }),
      article(2, { link: "/markets/relative", sentiment: null, sentiment_confidence: null, published_at: null }),
    ] }));
    renderNews();
    const cards = await screen.findAllByTestId("news-article");
    expect(cards).toHaveLength(2);
    const first = within(cards[0]);
    expect(first.getByText("The Economic Times")).toBeTruthy();
    expect(first.getByText("04 Jul 2024, 10:15 IST")).toBeTruthy();
    expect(first.getByText("positive").textContent).toBe("positive96%");
    expect(first.getByRole("link", { name: "RELIANCE" }).getAttribute("href")).toBe("/chart/RELIANCE");
    expect(first.getByText("Also carried by 2 publishers").getAttribute("title")).toBe("Moneycontrol, Business Standard");
    const title = first.getByRole("link", { name: /Reliance shares jump/ });
    expect(title.getAttribute("target")).toBe("_blank");
    expect(title.getAttribute("rel")).toBe("noopener noreferrer");
    expect(first.getByText("Jio raised tariffs.")).toBeTruthy();
    // a relative link is not followed out of the dashboard; no date: the fetch time, said so
    const second = within(cards[1]);
    expect(second.queryByRole("link", { name: /Story 2/ })).toBeNull();
    expect(second.getByText(/fetched 04 Jul 2024, 10:30 IST/)).toBeTruthy();
    expect(second.getByText("not scored")).toBeTruthy();
    expect(screen.getByTestId("news-end").textContent).toContain("(2)");
  });

  it("sends the filters of the URL and keeps typed search in the URL after a pause", async () => {
    const urls = gateway(() => json({ count: 0, articles: [] }));
    renderNews("/news?symbol=infy&sentiment=positive&source=mint");
    await screen.findByText("No articles match these filters");
    const first = urls[0].searchParams;
    expect(first.get("symbol")).toBe("INFY");
    expect(first.get("sentiment")).toBe("positive");
    expect(first.get("source")).toBe("%mint%");
    expect(first.get("offset")).toBe("0");

    const search = screen.getByLabelText("Search headlines");
    fireEvent.change(search, { target: { value: "h" } });
    fireEvent.change(search, { target: { value: "hd" } });
    fireEvent.change(search, { target: { value: "hdfc bank" } });
    await waitFor(() => expect(screen.getByTestId("where").textContent).toContain("q=hdfc+bank"));
    await waitFor(() => expect(urls.at(-1)?.searchParams.get("q")).toBe("hdfc bank"));
    expect(urls.filter((u) => u.searchParams.has("q")).map((u) => u.searchParams.get("q"))).toEqual(["hdfc bank"]);

    fireEvent.click(screen.getAllByRole("button", { name: "Clear filters" })[0]);
    await waitFor(() => expect(screen.getByTestId("where").textContent).toBe("/news"));
    expect((screen.getByLabelText("Search headlines") as HTMLInputElement).value).toBe("");
  });

  it("loads the next page from the Load more button and says when the end is reached", async () => {
    const urls = gateway((url) => {
      const offset = Number(url.searchParams.get("offset"));
      const n = offset === 0 ? 25 : 3;
      return json({ count: n, articles: Array.from({ length: n }, (_, i) => article(1000 - offset - i)) });
    });
    renderNews();
    expect(await screen.findAllByTestId("news-article")).toHaveLength(25);
    fireEvent.click(screen.getByTestId("load-more"));
    await waitFor(() => expect(screen.getAllByTestId("news-article")).toHaveLength(28));
    expect(urls.map((u) => u.searchParams.get("offset"))).toEqual(["0", "25"]);
    expect(screen.getByTestId("news-end").textContent).toBe("That is every stored article (28).");
    expect(screen.queryByTestId("load-more")).toBeNull();
  });

  it("fetches the next page when the sentinel scrolls into view", async () => {
    let trigger: (() => void) | undefined;
    vi.stubGlobal("IntersectionObserver", class {
      constructor(callback: IntersectionObserverCallback) {
        trigger = () => callback([{ isIntersecting: true } as IntersectionObserverEntry], this as never);
      }
      observe() {}
      disconnect() {}
    });
    const urls = gateway((url) => {
      const offset = Number(url.searchParams.get("offset"));
      return json({ count: 25, articles: Array.from({ length: offset ? 1 : 25 }, (_, i) => article(500 - offset - i)) });
    });
    renderNews();
    await screen.findAllByTestId("news-article");
    await waitFor(() => expect(trigger).toBeDefined());
    trigger!();
    await waitFor(() => expect(screen.getAllByTestId("news-article")).toHaveLength(26));
    expect(urls).toHaveLength(2);
  });

  it("tells an admin where to ingest news when none is stored", async () => {
    gateway(() => json({ count: 0, articles: [] }));
    renderNews();
    await screen.findByText("No news has been stored yet");
    expect(screen.getByRole("link", { name: "System page" }).getAttribute("href")).toBe("/system#feeds");
  });

  it("shows the API's error with a retry", async () => {
    let fail = true;
    gateway(() => fail
      ? json({ error: { code: "unavailable", message: "news-nlp is not answering" } }, 503)
      : json({ count: 1, articles: [article(7)] }));
    renderNews();
    expect((await screen.findByRole("alert")).textContent).toContain("news-nlp is not answering");
    fail = false;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findAllByTestId("news-article")).toHaveLength(1);
  });
});
