/**
 * The gateway client. Types come from `schema.d.ts`, generated from the gateway's OpenAPI
 * document (`make api-client`), so a changed reply breaks the build, not the screen.
 *
 * The browser session lives in two HttpOnly cookies set by `POST /api/auth/token`; this
 * module never sees a token. A 401 on an ordinary call triggers one refresh (shared by
 * every caller: a refresh token works once, and presenting a spent one ends the session)
 * and one retry; if that fails the app shows the login page.
 */
import type { components } from "./schema";

export type Schemas = components["schemas"];

/** The gateway's error envelope, `{"error": {"code", "message", "details"}}`, as an exception. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Query = Record<string, string | number | boolean | null | undefined | string[]>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function toError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: a proxy's page or an empty body */
  }
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } })?.error;
  if (error?.message) {
    return new ApiError(response.status, error.code ?? "error", error.message, error.details);
  }
  const text = response.status === 502 || response.status === 503
    ? "The gateway cannot reach the service; it may be starting. Try again in a few seconds."
    : `The server answered ${response.status} ${response.statusText}.`;
  // keep a body without the envelope (GET /health's 503 is a full health report)
  return new ApiError(response.status, "http_error", text, body);
}

let refreshing: Promise<boolean> | null = null;
let onSessionLost: () => void = () => {};

/** Called when the session cannot be refreshed (the app then shows the login page). */
export function setSessionLostHandler(handler: () => void): void {
  onSessionLost = handler;
}

/** Refresh the access cookie once for every caller waiting on a 401. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin" })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      setTimeout(() => { refreshing = null; }, 0);
    });
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  form?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not try a refresh on 401 (the login and refresh calls themselves). */
  noRefresh?: boolean;
}

/** One call to the gateway; resolves with the parsed JSON, rejects with {@link ApiError}. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method: options.method ?? (options.body || options.form ? "POST" : "GET"),
    credentials: "same-origin",
    signal: options.signal,
    headers: { Accept: "application/json" },
  };
  if (options.form) {
    init.body = new URLSearchParams(options.form);
  } else if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
  }
  const url = withQuery(path, options.query);
  let response = await fetch(url, init);
  if (response.status === 401 && !options.noRefresh) {
    if (await refreshSession()) response = await fetch(url, init);
    if (response.status === 401) onSessionLost();
  }
  if (!response.ok) throw await toError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: Query) =>
    request<T>(path, { method: "POST", body: body ?? {}, query }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: "PUT", body }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: "PATCH", body }),
  delete: <T>(path: string) => request<T>(path, { method: "DELETE" }),
};

/** A message for the screen: the API's own words when it gave them. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "The gateway cannot be reached. Is `make run` still running?";
  return error instanceof Error ? error.message : String(error);
}
