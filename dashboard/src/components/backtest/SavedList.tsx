/** The stored backtests (your own; an admin sees everyone's), newest first, each a link to reopen it. */
import { Link, useLocation } from "react-router";
import { formatMetric } from "../../lib/backtest";
import { changeClass, formatDateIST, formatDateTimeIST } from "../../lib/format";
import { Button, Empty, ErrorBox, Spinner } from "../ui";
import { useSavedResults } from "./queries";

export function SavedList({ currentId, canRun }: { currentId: number | null; canRun: boolean }) {
  const saved = useSavedResults();
  const location = useLocation();
  if (saved.isPending) return <Spinner label="Loading saved backtests…" />;
  if (saved.error) return <ErrorBox error={saved.error} retry={() => saved.refetch()} />;
  const rows = saved.data.pages.flatMap((p) => p.backtests);
  if (rows.length === 0) {
    return (
      <Empty title="No saved backtests yet">
        {canRun ? "Every backtest you run is saved here." : "This list holds your own backtests; running one needs the trader role."}
      </Empty>
    );
  }
  return (
    <div>
      <div className="max-h-96 overflow-auto">
        <table data-testid="saved-backtests" className="w-full min-w-[44rem] text-sm">
          <caption className="sr-only">Saved backtests, newest first</caption>
          <thead className="sticky top-0 bg-slate-50 text-xs text-slate-500 dark:bg-slate-800 dark:text-slate-300">
            <tr>
              <th scope="col" className="px-2 py-1.5 text-left font-medium">#</th>
              <th scope="col" className="px-2 py-1.5 text-left font-medium">Run</th>
              <th scope="col" className="px-2 py-1.5 text-left font-medium">Strategy</th>
              <th scope="col" className="px-2 py-1.5 text-left font-medium">Symbols</th>
              <th scope="col" className="px-2 py-1.5 text-left font-medium">Dates</th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">Return</th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">Sharpe</th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">Max DD</th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">Trades</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => {
              const current = b.id === currentId;
              const m = b.metrics;
              return (
                <tr key={b.id} aria-current={current ? "page" : undefined}
                  className={`border-t border-slate-100 dark:border-slate-800 ${current ? "bg-sky-50 dark:bg-sky-950/50" : ""}`}>
                  <td className="px-2 py-1 tabular-nums">
                    <Link to={{ pathname: `/backtest/${b.id}`, search: current ? location.search : "" }}
                      className="font-medium text-sky-700 hover:underline dark:text-sky-400">#{b.id}</Link>
                  </td>
                  <td className="whitespace-nowrap px-2 py-1 text-xs text-slate-500 dark:text-slate-400">
                    {formatDateTimeIST(b.created_at)}{b.owner ? ` · ${b.owner}` : ""}
                  </td>
                  <td className="px-2 py-1">{b.strategy}</td>
                  <td className="max-w-[12rem] truncate px-2 py-1" title={b.symbols.join(", ")}>{b.symbols.join(", ")}</td>
                  <td className="whitespace-nowrap px-2 py-1 text-xs">
                    {b.start_date ? formatDateIST(b.start_date) : "first bar"} – {b.end_date ? formatDateIST(b.end_date) : "last bar"}
                    {b.interval && b.interval !== "1d" ? ` · ${b.interval}` : ""}
                  </td>
                  <td className={`px-2 py-1 text-right tabular-nums ${changeClass(m.total_return_pct)}`}>
                    {formatMetric("total_return_pct", m.total_return_pct, "%")}
                  </td>
                  <td className="px-2 py-1 text-right tabular-nums">{formatMetric("sharpe_ratio", m.sharpe_ratio, "ratio")}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{formatMetric("max_drawdown_pct", m.max_drawdown_pct, "%")}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{formatMetric("trade_count", m.trade_count, "trades")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {saved.hasNextPage && (
        <div className="p-2">
          <Button variant="secondary" onClick={() => saved.fetchNextPage()} disabled={saved.isFetchingNextPage}>
            {saved.isFetchingNextPage ? "Loading…" : "Show older"}
          </Button>
        </div>
      )}
    </div>
  );
}
