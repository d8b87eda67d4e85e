/** The gateway, the database and each service: status and latency, refreshed every 5 s. */
import { useQuery } from "@tanstack/react-query";
import { formatNumber, formatTimeIST } from "../../lib/format";
import { Card, ErrorBox, Spinner } from "../ui";
import { FieldValue, flatten, formatDuration, humanize } from "./fields";
import { StatusPill } from "./bits";
import { KEYS, fetchHealth, type ComponentHealth } from "./queries";

export const HEALTH_REFRESH_MS = 5_000;

/** What a component reported about itself; its own name and status are on the card already. */
function Details({ detail }: { detail: Record<string, unknown> }) {
  const rows = flatten(detail).filter(([key]) => key !== "service" && key !== "status");
  if (!rows.length) return null;
  return (
    <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
      {rows.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-slate-500 dark:text-slate-400">{key.split(".").map((part) => humanize(part, false)).join(" › ")}</dt>
          <dd className="min-w-0 break-words text-slate-800 dark:text-slate-200">
            <FieldValue name={key} value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function HealthCard({ name, health }: { name: string; health: ComponentHealth }) {
  const down = health.status !== "ok";
  return (
    <div data-testid={`health-${name}`} data-status={health.status}
      className={`rounded-lg border p-3 ${down
        ? "border-rose-300 bg-rose-50 dark:border-rose-800 dark:bg-rose-950/60"
        : "border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"}`}>
      <div className="flex items-center justify-between gap-2">
        <h3 className="truncate font-semibold">{name === "db" ? "Database" : name}</h3>
        <StatusPill status={health.status} />
      </div>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        {health.latency_ms === null || health.latency_ms === undefined
          ? "No latency measured"
          : <>Answered in <span className="font-medium tabular-nums">{formatNumber(health.latency_ms, 1)} ms</span></>}
      </p>
      {health.error && (
        <p className="mt-1 break-words text-xs font-medium text-rose-700 dark:text-rose-300">{health.error}</p>
      )}
      {health.detail && <Details detail={health.detail} />}
    </div>
  );
}

export function HealthPanel() {
  const query = useQuery({
    queryKey: KEYS.health,
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: HEALTH_REFRESH_MS,
    staleTime: 0,
    retry: false,
  });
  const report = query.data;
  const components: [string, ComponentHealth][] = report
    ? [["db", report.db], ...Object.entries(report.services).sort(([a], [b]) => a.localeCompare(b))]
    : [];

  return (
    <Card title="Health" actions={report && (
      <span className="text-xs text-slate-500 dark:text-slate-400">
        Checked {formatTimeIST(query.dataUpdatedAt)} IST · every {HEALTH_REFRESH_MS / 1000} s
      </span>
    )}>
      <div className="space-y-3 p-3">
        {query.isPending ? <Spinner label="Asking every service…" /> : null}
        {query.isError && (
          <ErrorBox error={query.error} retry={() => query.refetch()}
            hint={report ? "The cards below are from the last answer; checks continue every 5 s."
              : "Checks continue every 5 s; is the gateway running?"} />
        )}
        {report && (
          <>
            <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm" data-testid="health-overall">
              <StatusPill status={report.status}
                label={report.status === "ok" ? "All components up" : "Something is down"} />
              <span className="text-slate-600 dark:text-slate-400">Gateway version <b className="font-medium">{report.version}</b></span>
              <span className="text-slate-600 dark:text-slate-400">Up for <b className="font-medium">{formatDuration(report.uptime_s)}</b></span>
            </div>
            <div className="grid grid-cols-1 gap-2 sm:grid-cols-2 xl:grid-cols-4">
              {components.map(([name, health]) => <HealthCard key={name} name={name} health={health} />)}
            </div>
          </>
        )}
      </div>
    </Card>
  );
}
