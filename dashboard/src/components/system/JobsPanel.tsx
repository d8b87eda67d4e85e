/** Your long jobs (parameter sweeps, walk-forward tests): state and timing; cancel a live one. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { formatNumber } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { Badge, Card, ErrorBox, Spinner } from "../ui";
import { ConfirmButton, EmptyRow, InlineError, rowClass, tableClass, td, th } from "./bits";
import { FieldValue } from "./fields";
import { KEYS, fetchJobs } from "./queries";

type Job = Schemas["JobInfo"];

const STATE_TONE = { queued: "neutral", running: "info", done: "up", failed: "down", cancelled: "warn" } as const;
const LIVE: readonly Job["state"][] = ["queued", "running"];

function JobRow({ job, now }: { job: Job; now: number }) {
  const client = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => api.delete<Job>(`/api/jobs/${encodeURIComponent(job.id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS.jobs }),
  });
  return (
    <tr data-job-id={job.id} className={rowClass}>
      <td className={`${td} whitespace-nowrap`}><code className="text-xs" title={job.id}>{job.id.slice(0, 8)}</code></td>
      <td className={`${td} whitespace-nowrap`}>{job.kind === "walk_forward" ? "walk-forward" : job.kind}</td>
      <td className={`${td} whitespace-nowrap`}>
        <Badge tone={STATE_TONE[job.state]}>{job.state}</Badge>
        {job.state === "running" && <span className="ml-1 text-xs tabular-nums">{formatNumber(job.progress * 100, 0)}%</span>}
      </td>
      <td className={`${td} whitespace-nowrap`}><FieldValue name="created_at" value={job.created_at} now={now} /></td>
      <td className={`${td} whitespace-nowrap`}><FieldValue name="finished_at" value={job.finished_at} now={now} /></td>
      <td className={`${td} text-right tabular-nums`}><FieldValue name="attempts" value={job.attempts} /></td>
      <td className={`${td} max-w-[18rem] whitespace-normal text-xs text-rose-700 dark:text-rose-300`}>
        {job.error ? job.error.message : ""}
      </td>
      <td className={td}>
        {LIVE.includes(job.state) && (
          <ConfirmButton label="Cancel" ariaLabel={`Cancel job ${job.id}`} yesLabel="Cancel job"
            question="Cancel this job?" busy={cancel.isPending} onConfirm={() => cancel.mutate()} />
        )}
        <InlineError error={cancel.error} />
      </td>
    </tr>
  );
}

export function JobsPanel() {
  const now = useNow();
  const jobs = useQuery({
    queryKey: KEYS.jobs,
    queryFn: ({ signal }) => fetchJobs(signal),
    // Poll only while something is still running.
    refetchInterval: (q) => q.state.data?.jobs.some((j) => LIVE.includes(j.state)) ? 5_000 : false,
  });
  return (
    <Card title="Your jobs">
      <div className="p-3">
        {jobs.isPending ? <Spinner label="Loading jobs…" /> : jobs.isError ? (
          <ErrorBox error={jobs.error} retry={() => jobs.refetch()} />
        ) : (
          <div className="overflow-x-auto rounded border border-slate-200 dark:border-slate-800">
            <table data-testid="jobs-table" className={tableClass(jobs.data.jobs.length === 0)}>
              <thead className="bg-slate-50 dark:bg-slate-800/60">
                <tr>
                  {["Job", "Kind", "State", "Queued", "Finished", "Attempts", "Error"].map((h) => (
                    <th key={h} scope="col" className={th}>{h}</th>
                  ))}
                  <th scope="col" className={th}><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.jobs.map((job) => <JobRow key={job.id} job={job} now={now} />)}
                {jobs.data.jobs.length === 0 && (
                  <EmptyRow columns={8} title="No jobs">
                    Parameter sweeps and walk-forward tests started from the Backtest page are listed here.
                  </EmptyRow>
                )}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Card>
  );
}
