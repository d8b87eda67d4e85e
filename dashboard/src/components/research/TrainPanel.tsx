/**
 * Training a model (POST /api/ml/train): queued as a job (202), polled every second while it
 * runs (progress and what it is doing; cancel: DELETE /api/jobs/{id}), then its fold table
 * against the baselines. A finished training registers the model, so the list is refreshed.
 */
import { useEffect, useMemo, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { jobFinished, type JobInfo } from "../../lib/backtest";
import { formatDateTimeIST, formatNumber } from "../../lib/format";
import { keys as jobKeys, useJob } from "../backtest/queries";
import { Badge, Button, ErrorBox, Spinner } from "../ui";
import { Field } from "./Field";
import { fractionPct } from "./fmt";
import {
  DEFAULT_TRAIN, ESTIMATORS, FORM_ERROR, TARGETS, buildTrainBody, fieldErrors, type TrainForm,
} from "./form";
import { targetText } from "./ModelCard";
import { FoldTable, ScoreComparison } from "./ModelReport";
import { MODELS_KEY } from "./queries";
import { trainReport, type TrainBody, type TrainResult } from "./types";
import { UniverseSelect } from "./UniverseSelect";

const FIELDS: ReadonlySet<string> = new Set([
  "name", "symbols", "start", "end", "target", "horizon_days", "folds", "estimator",
]);
const STATE_TONE = { queued: "info", running: "info", done: "up", failed: "down", cancelled: "neutral" } as const;

function isTrainResult(result: JobInfo["result"]): result is TrainResult {
  return Boolean(result && "lines" in result && "report" in result);
}

function TrainSetup({ watchlists, running, onStart, startError, starting }: {
  watchlists: Schemas["Watchlist"][];
  running: boolean;
  onStart: (body: TrainBody) => void;
  startError: unknown;
  starting: boolean;
}) {
  const [form, setForm] = useState<TrainForm>(DEFAULT_TRAIN);
  const [tried, setTried] = useState(false);
  const built = useMemo(() => buildTrainBody(form, watchlists), [form, watchlists]);
  const apiErrors = fieldErrors(startError, FIELDS);
  const errors = { ...(tried ? built.errors : {}), ...apiErrors };
  const update = (patch: Partial<TrainForm>) => setForm({ ...form, ...patch });
  return (
    <form aria-label="Training setup" className="space-y-3" noValidate onSubmit={(e) => {
      e.preventDefault();
      setTried(true);
      if (built.body && !running) onStart(built.body);
    }}>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field label="Model name" error={errors.name} help="Rules call it ml.<name>; training an existing name adds a version.">
          {(p) => <input {...p} value={form.name} placeholder="e.g. nifty_lgbm" spellCheck={false} autoComplete="off"
            onChange={(e) => update({ name: e.target.value })} />}
        </Field>
        <UniverseSelect label="Universe" value={form.universe} watchlists={watchlists} error={errors.symbols}
          onChange={(universe) => update({ universe })} />
        <Field label="From" error={errors.start} help="Empty: all history.">
          {(p) => <input {...p} type="date" value={form.start} onChange={(e) => update({ start: e.target.value })} />}
        </Field>
        <Field label="To" error={errors.end} help="Empty: the latest bar.">
          {(p) => <input {...p} type="date" value={form.end} onChange={(e) => update({ end: e.target.value })} />}
        </Field>
        <Field label="Target" error={errors.target}>
          {(p) => (
            <select {...p} value={form.target} onChange={(e) => update({ target: e.target.value as TrainForm["target"] })}>
              {TARGETS.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
            </select>
          )}
        </Field>
        <Field label="Horizon (sessions)" error={errors.horizon_days}>
          {(p) => <input {...p} inputMode="numeric" value={form.horizonDays} onChange={(e) => update({ horizonDays: e.target.value })} />}
        </Field>
        <Field label="Folds" error={errors.folds} help="Walk-forward test windows, 2 to 20.">
          {(p) => <input {...p} inputMode="numeric" value={form.folds} onChange={(e) => update({ folds: e.target.value })} />}
        </Field>
        <Field label="Estimator" error={errors.estimator}>
          {(p) => (
            <select {...p} value={form.estimator} onChange={(e) => update({ estimator: e.target.value as TrainForm["estimator"] })}>
              {ESTIMATORS.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
            </select>
          )}
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={starting || running}>Train</Button>
        {running && <span className="text-xs text-slate-500 dark:text-slate-400">One training at a time here: wait for it, or cancel it.</span>}
        {starting && <Spinner label="Queueing…" />}
      </div>
      {errors[FORM_ERROR] && <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">{errors[FORM_ERROR]}</p>}
      {Boolean(startError) && Object.keys(apiErrors).length === 0 && <ErrorBox error={startError} />}
    </form>
  );
}

function JobStatus({ job, canCancel, onCancel, cancelling }: {
  job: JobInfo; canCancel: boolean; onCancel: () => void; cancelling: boolean;
}) {
  const finished = jobFinished(job);
  const pct = Math.round(job.progress * 100);
  return (
    <div data-testid="train-job" data-state={job.state} className="space-y-2 rounded border border-slate-200 p-3 text-sm dark:border-slate-800">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={STATE_TONE[job.state]}>{job.state}</Badge>
        <span className="text-xs text-slate-500 dark:text-slate-400">
          queued {formatDateTimeIST(job.created_at)}{job.finished_at ? `, ended ${formatDateTimeIST(job.finished_at)}` : ""}
          {job.attempts > 1 && ` · attempt ${job.attempts}`}
        </span>
        {canCancel && !finished && (
          <Button variant="danger" className="ml-auto" onClick={onCancel} disabled={cancelling}>
            {cancelling ? "Cancelling…" : "Cancel training"}
          </Button>
        )}
      </div>
      {!finished && (
        <>
          <div role="progressbar" aria-label="Training progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}
            aria-valuetext={`${pct}%${job.message ? `: ${job.message}` : ""}`}
            className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800">
            <div className="h-full rounded bg-sky-500 transition-[width]" style={{ width: `${pct}%` }} />
          </div>
          <p data-testid="train-message" aria-live="polite" className="text-slate-600 dark:text-slate-300">
            {pct}% · {job.message ?? (job.state === "queued" ? "waiting for a worker" : "starting")}
          </p>
        </>
      )}
      {job.state === "failed" && job.error && (
        <ErrorBox error={new Error(job.error.message)} hint="Change the universe, dates or settings and train again." />
      )}
      {job.state === "cancelled" && <p className="text-slate-500 dark:text-slate-400">Cancelled: nothing was registered.</p>}
    </div>
  );
}

function TrainResultView({ result }: { result: TrainResult }) {
  const report = trainReport(result);
  const top = Object.entries(report.feature_importance ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 10);
  return (
    <div className="space-y-3" data-testid="train-result">
      <p className="text-sm">
        Registered <code className="font-semibold">ml.{result.model.name}</code> v{result.model.version}: {targetText(report.target, report.horizon_days)},
        {" "}{formatNumber(report.feature_names.length, 0)} features, {formatNumber(report.symbols.length, 0)} symbols;
        {" "}{formatNumber(result.predictions_stored, 0)} out-of-sample scores stored for rules.
      </p>
      <ScoreComparison summary={report.summary} backtests={report.backtests} classifier={report.target === "sign"} />
      <FoldTable folds={report.folds} baselines={report.baselines} />
      {top.length > 0 && (
        <p className="text-xs text-slate-600 dark:text-slate-300">
          Top features by gain: {top.map(([name, share]) => `${name} ${fractionPct(share, 1)}`).join(", ")}
        </p>
      )}
      <details>
        <summary className="cursor-pointer text-xs text-slate-500 dark:text-slate-400">As <code>chitti ml train</code> prints it</summary>
        <pre className="mt-1 overflow-x-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-950">{result.lines.join("\n")}</pre>
      </details>
    </div>
  );
}

export function TrainPanel({ watchlists, canTrain, jobId, setJobId }: {
  watchlists: Schemas["Watchlist"][];
  canTrain: boolean;
  jobId: string | null;
  setJobId: (id: string | null) => void;
}) {
  const client = useQueryClient();
  const start = useMutation({
    mutationFn: (body: TrainBody) => api.post<JobInfo>("/api/ml/train", body),
    onSuccess: (job) => {
      client.setQueryData(jobKeys.job(job.id), job);
      setJobId(job.id);
    },
  });
  const job = useJob(jobId);
  const cancel = useMutation({
    mutationFn: (id: string) => api.delete<JobInfo>(`/api/jobs/${encodeURIComponent(id)}`),
    onSuccess: (info) => client.setQueryData(jobKeys.job(info.id), info),
  });
  const state = job.data?.state;
  useEffect(() => {
    // a finished training registered a new version
    if (state === "done") void client.invalidateQueries({ queryKey: MODELS_KEY });
  }, [state, client]);
  const running = job.data !== undefined && !jobFinished(job.data);

  return (
    <div className="space-y-3 p-3">
      {canTrain && (
        <TrainSetup watchlists={watchlists} running={running} starting={start.isPending} startError={start.error}
          onStart={(body) => start.mutate(body)} />
      )}
      {jobId && job.isPending && <Spinner label="Loading the training…" />}
      {jobId && job.error && <ErrorBox error={job.error} retry={() => job.refetch()}
        hint="A job belongs to whoever started it; start a new training if this one is gone." />}
      {job.data && (
        <JobStatus job={job.data} canCancel={canTrain} cancelling={cancel.isPending} onCancel={() => cancel.mutate(job.data.id)} />
      )}
      {cancel.error && <ErrorBox error={cancel.error} />}
      {job.data?.state === "done" && isTrainResult(job.data.result) && <TrainResultView result={job.data.result} />}
    </div>
  );
}
