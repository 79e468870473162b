"use client";

import { useEffect, useState } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { useAction } from "@/lib/use-action";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";

type Level = Schemas["LintLevel"];
const LEVELS: Level[] = ["error", "warn", "info", "hint", "off"];

/** The team's lint ruleset: every rule with its level, whether lint blocks a registration and how
 * many warnings it allows; editable by the team's developers and admins. */
export function LintRuleset({ team, editable }: { team: string; editable: boolean }) {
  const rules = useAnswer((signal) => api.GET("/lint/rules", { signal }), []);
  const stored = useAnswer(
    (signal) => api.GET("/teams/{team}/lint-ruleset", { params: { path: { team } }, signal }),
    [team],
  );
  const [draft, setDraft] = useState<Schemas["TeamLintRuleset"] | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, problem, act } = useAction();
  useEffect(() => setDraft(stored.data ?? null), [stored.data]);

  const failure = rules.problem ?? stored.problem;
  if (failure) return <ProblemMessage problem={failure} title="The lint ruleset could not be loaded" />;
  if (!rules.data || !draft) return <Loading what="the lint ruleset" />;

  const defaults = Object.fromEntries(rules.data.rules.map((rule) => [rule.id, rule.level]));
  const setLevel = (rule: string, level: Level) => {
    const chosen = { ...(draft.ruleset.rules ?? {}) };
    const inherited = (draft.ruleset.extends ?? "recommended") === "recommended" ? defaults[rule] : "off";
    if (level === inherited) delete chosen[rule];
    else chosen[rule] = level;
    setDraft({ ...draft, ruleset: { ...draft.ruleset, rules: chosen }, effective: { ...draft.effective, [rule]: level } });
    setSaved(null);
  };
  const save = () =>
    act(
      () => api.PUT("/teams/{team}/lint-ruleset", { params: { path: { team } }, body: draft.ruleset }),
      (answer) => {
        if (answer) setDraft(answer);
        setSaved("Saved: the team's next registrations are linted with it.");
      },
    );

  return (
    <form
      className="stack"
      aria-label="Lint ruleset"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <p className="muted">
        {draft.updatedAt
          ? `Set by ${draft.updatedBy ?? "someone"} on ${new Date(draft.updatedAt).toLocaleString()}.`
          : "The recommended ruleset: the team has not set its own."}{" "}
        Lint runs when a version is registered; its findings are on each version&apos;s page.
      </p>
      <label className="check">
        <input
          type="checkbox"
          disabled={!editable}
          checked={draft.ruleset.blocking ?? false}
          onChange={(event) => {
            setDraft({ ...draft, ruleset: { ...draft.ruleset, blocking: event.target.checked } });
            setSaved(null);
          }}
        />{" "}
        Lint errors reject a registration
      </label>
      <label className="check">
        Also reject one with more warnings than
        <input
          type="number"
          min={0}
          disabled={!editable || !draft.ruleset.blocking}
          value={draft.ruleset.maxWarnings ?? ""}
          placeholder="no limit"
          className="narrow"
          onChange={(event) => {
            const value = event.target.value === "" ? null : Number(event.target.value);
            setDraft({ ...draft, ruleset: { ...draft.ruleset, maxWarnings: value } });
            setSaved(null);
          }}
        />
      </label>
      <div className="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">What it asks</th>
            <th scope="col">Level</th>
          </tr>
        </thead>
        <tbody>
          {rules.data.rules.map((rule) => (
            <tr key={rule.id}>
              <td>
                <code>{rule.id}</code>
                {rule.aliases.length ? <div className="muted">also {rule.aliases.join(", ")}</div> : null}
              </td>
              <td>{rule.description}</td>
              <td>
                <select
                  aria-label={`Level of ${rule.id}`}
                  disabled={!editable}
                  value={draft.effective[rule.id] ?? rule.level}
                  onChange={(event) => setLevel(rule.id, event.target.value as Level)}
                >
                  {LEVELS.map((level) => (
                    <option key={level} value={level}>
                      {level}
                      {level === rule.level ? " (default)" : ""}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {problem && <ProblemMessage problem={problem} title="The ruleset was not saved" />}
      {saved && <p role="status">{saved}</p>}
      {editable ? (
        <p>
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save the ruleset"}
          </button>
        </p>
      ) : (
        <p className="muted">Developers of the team and admins change it.</p>
      )}
    </form>
  );
}
