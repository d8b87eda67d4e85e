import { afterEach, describe, expect, it, vi } from "vitest";
import { AlertStream, parseFrames, type StreamState } from "./stream";

/** A server that answers each connection with the next script: frames to send, then close. */
function scriptedServer(scripts: (string[] | number)[]) {
  const requests: { lastEventId: string | null }[] = [];
  const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    requests.push({ lastEventId: headers["Last-Event-ID"] ?? null });
    const script = scripts.shift();
    if (script === undefined) return new Promise<Response>(() => {}); // hang: stays live
    if (typeof script === "number") return new Response("no", { status: script });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of script) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
  });
  return { fetchImpl: fetchImpl as unknown as typeof fetch, requests };
}

const frame = (id: number) => `id: ${id}\nevent: new_alert\ndata: {"id":${id},"symbol":"TCS"}\n\n`;

afterEach(() => vi.useRealTimers());

describe("parseFrames", () => {
  it("splits complete frames and keeps the partial rest", () => {
    const { frames, rest } = parseFrames(`${frame(1)}: keep-alive\n\n${frame(2)}id: 3\nda`);
    expect(frames.map((f) => f.id)).toEqual(["1", "2"]);
    expect(JSON.parse(frames[0].data)).toEqual({ id: 1, symbol: "TCS" });
    expect(rest).toBe("id: 3\nda");
  });

  it("accepts CRLF line ends and multi-line data", () => {
    const { frames } = parseFrames("id: 7\r\ndata: a\r\ndata: b\r\n\r\n");
    expect(frames).toEqual([{ id: "7", event: "message", data: "a\nb" }]);
  });
});

describe("AlertStream", () => {
  async function run(scripts: (string[] | number)[], until: (ids: number[]) => boolean, lastEventId = 0) {
    const server = scriptedServer(scripts);
    const ids: number[] = [];
    const states: StreamState[] = [];
    const stream = new AlertStream<{ id: number }>({
      fetchImpl: server.fetchImpl, lastEventId, backoff: () => 1,
      onEvent: (e) => ids.push(e.data.id), onState: (s) => states.push(s),
    });
    stream.start();
    await vi.waitFor(() => expect(until(ids)).toBe(true), { timeout: 2000, interval: 5 });
    stream.stop();
    return { ids, states, requests: server.requests };
  }

  it("delivers frames split across chunks", async () => {
    const text = frame(1) + frame(2);
    const { ids } = await run([[text.slice(0, 10), text.slice(10, 41), text.slice(41)]], (x) => x.length === 2);
    expect(ids).toEqual([1, 2]);
  });

  it("reconnects with Last-Event-ID and never delivers an id twice", async () => {
    // the second connection replays 2 and 3 (a server may repeat), then sends 4
    const { ids, requests, states } = await run(
      [[frame(1), frame(2)], [frame(2), frame(3), frame(4)]], (x) => x.includes(4));
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(requests[0].lastEventId).toBeNull();
    expect(requests[1].lastEventId).toBe("2");
    expect(states).toContain("reconnecting");
    expect(states).toContain("live");
  });

  it("resumes after the id it was given and keeps trying through server errors", async () => {
    const { ids, requests } = await run([503, 502, [frame(11), frame(12)]], (x) => x.length === 2, 10);
    expect(ids).toEqual([11, 12]);
    // (a fourth connection, after 12, may already have started when the test stops it)
    expect(requests.slice(0, 3).map((r) => r.lastEventId)).toEqual(["10", "10", "10"]);
  });

  it("ignores frames without an id and bad JSON", async () => {
    const bad = "event: new_alert\ndata: {}\n\nid: 5\ndata: not json\n\n";
    const { ids } = await run([[bad, frame(6)]], (x) => x.length === 1);
    expect(ids).toEqual([6]);
  });

  it("refreshes the session on 401 and goes offline when that fails", async () => {
    const server = scriptedServer([401, 401]);
    const refresh = vi.fn().mockResolvedValueOnce(true).mockResolvedValueOnce(false);
    const states: StreamState[] = [];
    const stream = new AlertStream({
      fetchImpl: server.fetchImpl, refresh, backoff: () => 1, onEvent: () => {},
      onState: (s) => states.push(s),
    });
    stream.start();
    await vi.waitFor(() => expect(states.at(-1)).toBe("offline"), { timeout: 2000, interval: 5 });
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(server.requests).toHaveLength(2);
  });
});
