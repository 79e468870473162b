"use client";

import Link from "next/link";
import { api, type User } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { useAnswer } from "@/lib/use-answer";
import { TeamKeys } from "./Keys";
import { LintRuleset } from "./LintRuleset";
import { TeamAnalytics } from "./TeamAnalytics";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";
import { Subscriptions } from "./Subscriptions";
import { can, useSession } from "./SessionProvider";

function TeamApis({ team }: { team: string }) {
  const { data, problem } = useAnswer(
    (signal) => api.GET("/catalog/search", { params: { query: { owner: team, sort: "title", limit: 200 } }, signal }),
    [team],
  );
  return (
    <section aria-labelledby="team-apis" className="stack">
      <h2 id="team-apis">APIs of {team}</h2>
      {problem && <ProblemMessage problem={problem} title={`The APIs of ${team} could not be loaded`} />}
      {!data && !problem && <Loading what={`the APIs of ${team}`} />}
      {data && data.items.length === 0 && (
        <p className="muted">
          {team} owns no API yet. <Link href={paths.submit}>Submit one</Link>.
        </p>
      )}
      {data && data.items.length > 0 && (
        <ul className="cards">
          {data.items.map((hit) => (
            <li key={hit.apiId} className="card">
              <h3>
                <Link href={paths.api(hit.apiId)}>{hit.title}</Link>
              </h3>
              <p className="muted">
                {hit.apiId} · {hit.latestVersion} · <span className={`badge status-${hit.status}`}>{hit.status}</span>
              </p>
              <p>
                {hit.operationCount} operation{hit.operationCount === 1 ? "" : "s"}
              </p>
            </li>
          ))}
        </ul>
      )}
      {data && data.total > data.items.length && (
        <p className="muted">
          Showing {data.items.length} of {data.total}; <Link href={`${paths.catalog}?owner=${team}`}>all in the catalog</Link>.
        </p>
      )}
    </section>
  );
}

function Team({ user }: { user: User }) {
  const { state } = useSession();
  return (
    <div className="stack">
      <h1>Team {user.team}</h1>
      <TeamApis team={user.team} />
      <TeamAnalytics team={user.team} />
      <section aria-labelledby="team-lint" className="stack">
        <h2 id="team-lint">Lint ruleset</h2>
        <LintRuleset team={user.team} editable={can(state, "apis:submit")} />
      </section>
      {can(state, "apis:submit") ? (
        <Subscriptions team={user.team} editable />
      ) : (
        <section aria-labelledby="notifications-note">
          <h2 id="notifications-note">Notifications</h2>
          <p className="muted">
            The team&apos;s developers subscribe e-mail addresses and webhooks to what happens to its APIs.
          </p>
        </section>
      )}
      {can(state, "keys:manage") ? (
        <TeamKeys team={user.team} />
      ) : (
        <section aria-labelledby="keys-note">
          <h2 id="keys-note">Service keys</h2>
          <p className="muted">
            Services publish usage events with a service key of their team. Admins create, rotate and revoke them;
            ask one for a key for {user.team}.
          </p>
        </section>
      )}
    </div>
  );
}

export function TeamPage() {
  return <RequireSignIn>{(user) => <Team user={user} />}</RequireSignIn>;
}
