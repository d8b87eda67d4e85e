/**
 * Who is signed in, from `GET /api/auth/me`. The session itself is the gateway's HttpOnly
 * cookies: logging in sets them, logging out revokes them, and a reload finds them again,
 * so the session survives a refresh of the page without any token in JavaScript.
 */
import { createContext, useCallback, useContext, useEffect, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, request, setSessionLostHandler, type Schemas } from "../api/client";

export type Me = Schemas["Me"];
export type Role = "viewer" | "trader" | "admin";

const RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

/** True when `me` holds at least `needed` (the gateway's own rule: admin > trader > viewer). */
export function hasRole(me: Me | null | undefined, needed: Role): boolean {
  if (!me) return false;
  return (RANK[me.role as Role] ?? -1) >= RANK[needed];
}

interface AuthValue {
  me: Me | null;
  loading: boolean;
  /** The gateway runs with CHITTI_AUTH=off: one local user, no login. */
  localMode: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const meQuery = useQuery<Me | null>({
    queryKey: ["me"],
    queryFn: async () => {
      try {
        return await request<Me>("/api/auth/me");
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: 1,
  });

  useEffect(() => {
    setSessionLostHandler(() => client.setQueryData(["me"], null));
  }, [client]);

  // Another user's cached data must not outlive a session change; the "me" query stays
  // (clearing it would detach the observer above, which would then never see the new user).
  const switchUser = useCallback((me: Me | null) => {
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== "me" });
    client.setQueryData(["me"], me);
  }, [client]);

  const login = useCallback(async (username: string, password: string) => {
    await request("/api/auth/token", { form: { username, password }, noRefresh: true });
    switchUser(await request<Me>("/api/auth/me"));
  }, [switchUser]);

  const logout = useCallback(async () => {
    try {
      await request("/api/auth/logout", { method: "POST", body: {}, noRefresh: true });
    } finally {
      switchUser(null);
    }
  }, [switchUser]);

  const me = meQuery.data ?? null;
  const value: AuthValue = {
    me,
    loading: meQuery.isPending,
    localMode: me?.auth === "off",
    login,
    logout,
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
