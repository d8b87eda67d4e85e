/** What to do when no article is listed: loosen the filters, or get some feeds ingested. */
import { Link } from "react-router";
import { hasRole, useAuth } from "../../lib/auth";
import { Button, Empty } from "../ui";

export function NewsEmpty({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  const { me } = useAuth();
  if (filtered) {
    return (
      <Empty title="No articles match these filters">
        <p>Try a shorter search, another publisher or period, or a symbol&apos;s NSE code (e.g. RELIANCE).</p>
        <Button variant="secondary" className="mt-2" onClick={onClear}>Clear filters</Button>
      </Empty>
    );
  }
  return (
    <Empty title="No news has been stored yet">
      {hasRole(me, "admin") ? (
        <p>
          No feed has been ingested. Add RSS feeds or press &ldquo;Ingest now&rdquo; on the{" "}
          <Link to="/system#feeds" className="text-sky-700 underline dark:text-sky-400">System page</Link>.
        </p>
      ) : (
        <p>No feed has been ingested yet. Ask an administrator to add news feeds on the System page.</p>
      )}
    </Empty>
  );
}
