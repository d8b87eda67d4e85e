/** API keys for scripts: who holds each, its role, use and expiry; create and revoke. */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { useNow } from "../../lib/useNow";
import { Badge, Card, ErrorBox, Spinner } from "../ui";
import { AddKeyForm } from "./AddKeyForm";
import { ConfirmButton, EmptyRow, InlineError, rowClass, tableClass, td, th } from "./bits";
import { FieldValue } from "./fields";
import { NewKeyNotice } from "./NewKeyNotice";
import { KEYS, fetchApiKeys, fetchUsers } from "./queries";

type ApiKey = Schemas["ApiKeyInfo"];

export function keyState(key: ApiKey, now: number): "revoked" | "expired" | "active" {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && new Date(key.expires_at).getTime() <= now) return "expired";
  return "active";
}

function KeyRow({ apiKey, now }: { apiKey: ApiKey; now: number }) {
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api.delete<ApiKey>(`/api/auth/keys/${encodeURIComponent(apiKey.id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS.apiKeys }),
  });
  const state = keyState(apiKey, now);
  return (
    <tr data-key-id={apiKey.id} className={rowClass}>
      <td className={`${td} whitespace-nowrap font-medium ${state === "active" ? "" : "text-slate-500 dark:text-slate-400"}`}>{apiKey.name}</td>
      <td className={`${td} whitespace-nowrap`}>{apiKey.user_name}</td>
      <td className={`${td} whitespace-nowrap`}>{apiKey.role}</td>
      <td className={`${td} whitespace-nowrap`}>
        <Badge tone={state === "active" ? "up" : state === "expired" ? "warn" : "down"}>{state}</Badge>
      </td>
      <td className={`${td} whitespace-nowrap`}><FieldValue name="last_used_at" value={apiKey.last_used_at} now={now} /></td>
      <td className={`${td} whitespace-nowrap`}>
        {apiKey.expires_at ? <FieldValue name="expires_at" value={apiKey.expires_at} now={now} /> : "Never"}
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <FieldValue name={state === "revoked" ? "revoked_at" : "created_at"}
          value={state === "revoked" ? apiKey.revoked_at : apiKey.created_at} now={now} />
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <code className="text-xs text-slate-500 dark:text-slate-400" title="Key id (not the key)">{apiKey.id}</code>
      </td>
      <td className={td}>
        {state !== "revoked" && (
          <ConfirmButton label="Revoke" ariaLabel={`Revoke key ${apiKey.name}`} yesLabel="Revoke"
            question="Revoke? Scripts using it stop working." busy={revoke.isPending}
            onConfirm={() => revoke.mutate()} />
        )}
        <InlineError error={revoke.error} />
      </td>
    </tr>
  );
}

export function KeysPanel() {
  const now = useNow();
  const keys = useQuery({ queryKey: KEYS.apiKeys, queryFn: ({ signal }) => fetchApiKeys(signal) });
  const users = useQuery({ queryKey: KEYS.users, queryFn: ({ signal }) => fetchUsers(signal) });
  const [created, setCreated] = useState<Schemas["ApiKeyCreated"] | null>(null);

  return (
    <Card title="API keys">
      <div className="space-y-3 p-3">
        {created && <NewKeyNotice created={created} onDone={() => setCreated(null)} />}
        {keys.isPending ? <Spinner label="Loading API keys…" /> : keys.isError ? (
          <ErrorBox error={keys.error} retry={() => keys.refetch()} />
        ) : (
          <div className="overflow-x-auto rounded border border-slate-200 dark:border-slate-800">
            <table data-testid="keys-table" className={tableClass(keys.data.keys.length === 0)}>
              <thead className="bg-slate-50 dark:bg-slate-800/60">
                <tr>
                  {["Name", "User", "Role", "State", "Last used", "Expires", "Created / revoked", "Id"].map((h) => (
                    <th key={h} scope="col" className={th}>{h}</th>
                  ))}
                  <th scope="col" className={th}><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {keys.data.keys.map((k) => <KeyRow key={k.id} apiKey={k} now={now} />)}
                {keys.data.keys.length === 0 && (
                  <EmptyRow columns={9} title="No API keys yet">
                    Create one below for a script; it sends the key in the X-API-Key header.
                  </EmptyRow>
                )}
              </tbody>
            </table>
          </div>
        )}
        <AddKeyForm users={users.data?.users ?? []} onCreated={setCreated} />
      </div>
    </Card>
  );
}
