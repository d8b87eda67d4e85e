/** The chart's symbol box: suggestions from GET /api/market/symbols?q=, Enter opens the first. */
import { useState, type FormEvent } from "react";
import { formatCount } from "../../lib/format";
import { inputClass } from "../ui";
import { useSymbolSearch } from "./queries";

export function ChartSymbolSearch({ onPick, autoFocus = false }: { onPick: (symbol: string) => void; autoFocus?: boolean }) {
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const q = text.trim();
  const found = useSymbolSearch(q);
  const symbols = found.data?.symbols ?? [];

  function pick(symbol: string) {
    setText("");
    setOpen(false);
    onPick(symbol);
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!q) return;
    const exact = symbols.find((s) => s.symbol === q.toUpperCase());
    pick(exact?.symbol ?? symbols[0]?.symbol ?? q.toUpperCase());
  }
  return (
    <form role="search" onSubmit={submit} className="relative"
      onBlur={(e) => { if (!e.currentTarget.contains(e.relatedTarget)) setOpen(false); }}
      onKeyDown={(e) => { if (e.key === "Escape") setOpen(false); }}>
      <input type="search" aria-label="Search symbols" placeholder="Symbol or company" value={text} autoFocus={autoFocus}
        onChange={(e) => { setText(e.target.value); setOpen(true); }} onFocus={() => setOpen(true)}
        className={`w-56 max-w-full ${inputClass}`} />
      {open && q && (
        <ul className="absolute inset-x-0 z-30 mt-1 max-h-72 overflow-y-auto rounded border border-slate-200 bg-white py-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          {found.isPending && <li className="px-2 py-1 text-slate-500 dark:text-slate-400">Searching…</li>}
          {found.isError && <li className="px-2 py-1 text-rose-600 dark:text-rose-400">Search failed; press Enter to open “{q.toUpperCase()}”.</li>}
          {found.isSuccess && symbols.length === 0 && (
            <li className="px-2 py-1 text-slate-500 dark:text-slate-400">No listed symbol matches “{q}”.</li>
          )}
          {symbols.map((s) => (
            <li key={s.symbol}>
              <button type="button" onClick={() => pick(s.symbol)}
                className="w-full px-2 py-1 text-left hover:bg-slate-100 focus-visible:bg-slate-100 dark:hover:bg-slate-800 dark:focus-visible:bg-slate-800">
                <span className="font-medium">{s.symbol}</span>{" "}
                <span className="text-xs text-slate-500 dark:text-slate-400">{s.name}</span>
                <span className="block text-[11px] text-slate-500 dark:text-slate-400">
                  {s.bar_count ? `${formatCount(s.bar_count)} daily bars` : "no prices stored"}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
