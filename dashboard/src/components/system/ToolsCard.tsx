/** Links to the gateway's own pages: interactive API docs, the OpenAPI document, Prometheus metrics. */
import { Card } from "../ui";

const LINKS = [
  { href: "/docs", label: "API documentation", note: "try every route with your session" },
  { href: "/openapi.json", label: "OpenAPI document", note: "the dashboard's types come from it" },
  { href: "/metrics", label: "Prometheus metrics", note: "requests, latency, streams, rate limits" },
];

export function ToolsCard() {
  return (
    <Card title="Gateway tools">
      <ul className="grid gap-2 p-3 text-sm sm:grid-cols-3">
        {LINKS.map((link) => (
          <li key={link.href}>
            <a href={link.href} target="_blank" rel="noopener noreferrer"
              className="font-medium text-sky-700 hover:underline dark:text-sky-400">{link.label} ↗</a>
            <p className="text-xs text-slate-500 dark:text-slate-400">{link.note}</p>
          </li>
        ))}
      </ul>
    </Card>
  );
}
