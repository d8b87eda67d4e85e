/** Create a user (POST /api/auth/users): name, role, a first password. */
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { Button, inputClass } from "../ui";
import { Field, InlineError } from "./bits";
import { KEYS } from "./queries";
import { ROLES, ROLE_HINT, type UserRole } from "./roles";

export function AddUserForm() {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState<UserRole>("viewer");
  const [password, setPassword] = useState("");
  const [added, setAdded] = useState<string | null>(null);

  const add = useMutation({
    mutationFn: (body: Schemas["NewUser"]) => api.post<Schemas["UserInfo"]>("/api/auth/users", body),
    onSuccess: (user) => {
      setAdded(`Added ${user.name} (${user.role}). Give them their password another way than this screen.`);
      setName("");
      setPassword("");
      setRole("viewer");
      return client.invalidateQueries({ queryKey: KEYS.users });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    add.mutate({ name: name.trim(), role, password });
  }

  return (
    <form onSubmit={submit} aria-label="Add a user" className="space-y-2">
      <div className="grid grid-cols-1 items-start gap-2 sm:grid-cols-[1fr_1fr_1.3fr_auto]">
        <Field label="User name" hint="letters, digits, _ . @ -">
          <input required pattern="[A-Za-z0-9_.@\-]{1,64}" maxLength={64} autoComplete="off" value={name}
            onChange={(e) => setName(e.target.value)} className={inputClass} />
        </Field>
        <Field label="Role" hint={ROLE_HINT[role]}>
          <select value={role} onChange={(e) => setRole(e.target.value as UserRole)} className={inputClass}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="Password" hint="at least 10 characters">
          <input type="password" required minLength={10} maxLength={1024} autoComplete="new-password"
            value={password} onChange={(e) => setPassword(e.target.value)} className={inputClass} />
        </Field>
        <Button type="submit" disabled={add.isPending} className="sm:mt-4">{add.isPending ? "Adding…" : "Add user"}</Button>
      </div>
      <InlineError error={add.error} />
      {added && <p role="status" className="text-xs text-emerald-700 dark:text-emerald-300">{added}</p>}
    </form>
  );
}
