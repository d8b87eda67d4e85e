/** Query keys and fetchers of the System page (kept apart from other pages' keys). */
import { ApiError, api, type Schemas } from "../../api/client";

export const KEYS = {
  health: ["system", "health"],
  feeds: ["system", "feeds"],
  users: ["system", "users"],
  apiKeys: ["system", "api-keys"],
  jobs: ["system", "jobs"],
  /** The News page's lists (see useNewsFeed): new articles after an ingest. */
  news: ["news"],
} as const;

export type HealthReport = Schemas["HealthReport"];
export type ComponentHealth = Schemas["ComponentHealth"];

function isHealthReport(body: unknown): body is HealthReport {
  const b = body as Partial<HealthReport> | null;
  return typeof b?.status === "string" && typeof b.db === "object" && typeof b.services === "object";
}

/**
 * `GET /health` answers 503 *with the report* when a component is down, which the shared
 * client would turn into an error and lose; so this reads the body of either answer.
 */
export async function fetchHealth(signal?: AbortSignal): Promise<HealthReport> {
  const response = await fetch("/health", {
    credentials: "same-origin", headers: { Accept: "application/json" }, signal,
  });
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: a proxy's error page */
  }
  if (isHealthReport(body)) return body;
  const envelope = (body as { error?: { code?: string; message?: string } } | null)?.error;
  throw new ApiError(response.status, envelope?.code ?? "http_error",
    envelope?.message ?? `The gateway answered ${response.status} without a health report.`);
}

export const fetchFeeds = (signal?: AbortSignal) =>
  api.get<Schemas["FeedList"]>("/api/news/feeds", undefined, signal);
export const fetchUsers = (signal?: AbortSignal) =>
  api.get<Schemas["UserList"]>("/api/auth/users", undefined, signal);
export const fetchApiKeys = (signal?: AbortSignal) =>
  api.get<Schemas["ApiKeyList"]>("/api/auth/keys", undefined, signal);
export const fetchJobs = (signal?: AbortSignal) =>
  api.get<Schemas["JobList"]>("/api/jobs", { limit: 50 }, signal);
