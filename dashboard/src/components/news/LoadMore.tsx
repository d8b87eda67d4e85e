/**
 * The foot of an endless list: an invisible sentinel that fetches the next page when it
 * scrolls into view, a "Load more" button for the keyboard (and browsers without
 * IntersectionObserver), and a line saying when the end is reached.
 */
import { useEffect, useRef } from "react";
import { Button, ErrorBox } from "../ui";

/** The nearest scrolling ancestor (the layout's <main>), so rootMargin applies where the list scrolls. */
function scrollParent(node: HTMLElement): HTMLElement | null {
  for (let el = node.parentElement; el; el = el.parentElement) {
    const { overflowY } = getComputedStyle(el);
    if (overflowY === "auto" || overflowY === "scroll") return el;
  }
  return null;
}

interface Props {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  /** An error of the last next-page fetch (the first page's error is shown by the page). */
  error?: unknown;
  endText: string;
}

export function LoadMore({ hasNextPage, isFetchingNextPage, fetchNextPage, error, endText }: Props) {
  const sentinel = useRef<HTMLDivElement>(null);
  const fetchRef = useRef(fetchNextPage);
  useEffect(() => {
    fetchRef.current = fetchNextPage;
  }, [fetchNextPage]);

  const armed = hasNextPage && !isFetchingNextPage && !error;
  useEffect(() => {
    const node = sentinel.current;
    if (!armed || !node || typeof IntersectionObserver === "undefined") return;
    // rootMargin: start fetching a little before the bottom is reached.
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) fetchRef.current();
    }, { root: scrollParent(node), rootMargin: "400px 0px" });
    observer.observe(node);
    return () => observer.disconnect();
  }, [armed]);

  return (
    <div className="py-3 text-center text-sm text-slate-500 dark:text-slate-400">
      <div ref={sentinel} aria-hidden className="h-px" />
      {error ? (
        <ErrorBox error={error} retry={fetchNextPage} hint="The articles above are still valid." />
      ) : hasNextPage ? (
        <Button variant="secondary" onClick={fetchNextPage} disabled={isFetchingNextPage}
          data-testid="load-more">
          {isFetchingNextPage ? "Loading more…" : "Load more"}
        </Button>
      ) : (
        <p data-testid="news-end">{endText}</p>
      )}
    </div>
  );
}
