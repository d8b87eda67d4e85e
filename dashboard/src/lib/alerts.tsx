/**
 * Alerts for every page: the latest page from `GET /api/alerts`, then the live stream on
 * top of it (resumed from the newest id on screen, so nothing is shown twice), the count
 * of alerts not yet seen, filters, and muted rules remembered in the browser.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { refreshSession, request, type Schemas } from "../api/client";
import { AlertStream, type StreamState } from "./stream";

export type Alert = Schemas["Alert"];

export interface AlertFilter {
  symbol: string;
  direction: "" | "bullish" | "bearish" | "neutral";
  kind: "" | "technical" | "news" | "combined";
  minImpact: number;
}

export const NO_FILTER: AlertFilter = { symbol: "", direction: "", kind: "", minImpact: 0 };

/** The 61 candlestick rules make most technical alerts; they can be muted as one group. */
export const CANDLE_GROUP = "candle_*";
const MUTE_KEY = "chitti.mutedRules";
const KEEP = 500;

export function isMuted(alert: Alert, muted: ReadonlySet<string>): boolean {
  const rule = alert.rule ?? "";
  return muted.has(rule) || (muted.has(CANDLE_GROUP) && rule.startsWith("candle_"));
}

export function matches(alert: Alert, filter: AlertFilter): boolean {
  if (filter.symbol && alert.symbol !== filter.symbol.toUpperCase()) return false;
  if (filter.direction && alert.direction !== filter.direction) return false;
  if (filter.kind && alert.kind !== filter.kind) return false;
  return alert.impact >= filter.minImpact;
}

/** Merge new alerts into a newest-first list without duplicates, keeping the newest KEEP. */
export function mergeAlerts(current: Alert[], incoming: Alert[]): Alert[] {
  const ids = new Set(current.map((a) => a.id));
  const fresh = incoming.filter((a) => !ids.has(a.id));
  if (!fresh.length) return current;
  return [...fresh, ...current].sort((a, b) => b.id - a.id).slice(0, KEEP);
}

interface AlertsValue {
  alerts: Alert[];
  visible: Alert[];
  state: StreamState;
  stateDetail?: string;
  unseen: number;
  markSeen: () => void;
  filter: AlertFilter;
  setFilter: (filter: AlertFilter) => void;
  muted: ReadonlySet<string>;
  toggleMute: (rule: string) => void;
  loadError: unknown;
}

const AlertsContext = createContext<AlertsValue | null>(null);

function loadMuted(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(MUTE_KEY) ?? "[]") as string[]);
  } catch {
    return new Set();
  }
}

export function AlertsProvider({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [state, setState] = useState<StreamState>("connecting");
  const [stateDetail, setStateDetail] = useState<string>();
  const [seenUpTo, setSeenUpTo] = useState(0);
  const [filter, setFilter] = useState<AlertFilter>(NO_FILTER);
  const [muted, setMuted] = useState<Set<string>>(loadMuted);
  const [loadError, setLoadError] = useState<unknown>(null);
  const streamRef = useRef<AlertStream<Alert> | null>(null);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    (async () => {
      let newest = 0;
      try {
        const page = await request<Schemas["AlertPage"]>("/api/alerts", { query: { limit: 200 } });
        if (cancelled) return;
        setAlerts(page.alerts);
        newest = page.alerts[0]?.id ?? 0;
        setSeenUpTo(newest);
        setLoadError(null);
      } catch (error) {
        setLoadError(error);
      }
      if (cancelled) return;
      const stream = new AlertStream<Alert>({
        lastEventId: newest,
        refresh: refreshSession,
        onEvent: (event) => setAlerts((list) => mergeAlerts(list, [event.data])),
        onState: (next, detail) => { setState(next); setStateDetail(detail); },
      });
      streamRef.current = stream;
      stream.start();
    })();
    return () => {
      cancelled = true;
      streamRef.current?.stop();
      streamRef.current = null;
    };
  }, [enabled]);

  const toggleMute = useCallback((rule: string) => {
    setMuted((current) => {
      const next = new Set(current);
      if (next.has(rule)) next.delete(rule); else next.add(rule);
      localStorage.setItem(MUTE_KEY, JSON.stringify([...next]));
      return next;
    });
  }, []);

  const visible = useMemo(
    () => alerts.filter((a) => !isMuted(a, muted) && matches(a, filter)),
    [alerts, muted, filter],
  );
  const unseen = useMemo(
    () => alerts.filter((a) => a.id > seenUpTo && !isMuted(a, muted)).length,
    [alerts, seenUpTo, muted],
  );
  const markSeen = useCallback(() => setSeenUpTo(alerts[0]?.id ?? 0), [alerts]);

  const value: AlertsValue = {
    alerts, visible, state, stateDetail, unseen, markSeen, filter, setFilter, muted, toggleMute, loadError,
  };
  return <AlertsContext.Provider value={value}>{children}</AlertsContext.Provider>;
}

export function useAlerts(): AlertsValue {
  const value = useContext(AlertsContext);
  if (!value) throw new Error("useAlerts outside AlertsProvider");
  return value;
}
