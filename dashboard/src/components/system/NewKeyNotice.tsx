/** A just-created API key, shown this once: copy it now, it cannot be shown again. */
import { useState } from "react";
import type { Schemas } from "../../api/client";
import { formatDateTimeIST } from "../../lib/format";
import { Button, inputClass } from "../ui";

type Copy = "idle" | "copied" | "failed";

export function NewKeyNotice({ created, onDone }: { created: Schemas["ApiKeyCreated"]; onDone: () => void }) {
  const [copy, setCopy] = useState<Copy>("idle");

  async function copyKey() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy("copied");
    } catch {
      // No clipboard (plain http, or permission refused): the field below can be copied by hand.
      setCopy("failed");
    }
  }

  return (
    <div data-testid="new-api-key" role="status"
      className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100">
      <p className="font-semibold">
        Copy the key “{created.name}” now: it will not be shown again.
      </p>
      <p className="text-xs">
        For {created.user_name} as {created.role}
        {created.expires_at ? `, until ${formatDateTimeIST(created.expires_at)}` : ", without expiry"}.
        Scripts send it in the <code>X-API-Key</code> header. Only its hash is stored; if it is lost, revoke it and make a new one.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <input readOnly value={created.key} aria-label="The new API key" onFocus={(e) => e.target.select()}
          className={`${inputClass} min-w-0 flex-1 font-mono text-xs`} />
        <Button onClick={copyKey}>{copy === "copied" ? "Copied ✓" : "Copy key"}</Button>
        <Button variant="secondary" onClick={onDone}>I have stored it</Button>
      </div>
      {copy === "failed" && (
        <p role="alert" className="text-xs">The browser refused the clipboard: select the key above and press Ctrl+C.</p>
      )}
    </div>
  );
}
