/**
 * Research: turn symbols (typed or a watchlist) into an optimised portfolio, measure the risk
 * of any weights (VaR/CVaR, drawdown, stress replays), and read the model registry's
 * out-of-sample record against its baselines. Traders also train models (a job, polled;
 * its id lives in the URL as `?train=`, so a reload keeps following it) and score a
 * universe's latest day with a model.
 */
import { type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { hasRole, useAuth } from "../lib/auth";
import { Card } from "../components/ui";
import { useWatchlists } from "../components/watchlists/queries";
import { ModelsPanel } from "../components/research/ModelsPanel";
import { PortfolioPanel } from "../components/research/PortfolioPanel";
import { useModels } from "../components/research/queries";
import { RiskPanel, useRiskCheck } from "../components/research/RiskPanel";
import { TrainPanel } from "../components/research/TrainPanel";

/** Bring a section into view in the layout's scroller and move focus to it (keyboard users). */
function showSection(id: string) {
  const section = document.getElementById(id);
  section?.scrollIntoView?.({ behavior: "smooth", block: "start" });
  section?.focus({ preventScroll: true });
}

function Section({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <section id={id} tabIndex={-1} aria-label={label} className="scroll-mt-2 focus:outline-none">{children}</section>
  );
}

function SectionLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a href={`#${to}`} className="hover:underline" onClick={(e) => { e.preventDefault(); showSection(to); }}>{children}</a>
  );
}

export default function Research() {
  const { me } = useAuth();
  const canTrade = hasRole(me, "trader");
  const watchlists = useWatchlists();
  const lists = watchlists.data?.watchlists ?? [];
  const models = useModels();
  const risk = useRiskCheck();
  const [search, setSearch] = useSearchParams();
  const jobId = search.get("train");
  const setJobId = (id: string | null) => {
    const next = new URLSearchParams(search);
    if (id) next.set("train", id);
    else next.delete("train");
    setSearch(next, { replace: true });
  };

  return (
    <div className="mx-auto max-w-6xl space-y-3">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Portfolio &amp; models</h1>
        <nav aria-label="Sections" className="flex flex-wrap gap-3 text-sm text-sky-700 dark:text-sky-400">
          <SectionLink to="research-portfolio">Portfolio</SectionLink>
          <SectionLink to="research-risk">Risk</SectionLink>
          <SectionLink to="research-models">Models</SectionLink>
          {(canTrade || jobId) && <SectionLink to="research-train">Train</SectionLink>}
        </nav>
      </header>

      {!canTrade && (
        <p data-testid="viewer-note" className="rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-900 dark:bg-sky-950/60 dark:text-sky-100">
          Training models and scoring with them need the trader role; as a {me?.role ?? "viewer"} you can optimise
          portfolios, measure risk and read the models&apos; records.
        </p>
      )}

      <Section id="research-portfolio" label="Portfolio">
        <Card title="Portfolio optimisation">
          <PortfolioPanel watchlists={lists} models={models.data?.models ?? []}
            onCheckRisk={(weights, valueInr) => {
              risk.check(weights, valueInr);
              showSection("research-risk");
            }} />
        </Card>
      </Section>

      <Section id="research-risk" label="Risk">
        <Card title="Risk"><RiskPanel risk={risk} /></Card>
      </Section>

      <Section id="research-models" label="Models">
        <Card title="Models"><ModelsPanel canPredict={canTrade} watchlists={lists} /></Card>
      </Section>

      {(canTrade || jobId) && (
        <Section id="research-train" label="Train a model">
          <Card title="Train a model"><TrainPanel watchlists={lists} canTrain={canTrade} jobId={jobId} setJobId={setJobId} /></Card>
        </Section>
      )}
    </div>
  );
}
