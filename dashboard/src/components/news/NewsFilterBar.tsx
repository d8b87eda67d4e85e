/** The News filters: symbol, sentiment, publisher, period and a full-text search, all in the URL. */
import { useId } from "react";
import { Button, inputClass } from "../ui";
import { SENTIMENTS, SINCE_OPTIONS, hasFilters, type NewsFilters } from "./newsFilters";
import { useDebouncedCommit } from "./useDebouncedCommit";

interface Props {
  filters: NewsFilters;
  onChange: (key: keyof NewsFilters, value: string) => void;
  onClear: () => void;
  /** Publishers seen in the loaded articles, offered as suggestions. */
  publishers: string[];
}

function TextFilter({ label, value, onCommit, placeholder, transform, list, className = "" }: {
  label: string; value: string; onCommit: (value: string) => void; placeholder: string;
  transform?: (value: string) => string; list?: string; className?: string;
}) {
  const { draft, change, flush } = useDebouncedCommit(value, onCommit);
  return (
    <label className={`flex flex-col gap-0.5 text-xs text-slate-600 dark:text-slate-400 ${className}`}>
      {label}
      <input type="search" value={draft} placeholder={placeholder} list={list} spellCheck={false}
        onChange={(e) => change(transform ? transform(e.target.value) : e.target.value)}
        onKeyDown={(e) => { if (e.key === "Enter") flush(); }}
        className={`${inputClass} h-8 w-full`} />
    </label>
  );
}

export function NewsFilterBar({ filters, onChange, onClear, publishers }: Props) {
  const listId = useId();
  return (
    <form role="search" aria-label="Filter news" onSubmit={(e) => e.preventDefault()}
      className="grid grid-cols-2 items-end gap-2 sm:grid-cols-3 lg:grid-cols-[2fr_1fr_1fr_1.3fr_1fr_auto]">
      <TextFilter label="Search headlines" value={filters.q} onCommit={(v) => onChange("q", v)}
        placeholder='e.g. "rate cut" -SBI' className="col-span-2 sm:col-span-3 lg:col-span-1" />
      <TextFilter label="Symbol" value={filters.symbol} onCommit={(v) => onChange("symbol", v)}
        placeholder="e.g. INFY" transform={(v) => v.toUpperCase()} />
      <label className="flex flex-col gap-0.5 text-xs text-slate-600 dark:text-slate-400">
        Sentiment
        <select value={filters.sentiment} onChange={(e) => onChange("sentiment", e.target.value)}
          className={`${inputClass} h-8 w-full`}>
          <option value="">Any sentiment</option>
          {SENTIMENTS.map((s) => <option key={s} value={s}>{s[0].toUpperCase() + s.slice(1)}</option>)}
        </select>
      </label>
      <TextFilter label="Publisher" value={filters.source} onCommit={(v) => onChange("source", v)}
        placeholder="e.g. Mint" list={listId} />
      <datalist id={listId}>
        {publishers.map((p) => <option key={p} value={p} />)}
      </datalist>
      <label className="flex flex-col gap-0.5 text-xs text-slate-600 dark:text-slate-400">
        Published
        <select value={filters.since} onChange={(e) => onChange("since", e.target.value)}
          className={`${inputClass} h-8 w-full`}>
          {SINCE_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
      <Button variant="secondary" onClick={onClear} disabled={!hasFilters(filters)}
        className="h-8 py-0 disabled:opacity-50">
        Clear filters
      </Button>
    </form>
  );
}
