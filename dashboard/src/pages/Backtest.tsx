/**
 * Backtest: set up a strategy (a shipped one, its parameters, or an edited spec) on symbols,
 * dates, costs and execution settings; run it (POST /api/backtest) or sweep its parameters
 * (a job); read the result (equity vs benchmark, drawdown, months, metrics, costs, trades);
 * reopen a saved one at /backtest/:id. The setup lives in the URL, so a link reproduces it.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useLocation, useNavigate, useNavigationType, useParams, useSearchParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../api/client";
import { BacktestForm } from "../components/backtest/BacktestForm";
import { keys, useCatalog, useStoredResult } from "../components/backtest/queries";
import { ResultPanel } from "../components/backtest/ResultPanel";
import { SavedList } from "../components/backtest/SavedList";
import { parseSpecText } from "../components/backtest/SpecEditor";
import { SweepPanel } from "../components/backtest/SweepPanel";
import { Card, Empty, ErrorBox, Spinner } from "../components/ui";
import {
  buildRunBody, errorsByField, formFromParams, formOfView, formToParams, parseSymbols, sameSpec, viewOfRun,
  type BacktestRun, type FormState, type RunBody, type StrategySpec,
} from "../lib/backtest";
import { hasRole, useAuth } from "../lib/auth";

/** Scroll the page's own scroller (the layout's <main>) to a section, leaving the header be. */
function scrollToSection(id: string, behavior: ScrollBehavior = "auto") {
  const section = document.getElementById(id);
  const scroller = section?.closest("main");
  if (!section || !scroller) return;
  const top = section.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop - 8;
  scroller.scrollTo?.({ top, behavior });
}

/** A jump to a section of the page (focus follows, for the keyboard; the URL keeps its setup). */
function SectionLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a href={`#${to}`} className="hover:underline" onClick={(e) => {
      e.preventDefault();
      scrollToSection(to, "smooth");
      document.getElementById(to)?.focus({ preventScroll: true });
    }}>{children}</a>
  );
}

/** Errors about what has not been typed yet wait for the first Run; the rest show as typed. */
const AFTER_RUN = new Set(["symbols", "strategy"]);

export default function Backtest() {
  const { id: idParam } = useParams();
  const id = idParam && /^\d+$/.test(idParam) ? Number(idParam) : null;
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { me } = useAuth();
  const canRun = hasRole(me, "trader");
  const catalog = useCatalog();
  const stored = useStoredResult(id);

  // The form is state mirrored into the URL. Not the URL itself: the router applies URL
  // changes in a transition, and inputs bound to a transition lose keystrokes. A navigation
  // from elsewhere (a link, back/forward) loads the form from the URL again; the page's own
  // URL writes are replacements and are not read back.
  const location = useLocation();
  const navigationType = useNavigationType();
  const [formState, setFormState] = useState<FormState>(() => formFromParams(search));
  // the URL is written from the latest form and job, never from the router's (lagging) copy
  const latest = useRef({ form: formState, job: search.get("job") });
  useEffect(() => {
    if (navigationType === "REPLACE") return;
    const params = new URLSearchParams(location.search);
    latest.current = { form: formFromParams(params), job: params.get("job") };
    setFormState(latest.current.form);
    // once per navigation (location.key), not on every render
  }, [location.key]);
  const firstStrategy = catalog.data?.strategies[0]?.name ?? "";
  const form: FormState = formState.strategy ? formState : { ...formState, strategy: firstStrategy };
  const writeUrl = useCallback(() => {
    const params = formToParams(latest.current.form, undefined, []);
    if (latest.current.job) params.set("job", latest.current.job);
    setSearch(params, { replace: true });
  }, [setSearch]);
  const setForm = useCallback((next: FormState) => {
    setFormState(next);
    latest.current.form = next;
    writeUrl();
  }, [writeUrl]);

  // the spec: the shipped one, or the editor's text once edited
  const [specText, setSpecText] = useState<string | null>(null);
  const shipped = catalog.data?.strategies.find((s) => s.name === form.strategy) ?? null;
  const parsed = specText === null ? null : parseSpecText(specText);
  const jsonError = parsed && "error" in parsed ? parsed.error : null;
  const edited = parsed !== null && !("spec" in parsed && shipped && sameSpec(parsed.spec, shipped.spec));
  const spec: StrategySpec | null = parsed === null ? shipped?.spec ?? null
    : "spec" in parsed ? (parsed.spec as unknown as StrategySpec) : null;
  const specState = {
    text: specText ?? (shipped ? JSON.stringify(shipped.spec, null, 2) : ""),
    edited, jsonError,
    onChange: setSpecText,
    onReset: () => setSpecText(null),
  };

  // reopening a saved backtest fills the form with its setup (unless the link carries one)
  const filledFor = useRef<number | null>(null);
  useEffect(() => {
    if (id === null || !stored.data || !catalog.data || filledFor.current === id) return;
    filledFor.current = id;
    if (search.has("symbols")) return;
    const { form: next, customSpec } = formOfView(stored.data, catalog.data, form.benchmark);
    setSpecText(customSpec ? JSON.stringify(customSpec, null, 2) : null);
    setForm(next);
  }, [id, stored.data, catalog.data, search, form.benchmark, setForm]);

  const built = useMemo(() => buildRunBody(form, spec, edited), [form, spec, edited]);
  const [tried, setTried] = useState(false);
  const run = useMutation({
    mutationFn: (body: RunBody) => api.post<BacktestRun>("/api/backtest", body),
    onSuccess: (result, body) => {
      client.setQueryData(keys.result(result.id), viewOfRun(result, body, spec));
      void client.invalidateQueries({ queryKey: keys.results });
      filledFor.current = result.id; // the form already holds this run's setup
      const params = formToParams(form, undefined, []);
      if (latest.current.job) params.set("job", latest.current.job);
      navigate({ pathname: `/backtest/${result.id}`, search: `?${params}` });
    },
  });
  const apiErrors = errorsByField(run.error);
  const localErrors = Object.fromEntries(Object.entries(built.errors).filter(([k]) => tried || !AFTER_RUN.has(k)));
  const errors = { ...localErrors, ...apiErrors };
  const fieldsMarked = Object.keys(apiErrors).length > 0;
  const changeForm = (next: FormState) => {
    if (run.error) run.reset();
    setForm(next);
  };
  const onRun = () => {
    setTried(true);
    if (built.body) run.mutate(built.body);
  };

  const [jobId, setJobState] = useState<string | null>(latest.current.job);
  useEffect(() => setJobState(latest.current.job), [location.key]);
  const setJobId = (job: string | null) => {
    latest.current.job = job;
    setJobState(job);
    writeUrl();
  };

  // a result just run or reopened is what the trader came for: bring it into view (the
  // setup stays above it, to edit and run again)
  const shownId = stored.data?.id ?? null;
  const ready = catalog.data !== undefined;
  useEffect(() => {
    if (shownId !== null && ready) scrollToSection("backtest-result");
  }, [shownId, ready]);

  if (catalog.isPending) return <Spinner label="Loading strategies…" />;
  if (catalog.error) return <ErrorBox error={catalog.error} retry={() => catalog.refetch()} hint="The strategy catalog comes from the compute service; check System." />;

  const view = stored.data ?? null;
  const runLabel = `Running ${edited ? "the edited spec" : form.strategy} on ${parseSymbols(form.symbols).join(", ") || "…"}…`;

  return (
    <div className="mx-auto max-w-6xl space-y-3">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Backtest</h1>
        <nav aria-label="Sections" className="flex flex-wrap gap-3 text-sm text-sky-700 dark:text-sky-400">
          {canRun && <SectionLink to="backtest-setup">Setup</SectionLink>}
          <SectionLink to="backtest-result">Result</SectionLink>
          {(canRun || jobId) && <SectionLink to="backtest-sweep">Sweep</SectionLink>}
          <SectionLink to="backtest-saved">Saved</SectionLink>
        </nav>
      </header>

      {!canRun && (
        <p data-testid="viewer-note" className="rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-900 dark:bg-sky-950/60 dark:text-sky-100">
          Running a backtest or a sweep needs the trader role; as a {me?.role ?? "viewer"} you can open saved results.
        </p>
      )}

      {canRun && (
        <section id="backtest-setup" tabIndex={-1} className="scroll-mt-2 focus:outline-none" aria-label="Setup">
          <Card title="Setup">
            <BacktestForm form={form} setForm={changeForm} catalog={catalog.data} spec={spec} specState={specState}
              errors={errors} canRun={canRun} running={run.isPending} runError={run.error} fieldsMarked={fieldsMarked}
              onRun={onRun} runLabel={runLabel} />
          </Card>
        </section>
      )}

      <section id="backtest-result" tabIndex={-1} className="scroll-mt-2 focus:outline-none" aria-label="Result" aria-busy={run.isPending || stored.isFetching}>
        {run.isPending ? (
          <Card><Spinner label={`${runLabel} A long history can take several seconds.`} /></Card>
        ) : id !== null && stored.isPending ? (
          <Card><Spinner label={`Loading backtest #${id}…`} /></Card>
        ) : id !== null && stored.error ? (
          stored.error instanceof ApiError && stored.error.status === 404
            ? <ErrorBox error={stored.error}
              hint="You can open your own backtests (an admin: anyone's): pick one from Saved backtests below." />
            : <ErrorBox error={stored.error} retry={() => stored.refetch()} />
        ) : view ? (
          <ResultPanel view={view} benchmark={form.benchmark || null} units={catalog.data.metric_units} />
        ) : (
          <Empty title="No backtest shown">
            {canRun
              ? "Pick a strategy and symbols above and press Run backtest, or open a saved backtest below."
              : "Open a saved backtest below."}
          </Empty>
        )}
      </section>

      {(canRun || jobId) && (
        <section id="backtest-sweep" tabIndex={-1} className="scroll-mt-2 focus:outline-none" aria-label="Parameter sweep">
          <Card title="Parameter sweep">
            <SweepPanel form={form} spec={spec} custom={edited} canRun={canRun} jobId={jobId} setJobId={setJobId}
              onPick={(params) => {
                changeForm({ ...form, params: { ...form.params, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) } });
                scrollToSection("backtest-setup", "smooth");
              }} />
          </Card>
        </section>
      )}

      <section id="backtest-saved" tabIndex={-1} className="scroll-mt-2 focus:outline-none" aria-label="Saved backtests">
        <Card title="Saved backtests"><SavedList currentId={id} canRun={canRun} /></Card>
      </section>
    </div>
  );
}
