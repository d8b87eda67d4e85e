/** The login page (the gateway sets the session cookies; nothing is kept in JavaScript). */
import { useState, type FormEvent } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { errorMessage } from "../api/client";
import { useAuth } from "../lib/auth";
import { Button, inputClass } from "../components/ui";

export default function Login() {
  const { me, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = (location.state as { from?: string } | null)?.from ?? "/";

  if (me) return <Navigate to={next} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
      navigate(next, { replace: true });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} aria-label="Log in"
        className="w-full max-w-sm space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-bold text-emerald-600 dark:text-emerald-400">Trading-Chitti</h1>
        <p className="text-sm text-slate-500 dark:text-slate-400">
          Log in with your account. The first administrator&apos;s password is printed once by
          <code className="mx-1">chitti up</code>; <code>chitti users</code> manages accounts.
        </p>
        <label className="block text-sm">User name
          <input name="username" autoComplete="username" required value={username} autoFocus
            onChange={(e) => setUsername(e.target.value)} className={`mt-1 w-full ${inputClass}`} />
        </label>
        <label className="block text-sm">Password
          <input name="password" type="password" autoComplete="current-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} className={`mt-1 w-full ${inputClass}`} />
        </label>
        {error && <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">{error}</p>}
        <Button type="submit" disabled={busy} className="w-full">{busy ? "Logging in…" : "Log in"}</Button>
      </form>
    </div>
  );
}
