/**
 * The symbols of a run, typed as "RELIANCE, TCS": the word being typed is searched among the
 * symbols that have prices (GET /api/market/symbols?with_prices=true), and a pick replaces it.
 */
import { useEffect, useId, useState } from "react";
import { useQueries } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { parseSymbols } from "../../lib/backtest";
import { formatCount, formatDateIST } from "../../lib/format";
import { inputClass } from "../ui";
import { FieldError } from "./FieldInput";
import { keys, useSymbolSearch } from "./queries";

type SymbolInfo = Schemas["SymbolInfo"];

function lastWord(text: string): string {
  return (text.split(",").pop() ?? "").trim();
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

function range(info: SymbolInfo): string {
  if (!info.first_date || !info.last_date) return "no bars";
  return `${formatDateIST(info.first_date)} – ${formatDateIST(info.last_date)}`;
}

export function SymbolInput({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  const id = useId();
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const word = useDebounced(lastWord(value).toUpperCase(), 200);
  const search = useSymbolSearch(word, open);
  const options = search.data?.symbols ?? [];

  const pick = (symbol: string) => {
    const parts = value.split(",");
    parts[parts.length - 1] = ` ${symbol}`;
    onChange(`${parts.join(",").trim()}, `);
    setActive(-1);
  };

  return (
    <div className="relative">
      <label htmlFor={id} className="block text-xs font-medium text-slate-600 dark:text-slate-300">Symbols</label>
      <input id={id} role="combobox" aria-expanded={open && options.length > 0} aria-controls={listId}
        aria-autocomplete="list" autoComplete="off" spellCheck={false}
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : `${id}-help`}
        value={value} placeholder="e.g. RELIANCE, TCS"
        onChange={(e) => { onChange(e.target.value); setOpen(true); setActive(-1); }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") { e.preventDefault(); setOpen(true); setActive((a) => Math.min(a + 1, options.length - 1)); }
          else if (e.key === "ArrowUp") { e.preventDefault(); setActive((a) => Math.max(a - 1, -1)); }
          else if (e.key === "Enter" && open && active >= 0 && options[active]) { e.preventDefault(); pick(options[active].symbol); }
          else if (e.key === "Escape") setOpen(false);
        }}
        className={`mt-1 w-full ${inputClass} ${error ? "ring-1 ring-rose-500" : ""}`} />
      {open && options.length > 0 && (
        <ul id={listId} role="listbox" aria-label="Matching tickers"
          className="absolute z-30 mt-1 max-h-64 w-full overflow-auto rounded border border-slate-200 bg-white text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          {options.map((s, i) => (
            <li key={s.symbol} id={`${listId}-${i}`} role="option" aria-selected={i === active}
              // mousedown, not click: the input's blur would close the list first
              onMouseDown={(e) => { e.preventDefault(); pick(s.symbol); }}
              className={`cursor-pointer px-2 py-1 ${i === active ? "bg-sky-100 dark:bg-sky-900/60" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
              <span className="font-medium">{s.symbol}</span>
              <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">{s.name !== s.symbol ? s.name : ""}</span>
              <span className="block text-xs text-slate-500 dark:text-slate-400">{range(s)} · {formatCount(s.bar_count)} bars</span>
            </li>
          ))}
        </ul>
      )}
      <SymbolCoverage symbols={parseSymbols(value)} helpId={`${id}-help`} />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** The bar range of each chosen symbol (the first few), so the dates can be chosen to fit. */
function SymbolCoverage({ symbols, helpId }: { symbols: string[]; helpId: string }) {
  const shown = symbols.slice(0, 6);
  const results = useQueries({
    queries: shown.map((symbol) => ({
      queryKey: keys.symbols(symbol),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Schemas["SymbolList"]>(
        "/api/market/symbols", { q: symbol, with_prices: true, limit: 12 }, signal),
      staleTime: 5 * 60_000,
    })),
  });
  if (shown.length === 0) {
    return <p id={helpId} className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">One or more, comma-separated; several share one cash account.</p>;
  }
  return (
    <ul id={helpId} className="mt-0.5 space-y-0.5 text-xs text-slate-500 dark:text-slate-400">
      {shown.map((symbol, i) => {
        const r = results[i];
        const info = r.data?.symbols.find((s) => s.symbol.toUpperCase() === symbol);
        return (
          <li key={symbol}>
            <span className="font-medium text-slate-600 dark:text-slate-300">{symbol}</span>{" "}
            {r.isPending ? "…" : info ? `${range(info)} (${formatCount(info.bar_count)} bars)`
              : <span className="text-amber-700 dark:text-amber-400">no prices under this symbol</span>}
          </li>
        );
      })}
      {symbols.length > shown.length && <li>and {symbols.length - shown.length} more</li>}
    </ul>
  );
}
