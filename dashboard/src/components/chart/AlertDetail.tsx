/**
 * The alert of `?alert=<id>`: what fired, how strongly, why (the values the rule read and the
 * confirmations behind its confidence), and for news alerts the stories themselves.
 */
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { formatDateTimeIST, formatNumber } from "../../lib/format";
import { Badge, Card, ErrorBox, Spinner, toneOf } from "../ui";
import { useAlert, useAlertsByIds, useArticlesByIds } from "./queries";
import { StoryTitle } from "./StoryTitle";

type Alert = Schemas["Alert"];

function Confirmations({ votes }: { votes: Record<string, boolean | null> }) {
  const entries = Object.entries(votes);
  if (!entries.length) return null;
  return (
    <div>
      <h3 className="text-xs font-semibold text-slate-500 dark:text-slate-400">Confirmations</h3>
      <ul className="mt-0.5 flex flex-wrap gap-1">
        {entries.map(([name, vote]) => (
          <li key={name}>
            <Badge tone={vote === true ? "up" : vote === false ? "down" : "neutral"}
              title={vote === null ? "could not be judged" : vote ? "agrees" : "disagrees"}>
              {vote === true ? "✓" : vote === false ? "✗" : "–"} {name}
            </Badge>
          </li>
        ))}
      </ul>
    </div>
  );
}

function RuleValues({ values }: { values: Record<string, number | null> }) {
  const entries = Object.entries(values);
  if (!entries.length) return null;
  return (
    <div>
      <h3 className="text-xs font-semibold text-slate-500 dark:text-slate-400">Values the rule read on that bar</h3>
      <table className="mt-0.5 text-xs tabular-nums">
        <tbody>
          {entries.map(([name, v]) => (
            <tr key={name}>
              <th scope="row" className="pr-3 text-left font-normal text-slate-500 dark:text-slate-400">{name}</th>
              <td className="text-right">{formatNumber(v, Math.abs(v ?? 0) >= 1 || !v ? 2 : 4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Stories({ alert, ids }: { alert: Alert; ids: number[] }) {
  const found = useArticlesByIds(alert.symbol, ids, alert.ts);
  if (found.isPending) return <Spinner label="Finding the stories…" />;
  if (found.isError) return <ErrorBox error={found.error} retry={() => void found.refetch()} />;
  const missing = ids.length - found.data.length;
  return (
    <div>
      <h3 className="text-xs font-semibold text-slate-500 dark:text-slate-400">Source {ids.length === 1 ? "story" : "stories"}</h3>
      <ul className="mt-0.5 space-y-1 text-sm">
        {found.data.map((a) => (
          <li key={a.id}>
            <StoryTitle title={a.title} link={a.link} />
            <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">
              {a.publisher ?? "unknown publisher"} · {formatDateTimeIST(a.published_at ?? a.fetched_at)}
            </span>
            {a.sentiment && <span className="ml-1"><Badge tone={toneOf(a.sentiment)}>{a.sentiment}</Badge></span>}
          </li>
        ))}
      </ul>
      {missing > 0 && (
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          {missing} of the stories (id {ids.filter((id) => !found.data.some((a) => a.id === id)).join(", ")}) are no longer among {alert.symbol}’s stored news.
        </p>
      )}
    </div>
  );
}

function Parts({ ids, flagged, hrefFor }: { ids: number[]; flagged: boolean; hrefFor: (id: number) => string }) {
  const parts = useAlertsByIds(ids);
  return (
    <div>
      <h3 className="text-xs font-semibold text-slate-500 dark:text-slate-400">Combined from</h3>
      {flagged && <p className="text-xs"><Badge tone="warn">The technical alerts disagree with the news</Badge></p>}
      {parts.isPending && <Spinner />}
      {parts.isError && <ErrorBox error={parts.error} retry={() => void parts.refetch()} />}
      <ul className="mt-0.5 space-y-0.5 text-sm">
        {parts.data?.alerts.map((a) => (
          <li key={a.id}>
            <Link to={hrefFor(a.id)} className="text-sky-700 hover:underline dark:text-sky-400">{a.explanation}</Link>
            <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">{a.kind}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function AlertDetail({ id, symbol, onChart, hrefFor, onClose }: {
  id: number;
  /** the chart's symbol */
  symbol: string;
  /** whether the alert's bar is among the bars shown (null: not known yet) */
  onChart: (alert: Alert) => boolean | null;
  hrefFor: (id: number) => string;
  onClose: () => void;
}) {
  const query = useAlert(id);
  const close = (
    <button type="button" onClick={onClose} aria-label="Close the alert detail"
      className="rounded px-2 text-slate-500 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800">✕</button>
  );
  if (query.isPending) return <Card title={`Alert ${id}`} actions={close}><Spinner label="Loading the alert…" /></Card>;
  if (query.isError) {
    return (
      <Card title={`Alert ${id}`} actions={close}>
        <ErrorBox error={query.error} retry={() => void query.refetch()} hint="The alert may have been deleted; close this card to keep charting." />
      </Card>
    );
  }
  const alert = query.data;
  const sources = alert.sources ?? {};
  const shown = onChart(alert);
  return (
    <Card title={<span>Alert · {alert.rule ?? alert.kind}</span>} actions={close}>
      <div data-testid="alert-detail" className="space-y-2 p-3">
        <p className="flex flex-wrap items-center gap-1 text-xs">
          <Badge tone={toneOf(alert.direction)}>{alert.direction}</Badge>
          <Badge tone="info">{alert.kind}</Badge>
          <span>impact <strong className="tabular-nums">{formatNumber(alert.impact)}</strong></span>
          <span>· confidence <strong className="tabular-nums">{formatNumber(alert.confidence * 100, 0)}%</strong></span>
          <span className="text-slate-500 dark:text-slate-400">· {formatDateTimeIST(alert.ts)}</span>
        </p>
        <p className="text-sm">{alert.explanation}</p>
        {alert.symbol !== symbol && (
          <p className="text-xs">
            This alert is about {alert.symbol}.{" "}
            <Link to={`/chart/${encodeURIComponent(alert.symbol)}?alert=${alert.id}`} className="text-sky-700 underline dark:text-sky-400">
              Open the {alert.symbol} chart
            </Link>
          </p>
        )}
        {alert.symbol === symbol && shown === false && (
          <p className="text-xs text-amber-700 dark:text-amber-300">
            Its bar is not among the bars drawn here (the stored prices may not reach that day, or try another interval).
          </p>
        )}
        {"values" in sources && <RuleValues values={sources.values} />}
        {"confirmations" in sources && <Confirmations votes={sources.confirmations} />}
        {"articles" in sources && (
          <>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              {sources.event_type.replace(/_/g, " ")} · carried by {sources.publishers} publisher{sources.publishers === 1 ? "" : "s"}
            </p>
            <Stories alert={alert} ids={sources.articles} />
          </>
        )}
        {"alerts" in sources && <Parts ids={sources.alerts} flagged={sources.flagged} hrefFor={hrefFor} />}
      </div>
    </Card>
  );
}
