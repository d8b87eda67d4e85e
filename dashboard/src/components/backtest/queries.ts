/** The Backtest page's gateway calls, as react-query hooks with one key scheme. */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import {
  jobFinished, viewOfStored, type Catalog, type JobInfo, type ResultView, type StoredBacktest,
} from "../../lib/backtest";

export const keys = {
  catalog: ["strategies"] as const,
  results: ["backtest-results"] as const,
  result: (id: number) => ["backtest-result", id] as const,
  job: (id: string) => ["job", id] as const,
  symbols: (q: string) => ["symbols", "with-prices", q] as const,
  bench: (symbol: string, start: string, end: string, adjust: string) => ["bench", symbol, start, end, adjust] as const,
};

/** Shipped strategies, cost profile names and metric units: they change only with a release. */
export function useCatalog() {
  return useQuery({
    queryKey: keys.catalog,
    queryFn: ({ signal }) => api.get<Catalog>("/api/strategies", undefined, signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useStoredResult(id: number | null) {
  return useQuery<ResultView>({
    queryKey: keys.result(id ?? 0),
    queryFn: async ({ signal }) => viewOfStored(
      await api.get<StoredBacktest>(`/api/backtest/results/${id}`, undefined, signal)),
    enabled: id !== null,
    // a stored backtest never changes
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useSavedResults() {
  return useInfiniteQuery({
    queryKey: keys.results,
    queryFn: ({ pageParam, signal }) => api.get<Schemas["BacktestList"]>(
      "/api/backtest/results", { limit: 20, before_id: pageParam ?? undefined }, signal),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before_id,
  });
}

/** One job, polled every second until it is done, failed or cancelled. */
export function useJob(id: string | null) {
  return useQuery({
    queryKey: keys.job(id ?? ""),
    queryFn: ({ signal }) => api.get<JobInfo>(`/api/jobs/${encodeURIComponent(id ?? "")}`, undefined, signal),
    enabled: id !== null,
    refetchInterval: (query) => (jobFinished(query.state.data) || query.state.error ? false : 1000),
    staleTime: 0,
  });
}

export function useSymbolSearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.symbols(q),
    queryFn: ({ signal }) => api.get<Schemas["SymbolList"]>(
      "/api/market/symbols", { q: q || undefined, with_prices: true, limit: 12 }, signal),
    enabled,
    staleTime: 5 * 60_000,
    placeholderData: (previous) => previous,
  });
}

/** Daily closes of the benchmark over the run's days (the reply carries only its return). */
export function useBenchmarkBars(symbol: string | null, start: string, end: string, adjust: string) {
  return useQuery({
    queryKey: keys.bench(symbol ?? "", start, end, adjust),
    queryFn: ({ signal }) => api.get<Schemas["OhlcvResult"]>(
      `/api/market/${encodeURIComponent(symbol ?? "")}/ohlcv`, { start, end, adjust, interval: "1d" }, signal),
    enabled: Boolean(symbol && start && end),
    staleTime: Number.POSITIVE_INFINITY,
  });
}
