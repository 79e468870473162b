"use client";

import { useEffect, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import type { User } from "@/lib/api/client";
import { paths, signInPath } from "@/lib/paths";
import { Loading } from "./Loading";
import { useSession } from "./SessionProvider";

/** Renders its children for a signed-in user; sends anyone else to sign in, and back here after. */
export function RequireSignIn({ children }: { children: (user: User) => ReactNode }) {
  const { state } = useSession();
  const router = useRouter();
  const byChoice = state.status === "signed-out" && state.byChoice;
  useEffect(() => {
    if (state.status === "signed-out") router.replace(byChoice ? paths.signIn : signInPath(window.location));
  }, [state.status, byChoice, router]);
  if (state.status !== "signed-in") return <Loading what="your session" />;
  return <>{children(state.user)}</>;
}
