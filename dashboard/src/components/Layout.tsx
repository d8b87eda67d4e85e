/** The frame of every signed-in page: navigation, session, theme, and the live alerts panel. */
import { useState, type ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import { useAlerts } from "../lib/alerts";
import { hasRole, useAuth } from "../lib/auth";
import { useTheme } from "../lib/theme";
import { AlertsPanel, StreamStatus } from "./AlertsPanel";

const LINKS: { to: string; label: string; admin?: boolean }[] = [
  { to: "/", label: "Watchlists" },
  { to: "/chart/RELIANCE", label: "Chart" },
  { to: "/news", label: "News" },
  { to: "/screener", label: "Screener" },
  { to: "/backtest", label: "Backtest" },
  { to: "/research", label: "Research" },
  { to: "/system", label: "System", admin: true },
];

export function Layout({ children }: { children: ReactNode }) {
  const { me, localMode, logout } = useAuth();
  const { unseen } = useAlerts();
  const [theme, toggleTheme] = useTheme();
  const [panelOpen, setPanelOpen] = useState(() => window.innerWidth >= 1024);
  const navigate = useNavigate();

  return (
    <div className="flex h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">Skip to content</a>
      <header className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
        <span className="font-bold tracking-tight text-emerald-600 dark:text-emerald-400">Trading-Chitti</span>
        <nav aria-label="Pages" className="flex flex-wrap gap-1 text-sm">
          {LINKS.filter((l) => !l.admin || hasRole(me, "admin")).map((link) => (
            <NavLink key={link.to} to={link.to} end={link.to === "/"}
              className={({ isActive }) => `rounded px-2 py-1 ${isActive
                ? "bg-slate-200 font-medium dark:bg-slate-800" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
              {link.label}
            </NavLink>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          <StreamStatus />
          <button type="button" data-testid="alerts-toggle" aria-expanded={panelOpen}
            onClick={() => setPanelOpen((o) => !o)}
            className="relative rounded px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800">
            Alerts
            {unseen > 0 && (
              <span data-testid="unseen-badge"
                className="absolute -right-1 -top-1 rounded-full bg-rose-600 px-1.5 text-xs text-white">
                <span aria-hidden>{unseen > 99 ? "99+" : unseen}</span>
                <span className="sr-only">{unseen} new alerts</span>
              </span>
            )}
          </button>
          <button type="button" onClick={toggleTheme} aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
            className="rounded px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800">
            {theme === "dark" ? "☀ Light" : "☾ Dark"}
          </button>
          {localMode ? (
            <span data-testid="local-mode" title="CHITTI_AUTH=off: one local user, loopback only"
              className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
              Local single-user mode
            </span>
          ) : (
            <span className="flex items-center gap-2">
              <span data-testid="whoami" title={`${me?.name} (${me?.role})`} className="max-w-40 truncate text-slate-600 dark:text-slate-300">{me?.name} · {me?.role}</span>
              <button type="button" onClick={async () => { await logout(); navigate("/login"); }}
                className="rounded px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800">Log out</button>
            </span>
          )}
        </div>
      </header>
      <div className="flex min-h-0 flex-1">
        <main id="main" className="min-w-0 flex-1 overflow-y-auto p-3">{children}</main>
        {panelOpen && (
          <div className="fixed inset-x-0 bottom-0 top-24 z-20 border-l border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900 lg:static lg:w-80 lg:shrink-0">
            <AlertsPanel open={panelOpen} />
          </div>
        )}
      </div>
    </div>
  );
}
