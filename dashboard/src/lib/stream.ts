/**
 * The live alert stream: `GET /api/alerts/stream` read with fetch rather than EventSource,
 * so that a reconnect can send `Last-Event-ID` itself and a 401 can refresh the session.
 *
 * Guarantees the panel relies on: after a drop it reconnects (backing off to 15 s), resumes
 * from the last alert id it delivered (the gateway replays what was missed), and never
 * delivers an id twice, whatever the server repeats.
 */

export type StreamState = "connecting" | "live" | "reconnecting" | "offline";

export interface StreamEvent<T> {
  id: number;
  event: string;
  data: T;
}

export interface AlertStreamOptions<T> {
  url?: string;
  onEvent: (event: StreamEvent<T>) => void;
  onState?: (state: StreamState, detail?: string) => void;
  /** Resume after this id (e.g. the newest alert already on screen). */
  lastEventId?: number;
  fetchImpl?: typeof fetch;
  /** Refresh the session after a 401; resolves true when a retry may succeed. */
  refresh?: () => Promise<boolean>;
  /** Delay before reconnect attempt `n` (1-based), in ms. */
  backoff?: (attempt: number) => number;
}

export const defaultBackoff = (attempt: number): number =>
  Math.min(15_000, 500 * 2 ** Math.min(attempt - 1, 5));

/** Parse complete SSE frames out of `buffer`; returns them and the unparsed rest. */
export function parseFrames(buffer: string): { frames: { id?: string; event: string; data: string }[]; rest: string } {
  const frames: { id?: string; event: string; data: string }[] = [];
  const normalised = buffer.replace(/\r\n?/g, "\n");
  const parts = normalised.split("\n\n");
  const rest = parts.pop() ?? "";
  for (const part of parts) {
    let id: string | undefined;
    let event = "message";
    const data: string[] = [];
    for (const line of part.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length || id !== undefined) frames.push({ id, event, data: data.join("\n") });
  }
  return { frames, rest };
}

export class AlertStream<T> {
  private lastId: number;
  private readonly seen = new Set<number>();
  private forgottenBelow = 0;
  private controller: AbortController | null = null;
  private stopped = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  state: StreamState = "connecting";

  constructor(private readonly options: AlertStreamOptions<T>) {
    this.lastId = options.lastEventId ?? 0;
  }

  get lastEventId(): number {
    return this.lastId;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller?.abort();
    this.setState("offline", "stopped");
  }

  private setState(state: StreamState, detail?: string): void {
    this.state = state;
    this.options.onState?.(state, detail);
  }

  private deliver(frame: { id?: string; event: string; data: string }): void {
    const id = frame.id === undefined ? NaN : Number(frame.id);
    if (!Number.isFinite(id) || frame.event === "ping") return;
    if (id <= this.forgottenBelow || this.seen.has(id)) return;
    this.seen.add(id);
    if (this.seen.size > 5000) {
      // bounded memory: forget ids far below the newest, and refuse anything that old
      this.forgottenBelow = this.lastId - 2000;
      for (const old of this.seen) if (old <= this.forgottenBelow) this.seen.delete(old);
    }
    this.lastId = Math.max(this.lastId, id);
    let data: T;
    try {
      data = JSON.parse(frame.data) as T;
    } catch {
      return;
    }
    this.options.onEvent({ id, event: frame.event, data });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const doFetch = this.options.fetchImpl ?? fetch.bind(globalThis);
    this.controller = new AbortController();
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (this.lastId > 0) headers["Last-Event-ID"] = String(this.lastId);
    let reason = "the stream ended";
    try {
      const response = await doFetch(this.options.url ?? "/api/alerts/stream", {
        headers, credentials: "same-origin", signal: this.controller.signal,
      });
      if (response.status === 401 && this.options.refresh) {
        reason = "the session expired";
        if (!(await this.options.refresh())) {
          this.setState("offline", "signed out");
          return;
        }
      } else if (!response.ok || !response.body) {
        reason = `the server answered ${response.status}`;
      } else {
        this.attempt = 0;
        this.setState("live");
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          const { frames, rest } = parseFrames(buffer);
          buffer = rest;
          frames.forEach((frame) => this.deliver(frame));
        }
      }
    } catch (error) {
      if (this.stopped) return;
      reason = error instanceof Error ? error.message : String(error);
    }
    if (this.stopped) return;
    this.attempt += 1;
    this.setState("reconnecting", reason);
    const delay = (this.options.backoff ?? defaultBackoff)(this.attempt);
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}
