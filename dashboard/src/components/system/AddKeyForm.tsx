/** Create an API key for a script (POST /api/auth/keys); the reply holds the key, once. */
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { Button, inputClass } from "../ui";
import { Field, InlineError } from "./bits";
import { KEYS } from "./queries";
import { ROLES, type UserRole } from "./roles";

type NewApiKey = Schemas["NewApiKey"];
type Created = Schemas["ApiKeyCreated"];

export function AddKeyForm({ users, onCreated }: { users: readonly Schemas["UserInfo"][]; onCreated: (key: Created) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [user, setUser] = useState("");
  const [role, setRole] = useState<UserRole | "">("");
  const [days, setDays] = useState("");

  const add = useMutation({
    mutationFn: (body: NewApiKey) => api.post<Created>("/api/auth/keys", body),
    onSuccess: (created) => {
      onCreated(created);
      setName("");
      setDays("");
      return client.invalidateQueries({ queryKey: KEYS.apiKeys });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({
      name: name.trim(),
      user: user || null,
      role: role || null,
      expires_days: days ? Number(days) : null,
    });
  }

  return (
    <form onSubmit={submit} aria-label="Create an API key" className="space-y-2">
      <div className="grid grid-cols-1 items-start gap-2 sm:grid-cols-2 lg:grid-cols-[1.4fr_1fr_1fr_1fr_auto]">
        <Field label="Key name" hint="what uses it, e.g. nightly script">
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} className={inputClass} />
        </Field>
        <Field label="For user">
          <select value={user} onChange={(e) => setUser(e.target.value)} className={inputClass}>
            <option value="">Yourself</option>
            {users.filter((u) => !u.disabled).map((u) => <option key={u.name} value={u.name}>{u.name} ({u.role})</option>)}
          </select>
        </Field>
        <Field label="Role" hint="at most the user's role">
          <select value={role} onChange={(e) => setRole(e.target.value as UserRole | "")} className={inputClass}>
            <option value="">The user&apos;s role</option>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="Expires after (days)" hint="empty: never">
          <input type="number" min={1} max={3650} step={1} value={days} onChange={(e) => setDays(e.target.value)}
            className={inputClass} />
        </Field>
        <Button type="submit" disabled={add.isPending} className="sm:mt-4">{add.isPending ? "Creating…" : "Create key"}</Button>
      </div>
      <InlineError error={add.error} />
    </form>
  );
}
