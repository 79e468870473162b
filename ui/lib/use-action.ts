"use client";

import { useCallback, useState } from "react";
import { asProblem, failed, type Problem } from "./api/client";

/** What one openapi-fetch call resolves to. */
type Answer<T> = { data?: T; error?: unknown; response: Response };

/** One change asked of the portal from a button or a form: whether it is under way, and the
 * problem to show in plain words when it was refused or never answered. `act` runs `ask` and
 * hands a successful answer (2xx; a 204 has no data) to `then`; `setProblem` says what the form
 * itself found wrong, or clears it. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const act = useCallback(async <T>(ask: () => Promise<Answer<T>>, then: (data: T | undefined) => void) => {
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await ask();
      if (response.ok) then(data);
      else setProblem(asProblem(error, response));
    } catch (failure) {
      setProblem(failed(failure));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, setProblem, act };
}
