/**
 * System (admin): health of every component, news feeds and ingestion, users, API keys and
 * long jobs, one section under another; `/system#feeds` opens at a section.
 */
import { useEffect } from "react";
import { useLocation } from "react-router";
import { FeedsPanel } from "../components/system/FeedsPanel";
import { HealthPanel } from "../components/system/HealthPanel";
import { JobsPanel } from "../components/system/JobsPanel";
import { KeysPanel } from "../components/system/KeysPanel";
import { ToolsCard } from "../components/system/ToolsCard";
import { UsersPanel } from "../components/system/UsersPanel";

const SECTIONS = [
  { id: "health", label: "Health", Panel: HealthPanel },
  { id: "feeds", label: "News feeds", Panel: FeedsPanel },
  { id: "users", label: "Users", Panel: UsersPanel },
  { id: "keys", label: "API keys", Panel: KeysPanel },
  { id: "jobs", label: "Jobs", Panel: JobsPanel },
  { id: "tools", label: "Tools", Panel: ToolsCard },
] as const;

export default function System() {
  const { hash } = useLocation();

  // A link such as /system#feeds arrives before the sections render: scroll once they have.
  useEffect(() => {
    const id = decodeURIComponent(hash.slice(1));
    if (!id) return;
    const timer = setTimeout(() => document.getElementById(id)?.scrollIntoView({ block: "start" }), 50);
    return () => clearTimeout(timer);
  }, [hash]);

  return (
    <div className="mx-auto max-w-6xl space-y-4">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <h1 className="text-lg font-semibold">System</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">Health, news feeds, users and API keys. Times in IST.</p>
        </div>
        <nav aria-label="System sections" className="flex flex-wrap gap-1 text-sm">
          {SECTIONS.map((s) => (
            <a key={s.id} href={`#${s.id}`}
              className="rounded px-2 py-1 text-sky-700 hover:bg-slate-100 dark:text-sky-400 dark:hover:bg-slate-800">
              {s.label}
            </a>
          ))}
        </nav>
      </header>
      {SECTIONS.map(({ id, Panel }) => (
        <div key={id} id={id} className="scroll-mt-2"><Panel /></div>
      ))}
    </div>
  );
}
