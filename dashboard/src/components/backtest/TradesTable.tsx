/** The run's round trips: sortable by any column, downloadable as CSV (built here, in the browser). */
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { sortTrades, tradesCsv, type SortDir, type Trade, type TradeKey } from "../../lib/backtest";
import {
  changeClass, formatCount, formatDateIST, formatDateTimeIST, formatINR, formatNumber, formatPct,
} from "../../lib/format";
import { Badge, Button, Empty } from "../ui";

interface Column { key: TradeKey; label: string; numeric?: boolean }

const COLUMNS: Column[] = [
  { key: "symbol", label: "Symbol" },
  { key: "direction", label: "Side" },
  { key: "entry_time", label: "Entry" },
  { key: "exit_time", label: "Exit" },
  { key: "quantity", label: "Qty", numeric: true },
  { key: "entry_price_inr", label: "Entry ₹", numeric: true },
  { key: "exit_price_inr", label: "Exit ₹", numeric: true },
  { key: "pnl_inr", label: "P&L ₹", numeric: true },
  { key: "return_pct", label: "Return", numeric: true },
  { key: "costs_inr", label: "Costs ₹", numeric: true },
  { key: "exit_reason", label: "Exit reason" },
  { key: "bars_held", label: "Bars", numeric: true },
];

const REASON_TEXT: Record<Trade["exit_reason"], string> = {
  signal: "Signal", stop_loss: "Stop loss", take_profit: "Take profit", trailing_stop: "Trailing stop", open: "Still open",
};

/** Bar times are ISO dates (daily) or IST timestamps (intraday). */
function when(ts: string | null): string {
  if (!ts) return "—";
  return ts.length > 10 ? formatDateTimeIST(ts) : formatDateIST(ts);
}

export function downloadText(text: string, filename: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function TradesTable({ trades, id }: { trades: Trade[]; id: number }) {
  const [sort, setSort] = useState<{ key: TradeKey; dir: SortDir }>({ key: "entry_time", dir: "asc" });
  const sorted = useMemo(() => sortTrades(trades, sort.key, sort.dir), [trades, sort]);

  if (trades.length === 0) {
    return <Empty title="No trades">The strategy never entered in these dates: try other dates, symbols or parameters.</Empty>;
  }

  const toggle = (key: TradeKey) => setSort((s) => (s.key === key
    ? { key, dir: s.dir === "asc" ? "desc" : "asc" }
    : { key, dir: COLUMNS.find((c) => c.key === key)?.numeric ? "desc" : "asc" }));

  return (
    <div>
      <div className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-xs text-slate-500 dark:text-slate-400">
        <span>{formatCount(trades.length)} trades; click a column to sort. Prices include slippage, P&amp;L is net of both legs' costs.</span>
        <Button variant="secondary" onClick={() => downloadText(tradesCsv(sorted), `backtest-${id}-trades.csv`)}>
          Download CSV
        </Button>
      </div>
      <div className="max-h-[28rem] overflow-auto">
        <table data-testid="trades" className="w-full min-w-[56rem] text-sm">
          <caption className="sr-only">Trades, sorted by {sort.key} {sort.dir === "asc" ? "ascending" : "descending"}</caption>
          <thead className="sticky top-0 z-10 bg-slate-50 text-xs text-slate-500 dark:bg-slate-800 dark:text-slate-300">
            <tr>
              {COLUMNS.map((c) => {
                const active = sort.key === c.key;
                return (
                  <th key={c.key} scope="col" aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
                    className={`px-2 py-1.5 font-medium ${c.numeric ? "text-right" : "text-left"}`}>
                    <button type="button" onClick={() => toggle(c.key)}
                      className="inline-flex items-center gap-1 rounded hover:text-slate-900 focus-visible:ring-2 focus-visible:ring-sky-500 dark:hover:text-white">
                      {c.label}
                      <span aria-hidden className={active ? "" : "opacity-30"}>{active && sort.dir === "desc" ? "▼" : "▲"}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {sorted.map((t, i) => (
              <tr key={`${t.symbol}-${t.entry_time}-${i}`} data-testid="trade-row"
                className="border-t border-slate-100 odd:bg-white even:bg-slate-50/60 dark:border-slate-800 dark:odd:bg-slate-900 dark:even:bg-slate-800/40">
                <td className="px-2 py-1">
                  <Link to={`/chart/${encodeURIComponent(t.symbol)}?at=${t.entry_time.slice(0, 10)}`}
                    className="font-medium text-sky-700 hover:underline dark:text-sky-400">{t.symbol}</Link>
                </td>
                <td className="px-2 py-1"><Badge tone={t.direction === "long" ? "up" : "down"}>{t.direction}</Badge></td>
                <td className="whitespace-nowrap px-2 py-1 tabular-nums">{when(t.entry_time)}</td>
                <td className="whitespace-nowrap px-2 py-1 tabular-nums">{t.exit_reason === "open" ? "open" : when(t.exit_time)}</td>
                <td className="whitespace-nowrap px-2 py-1 text-right tabular-nums">{formatNumber(t.quantity, Number.isInteger(t.quantity) ? 0 : 4)}</td>
                <td className="whitespace-nowrap px-2 py-1 text-right tabular-nums">{formatINR(t.entry_price_inr)}</td>
                <td className="whitespace-nowrap px-2 py-1 text-right tabular-nums" title={t.exit_reason === "open" ? "last close (still open)" : undefined}>
                  {formatINR(t.exit_price_inr)}
                </td>
                <td className={`whitespace-nowrap px-2 py-1 text-right tabular-nums ${changeClass(t.pnl_inr)}`}>{formatINR(t.pnl_inr)}</td>
                <td className={`whitespace-nowrap px-2 py-1 text-right tabular-nums ${changeClass(t.return_pct)}`}>{formatPct(t.return_pct)}</td>
                <td className="whitespace-nowrap px-2 py-1 text-right tabular-nums">{formatINR(t.costs_inr)}</td>
                <td className="whitespace-nowrap px-2 py-1">{REASON_TEXT[t.exit_reason]}</td>
                <td className="whitespace-nowrap px-2 py-1 text-right tabular-nums">{formatCount(t.bars_held)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
