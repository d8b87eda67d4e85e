/**
 * A parameter sweep of the form's setup on one symbol: queued as a job (202), polled every
 * second until it ends (cancel: DELETE /api/jobs/{id}), then a heat map of a metric over one
 * or two parameters; a cell fills the form with its parameters.
 */
import { useEffect, useMemo, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import {
  SWEEP_METRICS, buildSweepBody, errorsByField, jobFinished, metricLabel, parseSymbols, suggestGrid,
  type FormState, type JobInfo, type StrategySpec, type SweepBody,
} from "../../lib/backtest";
import { formatCount, formatDateTimeIST, formatNumber } from "../../lib/format";
import { Badge, Button, ErrorBox, Spinner, inputClass } from "../ui";
import { FieldError } from "./FieldInput";
import { keys, useJob } from "./queries";
import { SweepHeatmap } from "./SweepHeatmap";

const STATE_TONE = { queued: "info", running: "info", done: "up", failed: "down", cancelled: "neutral" } as const;

function Elapsed({ job }: { job: JobInfo }) {
  const [now, setNow] = useState(() => Date.now());
  const finished = jobFinished(job);
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [finished]);
  const from = Date.parse(job.started_at ?? job.created_at);
  const to = job.finished_at ? Date.parse(job.finished_at) : now;
  const seconds = Math.max(0, Math.round((to - from) / 1000));
  return <span className="tabular-nums">{seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`}</span>;
}

function JobStatus({ job, canCancel, onCancel, cancelling }: {
  job: JobInfo; canCancel: boolean; onCancel: () => void; cancelling: boolean;
}) {
  const finished = jobFinished(job);
  return (
    <div data-testid="sweep-job" data-state={job.state} className="space-y-2 rounded border border-slate-200 p-3 text-sm dark:border-slate-800">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={STATE_TONE[job.state]}>{job.state}</Badge>
        <span className="text-slate-600 dark:text-slate-300">
          {{ queued: "Waiting for a worker", running: "Running for ", done: "Took ", failed: "Failed after ", cancelled: "Stopped after " }[job.state]}
          {job.state !== "queued" && <Elapsed job={job} />}
        </span>
        <span className="text-xs text-slate-500 dark:text-slate-400">queued {formatDateTimeIST(job.created_at)}
          {job.attempts > 1 && ` · attempt ${job.attempts}`}</span>
        {canCancel && !finished && (
          <Button variant="danger" className="ml-auto" onClick={onCancel} disabled={cancelling}>
            {cancelling ? "Cancelling…" : "Cancel sweep"}
          </Button>
        )}
      </div>
      {!finished && (
        // the API reports 0 until the end, then 1: an indeterminate bar, honestly
        <div role="progressbar" aria-label="Sweep progress" aria-valuetext={job.state}
          className="h-1.5 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800">
          <div className="h-full w-1/3 animate-pulse rounded bg-sky-500" />
        </div>
      )}
      {job.state === "failed" && job.error && <ErrorBox error={new Error(job.error.message)}
        hint="Change the grid, metric or constraints and start the sweep again." />}
      {job.state === "cancelled" && <p className="text-slate-500 dark:text-slate-400">Cancelled: start a new sweep when ready.</p>}
    </div>
  );
}

export function SweepPanel({ form, spec, custom, canRun, jobId, setJobId, onPick }: {
  form: FormState;
  spec: StrategySpec | null;
  custom: boolean;
  canRun: boolean;
  jobId: string | null;
  setJobId: (id: string | null) => void;
  onPick: (params: Record<string, number>) => void;
}) {
  const client = useQueryClient();
  const names = Object.keys(spec?.params ?? {});
  const symbols = parseSymbols(form.symbols);
  const [symbol, setSymbol] = useState("");
  const [axes, setAxes] = useState<{ param: string; values: string }[]>([]);
  const [constraints, setConstraints] = useState("");
  const [metric, setMetric] = useState("sharpe_ratio");
  const [picked, setPicked] = useState<string | null>(null);

  // a new strategy: sweep its first two parameters around their values
  const specKey = names.join(",");
  useEffect(() => {
    const params = spec?.params ?? {};
    const first = Object.keys(params).slice(0, 2);
    setAxes(first.map((param) => ({ param, values: suggestGrid(params[param]) })));
    setConstraints(first.includes("fast") && first.includes("slow") ? "fast < slow" : "");
  }, [specKey]);

  const sweepSymbol = symbols.includes(symbol) ? symbol : symbols[0] ?? "";
  const built = useMemo(() => buildSweepBody(form, spec, custom, { symbol: sweepSymbol, axes, constraints, metric }),
    [form, spec, custom, sweepSymbol, axes, constraints, metric]);

  const start = useMutation({
    mutationFn: (body: SweepBody) => api.post<JobInfo>("/api/backtest/sweep", body),
    onSuccess: (job) => {
      client.setQueryData(keys.job(job.id), job);
      setJobId(job.id);
      setPicked(null);
    },
  });
  const job = useJob(jobId);
  const cancel = useMutation({
    mutationFn: (id: string) => api.delete<JobInfo>(`/api/jobs/${encodeURIComponent(id)}`),
    onSuccess: (info) => client.setQueryData(keys.job(info.id), info),
  });

  const [tried, setTried] = useState(false);
  const apiErrors = errorsByField(start.error);
  const errors = tried ? { ...built.errors, ...apiErrors } : apiErrors;
  const running = job.data !== undefined && !jobFinished(job.data);
  const setAxis = (i: number, patch: Partial<{ param: string; values: string }>) =>
    setAxes((list) => list.map((a, j) => {
      if (j !== i) return a;
      const next = { ...a, ...patch };
      if (patch.param !== undefined && patch.param !== a.param) {
        next.values = patch.param ? suggestGrid(spec?.params?.[patch.param] ?? 1) : "";
      }
      return next;
    }));

  return (
    <div className="space-y-3 p-3">
      {canRun && (
        <form aria-label="Sweep setup" className="space-y-3" onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (built.body && !running) start.mutate(built.body);
        }}>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Runs the setup above for every combination of the values below, on one symbol, and ranks them.
            Values: a list (5, 10, 20) or a range start:stop:step (5:50:5).
          </p>
          <div className="grid gap-3 sm:grid-cols-2 md:grid-cols-4">
            {[0, 1].map((i) => (
              <div key={i} className="space-y-1">
                <label className="block text-xs font-medium text-slate-600 dark:text-slate-300">
                  {i === 0 ? "Rows: parameter" : "Columns: parameter"}
                  <select value={axes[i]?.param ?? ""} className={`mt-1 w-full ${inputClass}`}
                    onChange={(e) => (axes[i] ? setAxis(i, { param: e.target.value })
                      : setAxes((l) => [...l, { param: e.target.value, values: suggestGrid(spec?.params?.[e.target.value] ?? 1) }]))}>
                    {i === 1 && <option value="">none (one parameter)</option>}
                    {names.map((n) => <option key={n} value={n}>{n}</option>)}
                  </select>
                </label>
                {axes[i]?.param && (
                  <div>
                    <label htmlFor={`sweep-values-${i}`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
                      {axes[i].param} values
                    </label>
                    <input id={`sweep-values-${i}`} value={axes[i].values} onChange={(e) => setAxis(i, { values: e.target.value })}
                      className={`mt-1 w-full ${inputClass}`} aria-invalid={errors[`sweep.values.${i}`] ? true : undefined}
                      aria-describedby={errors[`sweep.values.${i}`] ? `sweep-values-${i}-error` : undefined} />
                    <FieldError id={`sweep-values-${i}-error`} error={errors[`sweep.values.${i}`]} />
                  </div>
                )}
              </div>
            ))}
            <div>
              <label htmlFor="sweep-constraints" className="block text-xs font-medium text-slate-600 dark:text-slate-300">Constraints</label>
              <input id="sweep-constraints" value={constraints} onChange={(e) => setConstraints(e.target.value)}
                placeholder="e.g. fast < slow" aria-describedby="sweep-constraints-help"
                className={`mt-1 w-full ${inputClass}`} />
              <p id="sweep-constraints-help" className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
                Keep only combinations where it holds; separate several with “;”.
              </p>
              <FieldError id="sweep-constraints-error" error={errors.constraints} />
            </div>
            <div className="space-y-1">
              <label className="block text-xs font-medium text-slate-600 dark:text-slate-300">
                Rank by
                <select value={metric} onChange={(e) => setMetric(e.target.value)} className={`mt-1 w-full ${inputClass}`}>
                  {SWEEP_METRICS.map((m) => <option key={m} value={m}>{metricLabel(m)}</option>)}
                </select>
              </label>
              <label htmlFor="sweep-on" className="block text-xs font-medium text-slate-600 dark:text-slate-300">Sweep on</label>
              <select id="sweep-on" value={sweepSymbol} onChange={(e) => setSymbol(e.target.value)}
                className={`w-full ${inputClass}`} disabled={symbols.length === 0}>
                {symbols.length === 0 && <option value="">(none yet)</option>}
                {symbols.map((s) => <option key={s} value={s}>{s}</option>)}
              </select>
              <FieldError id="sweep-symbol" error={errors["sweep.symbol"] ?? errors.symbol ?? errors.symbols} />
            </div>
          </div>
          <FieldError id="sweep-axes" error={errors["sweep.axes"] ?? errors.grid ?? errors.metric ?? errors.strategy} />
          {tried && Object.keys(built.errors).some((k) => k.startsWith("config.") || k.startsWith("params.")) && (
            <p role="alert" className="text-xs text-rose-600 dark:text-rose-400">Fix the marked fields of the setup above first.</p>
          )}
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" disabled={start.isPending || running}>Run sweep</Button>
            {Number.isFinite(built.combinations) && built.combinations > 0 && (
              <span className="text-xs text-slate-500 dark:text-slate-400">
                {formatCount(built.combinations)} combination{built.combinations === 1 ? "" : "s"}
                {constraints.trim() ? " before constraints" : ""}
              </span>
            )}
            {start.isPending && <Spinner label="Queueing…" />}
          </div>
          {start.error && <ErrorBox error={start.error} hint="Change the grid, constraints or setup and start the sweep again." />}
        </form>
      )}

      {jobId && job.isPending && <Spinner label="Loading the sweep…" />}
      {jobId && job.error && <ErrorBox error={job.error} retry={() => job.refetch()}
        hint="A job belongs to whoever started it; start a new sweep if this one is gone." />}
      {job.data && (
        <JobStatus job={job.data} canCancel={canRun} cancelling={cancel.isPending}
          onCancel={() => cancel.mutate(job.data.id)} />
      )}
      {cancel.error && <ErrorBox error={cancel.error} />}
      {job.data?.state === "done" && job.data.result && "combination_count" in job.data.result && (
        <SweepHeatmap report={job.data.result} canPick={canRun} picked={picked}
          onPick={(params) => {
            onPick(params);
            setPicked(Object.entries(params).map(([k, v]) => `${k} = ${formatNumber(v, Number.isInteger(v) ? 0 : 2)}`).join(", "));
          }} />
      )}
      {!jobId && !canRun && <p className="text-sm text-slate-500 dark:text-slate-400">No sweep to show.</p>}
    </div>
  );
}
