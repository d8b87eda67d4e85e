/**
 * Screener: one rule of the rule language over a universe (a NIFTY index or one of your
 * watchlists) on each symbol's latest daily bar, answered by signal-service in one call;
 * results sortable, with the values the rule read. A screen can be saved as an alert rule.
 */
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, errorMessage, type Schemas } from "../api/client";
import { hasRole, useAuth } from "../lib/auth";
import { changeClass, formatDateIST, formatINR, formatNumber, formatPct } from "../lib/format";
import { Badge, Button, Card, Empty, ErrorBox, inputClass } from "../components/ui";
import { EXAMPLE_RULE, RuleEditor, parseRuleText } from "../components/rules/RuleEditor";
import { useWatchlists } from "../components/watchlists/queries";

type Report = Schemas["ScreenReport"];
type Row = Schemas["ScreenRow"];
const INDICES = ["NIFTY 50", "NIFTY 100", "NIFTY 200", "NIFTY 500"] as const;

export type SortKey = "symbol" | "matched" | "close" | "change_pct" | `value:${string}`;

/** Rows sorted by a column (missing values last, whatever the direction). */
export function sortRows(rows: Row[], key: SortKey, ascending: boolean): Row[] {
  const value = (row: Row): string | number | null => {
    if (key === "symbol") return row.symbol;
    if (key === "matched") return row.matched ? 1 : 0;
    if (key === "close") return row.close;
    if (key === "change_pct") return row.change_pct ?? null;
    return row.values[key.slice(6)] ?? null;
  };
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    const order = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? order : -order;
  });
}

function SaveAsRule({ rule }: { rule: Record<string, unknown> }) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [direction, setDirection] = useState<"bullish" | "bearish">("bullish");
  const save = useMutation({
    mutationFn: () => api.post<Schemas["RuleSaved"]>("/api/signals/rules", {
      definition: {
        ...rule, name, direction,
        explanation: (rule.explanation as string | undefined) ?? `{symbol}: screen ${name} matched on {date} (close {close:.2f})`,
      },
    }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["rules"] }),
  });
  return (
    <form className="flex flex-wrap items-center gap-2 text-sm" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <input aria-label="Alert rule name" placeholder="rule_name" value={name} pattern="[a-z][a-z0-9_]*"
        onChange={(e) => setName(e.target.value)} className={`w-40 ${inputClass}`} />
      <select aria-label="Direction of the alert" value={direction} className={inputClass}
        onChange={(e) => setDirection(e.target.value as "bullish" | "bearish")}>
        <option value="bullish">bullish</option>
        <option value="bearish">bearish</option>
      </select>
      <Button type="submit" variant="secondary" disabled={!name || save.isPending}>Save as alert rule</Button>
      {save.isSuccess && <span role="status" className="text-emerald-600">Saved: alerts will fire on new bars.</span>}
      {save.isError && <span role="alert" className="text-rose-600">{errorMessage(save.error)}</span>}
    </form>
  );
}

function Results({ report, elapsedMs }: { report: Report; elapsedMs: number }) {
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({ key: "matched", ascending: false });
  const [matchedOnly, setMatchedOnly] = useState(false);
  const stale = report.rows.filter((r) => r.date !== report.as_of).length;
  const valueKeys = useMemo(
    () => [...new Set(report.rows.flatMap((r) => Object.keys(r.values)))], [report.rows]);
  const rows = useMemo(() => sortRows(report.rows.filter((r) => !matchedOnly || r.matched), sort.key, sort.ascending),
    [report.rows, sort, matchedOnly]);
  const header = (key: SortKey, label: string, right = false) => (
    <th key={key} className={`px-2 py-1 normal-case ${right ? "text-right" : "text-left"}`}
      aria-sort={sort.key === key ? (sort.ascending ? "ascending" : "descending") : "none"}>
      <button type="button" className="hover:underline"
        onClick={() => setSort((s) => ({ key, ascending: s.key === key ? !s.ascending : key === "symbol" }))}>
        {label}{sort.key === key ? (sort.ascending ? " ▲" : " ▼") : ""}
      </button>
    </th>
  );
  return (
    <Card title={`${report.counts.matched} of ${report.counts.screened} match on ${formatDateIST(report.as_of)}`}
      actions={
        <label className="flex items-center gap-1 text-xs">
          <input type="checkbox" checked={matchedOnly} onChange={(e) => setMatchedOnly(e.target.checked)} /> matched only
        </label>
      }>
      {stale > 0 && (
        <p role="note" className="px-3 pt-2 text-xs text-amber-700 dark:text-amber-400">
          {stale} symbol{stale === 1 ? "" : "s"} have no bar on {formatDateIST(report.as_of)}: they were screened on their own
          last bar, whose date is shown under the symbol.
        </p>
      )}
      <p className="px-3 pt-2 text-xs text-slate-500 dark:text-slate-400">
        {report.universe}: {report.counts.universe} symbols, {report.counts.screened} with prices ({report.adjust}-adjusted,
        {" "}{report.bars} bars each), answered in {formatNumber(elapsedMs, 0)} ms.
        {report.missing.length > 0 && ` No bars stored for ${report.missing.length}: ${report.missing.slice(0, 12).join(", ")}${report.missing.length > 12 ? " …" : ""} (chitti update-eod or load-market loads them).`}
      </p>
      {report.rows.length === 0 ? (
        <Empty title="No symbol of this universe has prices">Load bars first (chitti load-market or update-eod).</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[640px] text-sm" data-testid="screen-results">
            <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
              <tr>
                {header("symbol", "Symbol")}
                {header("matched", "Match")}
                {header("close", "Close", true)}
                {header("change_pct", "Day", true)}
                {valueKeys.map((k) => header(`value:${k}`, k, true))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.symbol} data-testid="screen-row" data-matched={row.matched}
                  className={`border-t border-slate-200 dark:border-slate-800 ${row.matched ? "bg-emerald-50 dark:bg-emerald-950/40" : ""}`}>
                  <td className="px-2 py-1">
                    <Link className="font-semibold text-sky-700 hover:underline dark:text-sky-400" to={`/chart/${encodeURIComponent(row.symbol)}`}>{row.symbol}</Link>
                    {row.date !== report.as_of && (
                      <div data-testid="stale-row" className="text-xs text-amber-600 dark:text-amber-400"
                        title="This symbol has no bar on the screen's date: the rule was read on its own last bar">
                        last bar {formatDateIST(row.date)}
                      </div>
                    )}
                  </td>
                  <td className="px-2 py-1">{row.matched ? <Badge tone="up">match</Badge> : <span className="text-slate-400">no</span>}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{formatINR(row.close)}</td>
                  <td className={`px-2 py-1 text-right tabular-nums ${changeClass(row.change_pct)}`}>{formatPct(row.change_pct)}</td>
                  {valueKeys.map((k) => <td key={k} className="px-2 py-1 text-right tabular-nums">{formatNumber(row.values[k])}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export default function Screener() {
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const universe = params.get("universe") ?? "NIFTY 50";
  const [text, setText] = useState(() => params.get("rule") ?? JSON.stringify(EXAMPLE_RULE, null, 2));
  const [elapsed, setElapsed] = useState(0);
  const watchlists = useWatchlists();
  const parsed = parseRuleText(text);
  const screen = useMutation({
    mutationFn: async (rule: Record<string, unknown>) => {
      const list = watchlists.data?.watchlists.find((w) => `list:${w.id}` === universe);
      const body = list ? { definition: rule, symbols: list.symbols } : { definition: rule, index: universe };
      const started = performance.now();
      const report = await api.post<Report>("/api/signals/screen", body);
      setElapsed(performance.now() - started);
      return report;
    },
  });

  function run() {
    if ("rule" in parsed) {
      setParams({ universe, rule: text }, { replace: true });
      screen.mutate(parsed.rule);
    }
  }

  return (
    <div className="space-y-3">
      <Card title="Screener" actions={
        <>
          <select aria-label="Universe" value={universe} className={inputClass}
            onChange={(e) => setParams({ universe: e.target.value, rule: text }, { replace: true })}>
            {INDICES.map((i) => <option key={i} value={i}>{i}</option>)}
            {(watchlists.data?.watchlists ?? []).map((w) => (
              <option key={w.id} value={`list:${w.id}`} disabled={w.symbols.length === 0}>watchlist: {w.name}</option>
            ))}
          </select>
          <Button onClick={run} disabled={screen.isPending || "error" in parsed}>
            {screen.isPending ? "Screening…" : "Run screen"}
          </Button>
        </>
      }>
        <div className="space-y-2 p-3">
          <RuleEditor text={text} onChange={setText} apiError={screen.isError ? errorMessage(screen.error) : null} />
          {hasRole(me, "trader") && "rule" in parsed && <SaveAsRule rule={parsed.rule} />}
        </div>
      </Card>
      {screen.isError && !(screen.error as { status?: number }).status && <ErrorBox error={screen.error} />}
      {screen.data && <Results report={screen.data} elapsedMs={elapsed} />}
      {!screen.data && !screen.isPending && (
        <Empty title="Choose a universe and run the screen">
          The rule is evaluated on each symbol&apos;s latest daily bar; matched symbols come first.
        </Empty>
      )}
    </div>
  );
}
