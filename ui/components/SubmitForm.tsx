"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, type User } from "@/lib/api/client";
import { mediaTypeOf } from "@/lib/documents";
import { formatBytes } from "@/lib/format";
import { submitLarge, UPLOAD_ABOVE_BYTES } from "@/lib/uploads";
import { paths } from "@/lib/paths";
import { useAction } from "@/lib/use-action";
import { useAnswer } from "@/lib/use-answer";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";
import { can, useSession } from "./SessionProvider";

/** Teams an admin may pick from: their own and every team that owns an API already. */
function useKnownTeams(user: User, admin: boolean) {
  const { data } = useAnswer(
    (signal) => (admin ? api.GET("/catalog/search", { params: { query: { limit: 1 } }, signal }) : null),
    [admin],
  );
  const owners = data?.facets.owners.map((facet) => facet.value) ?? [];
  return [...new Set([user.team, ...owners])].sort();
}

export function SubmitForm({ user }: { user: User }) {
  const { state } = useSession();
  const router = useRouter();
  const admin = can(state, "apis:submit-any-team");
  const teams = useKnownTeams(user, admin);
  const [text, setText] = useState("");
  const [fileName, setFileName] = useState<string | undefined>();
  const [team, setTeam] = useState(user.team);
  const [apiId, setApiId] = useState("");
  const [version, setVersion] = useState("");
  const [large, setLarge] = useState<File | null>(null); // sent as an upload, never loaded into the page
  const [sent, setSent] = useState<{ sent: number; total: number } | null>(null);
  const { busy, problem, setProblem, act } = useAction();

  if (!can(state, "apis:submit")) {
    return (
      <p role="alert" className="problem">
        Your role ({user.role}) may read the catalog but not submit APIs. An admin can make you a developer of
        your team.
      </p>
    );
  }

  async function chooseFile(file: File | undefined) {
    if (!file) return;
    setFileName(file.name);
    setProblem(null);
    if (file.size > UPLOAD_ABOVE_BYTES) {
      setLarge(file);
      setText("");
      return;
    }
    setLarge(null);
    setText(await file.text());
  }

  const query = {
    team: admin && team !== user.team ? team : undefined,
    apiId: apiId.trim() || undefined,
    version: version.trim() || undefined,
  };

  async function upload(file: File) {
    setSent({ sent: 0, total: file.size });
    try {
      const head = await file.slice(0, 64).text();
      const outcome = await submitLarge(file, mediaTypeOf(head, file.name), query, (done, total) =>
        setSent({ sent: done, total }),
      );
      if ("submission" in outcome) router.push(paths.submission(outcome.submission.submissionId));
      else setProblem(outcome.problem);
    } finally {
      setSent(null);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (large) {
      await upload(large);
      return;
    }
    if (!text.trim()) {
      setProblem({
        type: "about:blank",
        title: "Nothing to submit",
        status: 400,
        detail: "Choose a file or paste an OpenAPI document first.",
      });
      return;
    }
    await act(
      () =>
        api.POST("/apis", {
          params: { query },
          body: text as never, // the document as the user wrote it, byte for byte
          bodySerializer: (body: unknown) => body as string,
          headers: { "Content-Type": mediaTypeOf(text, fileName) },
        }),
      (submitted) => submitted && router.push(paths.submission(submitted.submissionId)),
    );
  }

  return (
    <form onSubmit={(event) => void submit(event)} className="stack" aria-describedby="submit-help">
      <p id="submit-help" className="muted">
        OpenAPI 2.0, 3.0, 3.1 or 3.2, in JSON or YAML. The portal validates, documents and registers it in the
        background; the next page follows each step.
      </p>
      <label>
        File
        <input
          type="file"
          accept=".json,.yaml,.yml,application/json,application/yaml"
          onChange={(event) => void chooseFile(event.target.files?.[0])}
        />
      </label>
      {large && (
        <p className="muted" role="status">
          {large.name} is {formatBytes(large.size)}: it is uploaded to storage first (up to 64 MB), then
          submitted like any other.
        </p>
      )}
      <label>
        Or paste the document
        <textarea
          name="document"
          rows={14}
          spellCheck={false}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setFileName(undefined);
            setLarge(null);
          }}
          placeholder={"openapi: 3.1.0\ninfo:\n  title: Invoices\n  version: 1.0.0\npaths: {}"}
        />
      </label>
      {admin ? (
        <label>
          Team
          <select name="team" value={team} onChange={(event) => setTeam(event.target.value)}>
            {teams.map((name) => (
              <option key={name} value={name}>
                {name}
                {name === user.team ? " (yours)" : ""}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p className="muted">It will belong to your team, {user.team}.</p>
      )}
      <details>
        <summary>Registry id and version</summary>
        <div className="stack">
          <label>
            <span>
              API id <span className="muted">(from the title when empty)</span>
            </span>
            <input name="apiId" value={apiId} onChange={(event) => setApiId(event.target.value)} />
          </label>
          <label>
            <span>
              Version <span className="muted">(info.version when empty)</span>
            </span>
            <input name="version" value={version} onChange={(event) => setVersion(event.target.value)} />
          </label>
        </div>
      </details>
      {problem && <ProblemMessage problem={problem} title="The portal did not take it" />}
      {sent && (
        <div className="progress" role="status" aria-live="polite">
          <progress max={sent.total} value={sent.sent} aria-label="Uploaded" />
          <span>
            {sent.sent < sent.total
              ? `Uploading ${formatBytes(sent.sent)} of ${formatBytes(sent.total)}…`
              : "Uploaded; submitting…"}
          </span>
        </div>
      )}
      <div>
        <button type="submit" disabled={busy || sent !== null}>
          {busy || sent ? "Submitting…" : "Submit"}
        </button>
      </div>
    </form>
  );
}

export function Submit() {
  return <RequireSignIn>{(user) => <SubmitForm user={user} />}</RequireSignIn>;
}
