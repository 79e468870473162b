"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { usePathname, useRouter } from "next/navigation";
import { api, refreshAccessToken, type User } from "@/lib/api/client";
import { session } from "@/lib/session-store";
import { signInPath } from "@/lib/paths";

type State =
  | { status: "loading" }
  | { status: "signed-out"; byChoice?: boolean } // byChoice: the user signed out, nothing to come back to
  | { status: "signed-in"; user: User };

type SessionContext = {
  state: State;
  signedIn: (accessToken: string, expiresIn: number, user: User) => void;
  signOut: () => Promise<void>;
};

const Context = createContext<SessionContext | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const router = useRouter();
  const pathname = usePathname();

  // A reload keeps nothing in memory: the HttpOnly refresh cookie, if any, brings the session back.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const fresh = await refreshAccessToken().catch(() => null);
      if (!fresh) {
        if (!cancelled) setState({ status: "signed-out" });
        return;
      }
      session.signedIn(fresh.accessToken, fresh.expiresIn);
      const { data } = await api.GET("/me");
      if (!cancelled) setState(data ? { status: "signed-in", user: data } : { status: "signed-out" });
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(
    () =>
      session.onExpired(() => {
        setState({ status: "signed-out" });
        if (!pathname.startsWith("/sign-in")) router.replace(signInPath(window.location));
      }),
    [pathname, router],
  );

  const signedIn = useCallback((accessToken: string, expiresIn: number, user: User) => {
    session.signedIn(accessToken, expiresIn);
    setState({ status: "signed-in", user });
  }, []);

  const signOut = useCallback(async () => {
    await api.POST("/auth/logout").catch(() => undefined);
    session.clear();
    setState({ status: "signed-out", byChoice: true });
  }, []);

  const value = useMemo(() => ({ state, signedIn, signOut }), [state, signedIn, signOut]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (!context) throw new Error("useSession needs a <SessionProvider> above it");
  return context;
}

/** What the signed-in user may do, from the permissions the portal gave them (the API still checks). */
export function can(state: State, permission: string): boolean {
  return state.status === "signed-in" && state.user.permissions.includes(permission);
}
