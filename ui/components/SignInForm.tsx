"use client";

import { useState, type FormEvent } from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { api } from "@/lib/api/client";
import { safeReturnPath } from "@/lib/paths";
import { useAction } from "@/lib/use-action";
import { ProblemMessage } from "./ProblemMessage";
import { useSession } from "./SessionProvider";

export function SignInForm() {
  const { signedIn } = useSession();
  const router = useRouter();
  const next = safeReturnPath(useSearchParams().get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, problem, act } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await act(
      () => api.POST("/auth/login", { body: { email, password, refreshTokenDelivery: "cookie" } }),
      (data) => {
        if (!data) return;
        signedIn(data.accessToken, data.expiresIn, data.user);
        router.replace(next);
      },
    );
  }

  return (
    <form onSubmit={submit} className="stack" aria-describedby={problem ? "sign-in-problem" : undefined}>
      <label>
        E-mail
        <input type="email" name="email" autoComplete="username" required value={email}
          onChange={(event) => setEmail(event.target.value)} />
      </label>
      <label>
        Password
        <input type="password" name="password" autoComplete="current-password" required minLength={8}
          value={password} onChange={(event) => setPassword(event.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {problem && (
        <div id="sign-in-problem">
          <ProblemMessage problem={problem} title="Not signed in" />
        </div>
      )}
    </form>
  );
}
