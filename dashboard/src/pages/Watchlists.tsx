/**
 * Watchlists: several per user, stored by the gateway (`/api/watchlists`), ordered by
 * position; symbols reorder with the arrow buttons (keyboard reachable, unlike drag and
 * drop). Viewers see their lists but cannot change them (the API would answer 403).
 */
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, errorMessage, type Schemas } from "../api/client";
import { hasRole, useAuth } from "../lib/auth";
import { Button, Card, Empty, ErrorBox, Spinner, inputClass } from "../components/ui";
import { SymbolSearch } from "../components/watchlists/SymbolSearch";
import { WatchlistTable } from "../components/watchlists/WatchlistTable";
import { WATCHLISTS_KEY, useWatchlists } from "../components/watchlists/queries";

type Watchlist = Schemas["Watchlist"];

/** `list` moved from index `from` to `to`. */
export function moved<T>(list: T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

function NewList({ onCreate, busy }: { onCreate: (name: string) => void; busy: boolean }) {
  const [name, setName] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim()) onCreate(name.trim());
    setName("");
  }
  return (
    <form onSubmit={submit} className="flex items-center gap-1">
      <input aria-label="New watchlist name" placeholder="New list" value={name}
        onChange={(e) => setName(e.target.value)} className={`w-32 ${inputClass}`} />
      <Button type="submit" variant="secondary" disabled={busy || !name.trim()}>Create</Button>
    </form>
  );
}

export default function Watchlists() {
  const { me } = useAuth();
  const canEdit = hasRole(me, "trader");
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const lists = useWatchlists();
  const withPrices = useQuery({
    queryKey: ["symbols", "with-prices"],
    queryFn: ({ signal }) => api.get<Schemas["SymbolList"]>("/api/market/symbols", { with_prices: true, limit: 50 }, signal),
    staleTime: 300_000,
  });

  const invalidate = () => client.invalidateQueries({ queryKey: WATCHLISTS_KEY });
  const create = useMutation({
    mutationFn: (body: Schemas["WatchlistBody"]) => api.post<Watchlist>("/api/watchlists", body),
    onSuccess: (list) => { void invalidate(); setParams({ list: String(list.id) }); },
  });
  const change = useMutation({
    mutationFn: ({ id, body }: { id: number; body: Schemas["WatchlistChange"] }) =>
      api.put<Watchlist>(`/api/watchlists/${id}`, body),
    onSuccess: () => invalidate(),
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(`/api/watchlists/${id}`),
    onSuccess: () => { void invalidate(); setParams({}); },
  });

  if (lists.isPending) return <Spinner label="Loading your watchlists…" />;
  if (lists.isError) return <ErrorBox error={lists.error} retry={() => lists.refetch()} />;
  const all = [...lists.data.watchlists].sort((a, b) => a.position - b.position || a.id - b.id);
  const selected = all.find((l) => String(l.id) === params.get("list")) ?? all[0];
  const failure = create.error ?? change.error ?? remove.error;
  // the starter list: stocks with prices (not indices), as many as the button says
  const starter = (withPrices.data?.symbols ?? [])
    .filter((s) => s.bar_count > 0 && !s.symbol.startsWith("NIFTY")).map((s) => s.symbol).slice(0, 20);

  if (!selected) {
    return (
      <Empty title="No watchlists yet">
        {canEdit ? (
          <div className="mt-2 flex flex-col items-center gap-2">
            <Button disabled={create.isPending || starter.length === 0}
              onClick={() => create.mutate({ name: "Stocks with prices", symbols: starter })}>
              Create a list of the {starter.length} stocks with prices
            </Button>
            <NewList busy={create.isPending} onCreate={(name) => create.mutate({ name, symbols: [] })} />
            {failure && <p role="alert" className="text-rose-600">{errorMessage(failure)}</p>}
          </div>
        ) : "A trader or admin can create watchlists; you can open any chart from the navigation."}
      </Empty>
    );
  }

  const setSymbols = (symbols: string[]) => change.mutate({ id: selected.id, body: { symbols } });
  const moveList = async (from: number, to: number) => {
    // one PUT at a time, in order: positions must not interleave with another move
    try {
      for (const [position, list] of moved(all, from, to).entries()) {
        if (list.position !== position) await change.mutateAsync({ id: list.id, body: { position } });
      }
    } catch {
      /* shown from change.error */
    }
  };
  const index = all.indexOf(selected);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Watchlists">
        {all.map((list) => (
          <button key={list.id} type="button" aria-pressed={list.id === selected.id}
            onClick={() => setParams({ list: String(list.id) })}
            className={`rounded px-3 py-1 text-sm ${list.id === selected.id
              ? "bg-sky-600 text-white" : "bg-slate-200 hover:bg-slate-300 dark:bg-slate-800 dark:hover:bg-slate-700"}`}>
            {list.name} <span className="opacity-70">({list.symbols.length})</span>
          </button>
        ))}
        {canEdit && <NewList busy={create.isPending} onCreate={(name) => create.mutate({ name, symbols: [] })} />}
      </div>
      <Card title={selected.name} actions={canEdit && (
        <>
          <button type="button" aria-label="Move this list left" disabled={change.isPending || index === 0}
            onClick={() => moveList(index, index - 1)} className="rounded px-1 disabled:opacity-30">←</button>
          <button type="button" aria-label="Move this list right" disabled={change.isPending || index === all.length - 1}
            onClick={() => moveList(index, index + 1)} className="rounded px-1 disabled:opacity-30">→</button>
          <SymbolSearch busy={change.isPending}
            onPick={(symbol) => !selected.symbols.includes(symbol) && setSymbols([...selected.symbols, symbol])} />
          <Button variant="danger" onClick={() => window.confirm(`Delete the list "${selected.name}"?`) && remove.mutate(selected.id)}>
            Delete list
          </Button>
        </>
      )}>
        {failure && <ErrorBox error={failure} />}
        {selected.symbols.length === 0 ? (
          <Empty title="This list is empty">
            {canEdit ? "Add a symbol with the box above (e.g. RELIANCE, TCS, INFY)." : "Its owner has not added symbols yet."}
          </Empty>
        ) : (
          <WatchlistTable symbols={selected.symbols} editable={canEdit} busy={change.isPending}
            onMove={(from, to) => setSymbols(moved(selected.symbols, from, to))}
            onRemove={(symbol) => setSymbols(selected.symbols.filter((s) => s !== symbol))} />
        )}
      </Card>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Prices are the last stored daily bars, adjusted for splits and bonuses; they refresh every minute, and alerts arrive live.
      </p>
    </div>
  );
}
