/** A symbol box with suggestions from GET /api/market/symbols?q= (symbols with prices first). */
import { useId, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { Button, inputClass } from "../ui";

export function SymbolSearch({ onPick, label = "Add symbol", busy = false }: {
  onPick: (symbol: string) => void; label?: string; busy?: boolean;
}) {
  const [text, setText] = useState("");
  const listId = useId();
  const q = text.trim();
  const suggestions = useQuery({
    queryKey: ["symbols", q],
    queryFn: ({ signal }) => api.get<Schemas["SymbolList"]>("/api/market/symbols", { q, limit: 10 }, signal),
    enabled: q.length >= 1,
    staleTime: 300_000,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!q) return;
    onPick(q.toUpperCase());
    setText("");
  }
  return (
    <form onSubmit={submit} className="flex items-center gap-1">
      <input aria-label={label} placeholder="Symbol, e.g. INFY" list={listId} value={text}
        onChange={(e) => setText(e.target.value)} className={`w-44 ${inputClass}`} />
      <datalist id={listId}>
        {suggestions.data?.symbols.map((s) => (
          <option key={s.symbol} value={s.symbol}>{s.name}{s.bar_count ? "" : " (no prices)"}</option>
        ))}
      </datalist>
      <Button type="submit" variant="secondary" disabled={busy || !q}>{label}</Button>
    </form>
  );
}
