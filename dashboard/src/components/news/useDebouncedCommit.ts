/**
 * A text field whose value is committed (to the URL) only after the user pauses typing, so a
 * search is not sent on every keystroke. Changes of `value` from outside (a "Clear filters"
 * button, the back button) replace what is in the field.
 */
import { useEffect, useRef, useState } from "react";

export function useDebouncedCommit(value: string, commit: (value: string) => void, delayMs = 300) {
  const [draft, setDraft] = useState(value);
  const commitRef = useRef(commit);
  const committed = useRef(value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    commitRef.current = commit;
  }, [commit]);

  // The value changed elsewhere (not by our own commit): show it, drop any pending commit.
  useEffect(() => {
    if (value === committed.current) return;
    committed.current = value;
    clearTimeout(timer.current);
    setDraft(value);
  }, [value]);

  useEffect(() => () => clearTimeout(timer.current), []);

  function send(next: string) {
    committed.current = next.trim();
    commitRef.current(next);
  }

  function change(next: string) {
    setDraft(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => send(next), delayMs);
  }

  /** Commit at once (Enter). */
  function flush() {
    clearTimeout(timer.current);
    send(draft);
  }

  return { draft, change, flush };
}
