/** One user: change role, set a password, disable or enable (PATCH /api/auth/users/{name}). */
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { Badge, Button, inputClass } from "../ui";
import { ConfirmButton, InlineError, rowClass, td } from "./bits";
import { FieldValue } from "./fields";
import { KEYS } from "./queries";
import { ROLES, ROLE_HINT, type UserRole } from "./roles";

type User = Schemas["UserInfo"];
type UserChange = Schemas["UserChange"];

const SELF_HINT = "You cannot disable yourself or drop your own admin role.";

function PasswordForm({ onSave, onCancel, busy }: {
  onSave: (password: string) => void; onCancel: () => void; busy: boolean;
}) {
  const [password, setPassword] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    onSave(password);
  }
  return (
    <form onSubmit={submit} className="mt-1 flex flex-wrap items-center gap-1" aria-label="Set a new password">
      <input type="password" autoComplete="new-password" required minLength={10} maxLength={1024} autoFocus
        aria-label="New password (at least 10 characters)" placeholder="New password, 10+ characters"
        value={password} onChange={(e) => setPassword(e.target.value)} className={`${inputClass} w-52 text-xs`} />
      <Button type="submit" className="px-2 py-1 text-xs disabled:opacity-50" disabled={busy}>Save</Button>
      <Button variant="secondary" className="px-2 py-1 text-xs disabled:opacity-50" onClick={onCancel}>Cancel</Button>
    </form>
  );
}

export function UserRow({ user, isSelf, now }: { user: User; isSelf: boolean; now: number }) {
  const client = useQueryClient();
  const [role, setRole] = useState<UserRole>(user.role);
  const [settingPassword, setSettingPassword] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const change = useMutation({
    mutationFn: (body: UserChange) =>
      api.patch<User>(`/api/auth/users/${encodeURIComponent(user.name)}`, body),
    onSuccess: (saved, body) => {
      setRole(saved.role);
      setSettingPassword(false);
      setDone(body.password ? "Password set; their sessions have ended."
        : body.role ? `Now ${saved.role}; their sessions have ended.`
          : saved.disabled ? "Disabled; their sessions have ended and they cannot log in."
            : "Enabled; they can log in again.");
      return client.invalidateQueries({ queryKey: KEYS.users });
    },
  });
  const send = (body: UserChange) => {
    setDone(null);
    change.mutate(body);
  };

  return (
    <tr data-user={user.name} className={rowClass}>
      <td className={`${td} whitespace-nowrap font-medium ${user.disabled ? "text-slate-500 line-through dark:text-slate-400" : ""}`}>
        {user.name} {isSelf && <Badge tone="info">you</Badge>}
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <span className="inline-flex items-center gap-1">
          <select aria-label={`Role of ${user.name}`} value={role} disabled={isSelf || change.isPending}
            title={isSelf ? SELF_HINT : ROLE_HINT[role]} onChange={(e) => setRole(e.target.value as UserRole)}
            className={`${inputClass} text-xs`}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          {role !== user.role && (
            <>
              <Button className="px-2 py-1 text-xs disabled:opacity-50" disabled={change.isPending} onClick={() => send({ role })}>Save</Button>
              <Button variant="secondary" className="px-2 py-1 text-xs disabled:opacity-50" onClick={() => setRole(user.role)}>Undo</Button>
            </>
          )}
        </span>
      </td>
      <td className={`${td} whitespace-nowrap`}>
        {user.disabled ? <Badge tone="down">disabled</Badge> : <Badge tone="up">active</Badge>}
      </td>
      <td className={`${td} whitespace-nowrap`}><FieldValue name="last_login_at" value={user.last_login_at} now={now} /></td>
      <td className={`${td} whitespace-nowrap`}><FieldValue name="created_at" value={user.created_at} now={now} /></td>
      <td className={td}>
        <div className="flex flex-wrap items-center gap-1">
          {!settingPassword && (
            <Button variant="secondary" className="px-2 py-1 text-xs disabled:opacity-50" onClick={() => setSettingPassword(true)}
              aria-label={`Set a new password for ${user.name}`}>Set password</Button>
          )}
          {user.disabled ? (
            <Button variant="secondary" className="px-2 py-1 text-xs disabled:opacity-50" disabled={change.isPending}
              onClick={() => send({ disabled: false })} aria-label={`Enable ${user.name}`}>Enable</Button>
          ) : isSelf ? null : (
            <ConfirmButton label="Disable" ariaLabel={`Disable ${user.name}`} yesLabel="Disable"
              question={`Disable ${user.name}? Their sessions end now.`} busy={change.isPending}
              onConfirm={() => send({ disabled: true })} />
          )}
        </div>
        {settingPassword && (
          <PasswordForm busy={change.isPending} onCancel={() => setSettingPassword(false)}
            onSave={(password) => send({ password })} />
        )}
        <InlineError error={change.error} />
        {done && <p role="status" className="mt-1 text-xs text-emerald-700 dark:text-emerald-300">{done}</p>}
      </td>
    </tr>
  );
}
