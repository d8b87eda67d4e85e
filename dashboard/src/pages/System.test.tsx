import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { Schemas } from "../api/client";
import { json, renderPage } from "../testing";
import System from "./System";

type Call = { method: string; path: string; body: unknown };
type Handler = (call: Call) => Response | undefined;

const FEED: Schemas["FeedState"] = {
  id: 1, url: "https://news.example.in/markets.rss", title: "Markets", enabled: true,
  poll_interval_s: 300, next_fetch_at: "2026-12-02T14:52:15Z", etag: null, last_modified: null,
  last_status: "error", last_error: "ConnectError: name not known", failure_count: 2,
  last_fetched_at: "2026-12-02T14:47:15Z", article_count: 123456,
};

const HEALTH: Schemas["HealthReport"] = {
  status: "down", version: "0.1.0", uptime_s: 3725,
  db: { status: "ok", latency_ms: 8.0 },
  services: {
    compute: { status: "ok", latency_ms: 48.6, detail: { service: "compute", version: "0.1.0", db: { status: "ok" } } },
    "news-nlp": { status: "down", error: "timeout: no answer within 1.5 s" },
  },
};

/** The gateway with sensible defaults; `override` answers first (undefined: fall through). */
function gateway(override: Handler = () => undefined) {
  const calls: Call[] = [];
  let feeds: Record<string, unknown>[] = [FEED];
  vi.stubGlobal("fetch", vi.fn(async (input: string, init?: RequestInit) => {
    const url = new URL(input, "http://gw");
    const call = { method: init?.method ?? "GET", path: url.pathname,
      body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const answer = override(call);
    if (answer) return answer;
    const key = `${call.method} ${call.path}`;
    switch (key) {
      case "GET /api/auth/me": return json({ id: 1, name: "admin", role: "admin", via: "token", auth: "on" });
      case "GET /health": return json(HEALTH, 503);
      case "GET /api/news/feeds": return json({ feeds });
      case "DELETE /api/news/feeds/1": feeds = []; return new Response(null, { status: 204 });
      case "PATCH /api/news/feeds/1":
        feeds = feeds.map((f) => ({ ...f, ...(call.body as object) }));
        return json({ feed: feeds[0] });
      case "GET /api/auth/users": return json({ users: [
        { id: 1, name: "admin", role: "admin", disabled: false, created_at: "2026-12-02T14:47:10Z", last_login_at: null },
        { id: 2, name: "asha", role: "trader", disabled: false, created_at: "2026-12-02T14:47:10Z", last_login_at: null },
      ] });
      case "GET /api/auth/keys": return json({ keys: [] });
      case "GET /api/jobs": return json({ jobs: [] });
      default: return json({ error: { code: "not_found", message: `no route ${key}` } }, 404);
    }
  }));
  return {
    calls,
    setFeeds: (next: Record<string, unknown>[]) => { feeds = next; },
    sent: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}

function renderSystem() {
  return renderPage(<System />, "/system");
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("System page", () => {
  it("shows a health card per component, from the report a 503 carries", async () => {
    gateway();
    renderSystem();
    const down = await screen.findByTestId("health-news-nlp");
    expect(down.dataset.status).toBe("down");
    expect(down.textContent).toContain("timeout: no answer within 1.5 s");
    expect(screen.getByTestId("health-db").dataset.status).toBe("ok");
    expect(screen.getByTestId("health-db").textContent).toContain("8.0 ms");
    expect(screen.getByTestId("health-compute").textContent).toContain("48.6 ms");
    expect(screen.getByTestId("health-overall").textContent).toContain("Something is down");
    expect(screen.getByTestId("health-overall").textContent).toContain("1 h 2 min");
  });

  it("shows every field of a feed, including one the type does not know yet", async () => {
    const gw = gateway();
    gw.setFeeds([{ ...FEED, items_last_poll: 2500 }]);
    renderSystem();
    const table = await screen.findByTestId("feeds-table");
    const text = table.textContent ?? "";
    for (const label of ["Feed", "Polling", "Last fetch", "Fetched at", "Last error", "Failures in a row",
      "Next fetch", "Every", "ETag", "Last-Modified", "Articles", "Items last poll"]) {
      expect(text).toContain(label);
    }
    expect(text).toContain("1,23,456");
    expect(text).toContain("2,500");
    expect(text).toContain("ConnectError: name not known");
    expect(text).toContain("02 Dec 2026, 20:17 IST");
    expect(text).toContain("5 min");
  });

  it("stops polling a feed, and deletes one only after confirming", async () => {
    const gw = gateway();
    renderSystem();
    const toggle = await screen.findByRole("switch", { name: "Poll Markets" });
    expect(toggle.getAttribute("aria-checked")).toBe("true");
    fireEvent.click(toggle);
    await waitFor(() => expect(screen.getByRole("switch", { name: "Poll Markets" }).getAttribute("aria-checked")).toBe("false"));
    expect(gw.sent("PATCH", "/api/news/feeds/1")[0].body).toEqual({ enabled: false });

    fireEvent.click(screen.getByRole("button", { name: "Delete feed Markets" }));
    expect(gw.sent("DELETE", "/api/news/feeds/1")).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    await screen.findByText("No feeds yet");
    expect(gw.sent("DELETE", "/api/news/feeds/1")).toHaveLength(1);
  });

  it("ingests every feed and sums up the report", async () => {
    const gw = gateway(({ method, path }) => method === "POST" && path === "/api/news/ingest" ? json({
      new_article_ids: [4, 5, 6],
      feeds: [
        { feed_id: 1, url: FEED.url, status: "ok", items: 20, new_article_ids: [4, 5, 6], new_copies_of_stored: 2 },
        { feed_id: 9, url: "https://gone.example/rss", status: "error", new_article_ids: [], error: "HTTP 404" },
      ],
    }) : undefined);
    renderSystem();
    await screen.findByTestId("feeds-table");
    fireEvent.click(screen.getByRole("button", { name: "Ingest now" }));
    const report = await screen.findByTestId("ingest-report");
    expect(report.textContent).toContain("3 new articles from 2 feeds; 1 failed.");
    expect(report.textContent).toContain("Markets");
    expect(report.textContent).toContain("HTTP 404");
    expect(gw.sent("POST", "/api/news/ingest")[0].body).toEqual({ due_only: false });
  });

  it("shows the API's message when adding a user fails", async () => {
    gateway(({ method, path }) => method === "POST" && path === "/api/auth/users"
      ? json({ error: { code: "conflict", message: "a user called asha exists" } }, 409) : undefined);
    renderSystem();
    await screen.findByTestId("users-table");
    const form = screen.getByRole("form", { name: "Add a user" });
    fireEvent.change(within(form).getByLabelText("User name"), { target: { value: "asha" } });
    fireEvent.change(within(form).getByLabelText("Password"), { target: { value: "a long passphrase" } });
    fireEvent.submit(form);
    expect((await within(form).findByRole("alert")).textContent).toBe("a user called asha exists");
  });

  it("does not offer to disable or demote yourself, and asks before disabling another", async () => {
    const gw = gateway(({ method, path, body }) => method === "PATCH" && path === "/api/auth/users/asha"
      ? json({ id: 2, name: "asha", role: "trader", created_at: "2026-12-02T14:47:10Z", last_login_at: null, ...(body as object) })
      : undefined);
    renderSystem();
    await screen.findByTestId("users-table");
    expect((screen.getByLabelText("Role of admin") as HTMLSelectElement).disabled).toBe(true);
    expect(screen.queryByRole("button", { name: "Disable admin" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Disable asha" }));
    fireEvent.click(screen.getByRole("button", { name: "Disable" }));
    await waitFor(() => expect(gw.sent("PATCH", "/api/auth/users/asha")[0]?.body).toEqual({ disabled: true }));
  });

  it("shows a new API key once, with a warning, and forgets it when dismissed", async () => {
    const created = {
      id: "fb796be49288", name: "nightly script", role: "viewer", user_name: "asha",
      created_at: "2026-12-02T14:58:00Z", expires_at: null, revoked_at: null, last_used_at: null,
      key: "ck_fb796be49288_secretsecret",
    };
    const gw = gateway(({ method, path }) => method === "POST" && path === "/api/auth/keys" ? json(created, 201) : undefined);
    renderSystem();
    await screen.findByTestId("keys-table");
    const form = screen.getByRole("form", { name: "Create an API key" });
    fireEvent.change(within(form).getByLabelText("Key name"), { target: { value: "nightly script" } });
    fireEvent.change(within(form).getByLabelText("For user"), { target: { value: "asha" } });
    fireEvent.change(within(form).getByLabelText("Role"), { target: { value: "viewer" } });
    fireEvent.submit(form);
    const notice = await screen.findByTestId("new-api-key");
    expect(notice.textContent).toContain("will not be shown again");
    expect((within(notice).getByLabelText("The new API key") as HTMLInputElement).value).toBe(created.key);
    expect(gw.sent("POST", "/api/auth/keys")[0].body)
      .toEqual({ name: "nightly script", user: "asha", role: "viewer", expires_days: null });
    fireEvent.click(within(notice).getByRole("button", { name: "I have stored it" }));
    expect(screen.queryByTestId("new-api-key")).toBeNull();
    expect(document.body.textContent).not.toContain(created.key);
  });
});
