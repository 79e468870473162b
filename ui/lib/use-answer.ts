"use client";

import { useCallback, useEffect, useState, type DependencyList } from "react";
import { asProblem, failed, type Problem } from "./api/client";

/** What one openapi-fetch call resolves to. */
type Answer<T> = { data?: T; error?: unknown; response: Response };

/** One read from the portal, asked again when `deps` change or on `reload()`: its data, or the
 * problem to show in plain words (an answer that never came included). A read overtaken by a
 * newer one, or by the component going away, is aborted and never shown. `ask` returns null when
 * there is nothing to ask (yet). */
export function useAnswer<T>(ask: (signal: AbortSignal) => Promise<Answer<T>> | null, deps: DependencyList) {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useEffect(() => {
    const controller = new AbortController();
    setProblem(null);
    const asked = ask(controller.signal);
    if (asked === null) return;
    asked
      .then(({ data: answered, error, response }) => {
        if (controller.signal.aborted) return;
        if (answered !== undefined) setData(answered);
        else setProblem(asProblem(error, response));
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setProblem(failed(failure));
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `ask` is a new closure each render; `deps` says when it asks something else
  }, [...deps, round]);
  return { data, problem, reload, setData };
}
