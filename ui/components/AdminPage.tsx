"use client";

import Link from "next/link";

import { useState, type FormEvent } from "react";
import { api, type Schemas, type User } from "@/lib/api/client";
import { useAnswer } from "@/lib/use-answer";
import { TeamKeys } from "./Keys";
import { paths } from "@/lib/paths";
import { Approvals } from "./Approvals";
import { Loading } from "./Loading";
import { useAction } from "@/lib/use-action";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";
import { can, useSession } from "./SessionProvider";

type Role = User["role"];
type Invited = Schemas["Invited"];
const ROLES: Role[] = ["viewer", "developer", "admin"];
const PAGE = 200;

/** Every user, page after page (the portal pages them by e-mail address). */
function useUsers() {
  const { data, problem, reload } = useAnswer(
    async (signal) => {
      const users: User[] = [];
      let cursor: string | undefined;
      for (;;) {
        const { data: page, error, response } = await api.GET("/users", {
          params: { query: { limit: PAGE, cursor } },
          signal,
        });
        if (!page) return { error, response };
        users.push(...page.items);
        if (!page.nextCursor || page.items.length === 0) return { data: users, response };
        cursor = page.nextCursor;
      }
    },
    [],
  );
  return { users: data, problem, reload };
}

function InviteForm({ teams, invited }: { teams: string[]; invited: (answer: Invited) => void }) {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("developer");
  const [team, setTeam] = useState("");
  const { busy, problem, act } = useAction();

  async function invite(event: FormEvent) {
    event.preventDefault();
    await act(
      () => api.POST("/users", { body: { email: email.trim(), role, team: team.trim(), name: name.trim() || undefined } }),
      (data) => {
        if (!data) return;
        invited(data);
        setEmail("");
        setName("");
      },
    );
  }

  return (
    <form className="stack wide" onSubmit={(event) => void invite(event)} aria-labelledby="invite">
      <h2 id="invite">Invite a user</h2>
      <div className="toolbar">
        <label className="grow">
          E-mail
          <input name="email" type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label className="grow">
          <span>
            Name <span className="muted">(optional)</span>
          </span>
          <input name="name" maxLength={128} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          Role
          <select name="role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((choice) => (
              <option key={choice} value={choice}>
                {choice}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team
          <input
            name="team"
            required
            list="known-teams"
            pattern="[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
            title="lower-case letters, digits and dashes"
            value={team}
            onChange={(event) => setTeam(event.target.value)}
          />
          <datalist id="known-teams">
            {teams.map((known) => (
              <option key={known} value={known} />
            ))}
          </datalist>
        </label>
      </div>
      {problem && <ProblemMessage problem={problem} title="The user was not invited" />}
      <div>
        <button type="submit" disabled={busy}>
          {busy ? "Inviting…" : "Invite"}
        </button>
      </div>
    </form>
  );
}

function Admin() {
  const { state } = useSession();
  if (!can(state, "users:manage")) {
    return (
      <p role="alert" className="problem">
        This page is for admins. Your role may not manage users or keys.
      </p>
    );
  }
  return <AdminPanels />;
}

function AdminPanels() {
  const { users, problem, reload } = useUsers();
  const [invited, setInvited] = useState<Invited | null>(null);
  const teams = [...new Set((users ?? []).map((user) => user.team))].sort();
  return (
    <div className="stack">
      <h1>Admin</h1>
      <Approvals />
      <p className="muted">
        On a local stack, the mail the portal sent (confirmation links, notifications) is in its{" "}
        <Link href={paths.outbox}>outbox</Link>.
      </p>
      <InviteForm
        teams={teams}
        invited={(answer) => {
          setInvited(answer);
          reload();
        }}
      />
      {invited && (
        <div className="secret" role="status">
          <p>
            <strong>Invited {invited.user.email}</strong> as {invited.user.role} of {invited.user.team}.
            {invited.password ? " Their first password, shown only now:" : ""}
          </p>
          {invited.password && <code aria-label="Their first password">{invited.password}</code>}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setInvited(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <section aria-labelledby="users" className="stack">
        <h2 id="users">Users</h2>
        {problem && <ProblemMessage problem={problem} title="The users could not be loaded" />}
        {!users && !problem && <Loading what="the users" />}
        {users && (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Team</th>
                  <th scope="col">Last sign-in</th>
                </tr>
              </thead>
              <tbody>
                {users.map((user) => (
                  <tr key={user.id}>
                    <td>{user.email}</td>
                    <td>{user.name}</td>
                    <td>{user.role}</td>
                    <td>{user.team}</td>
                    <td>{user.lastLogin ? new Date(user.lastLogin).toLocaleString() : "never"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {teams.map((team) => (
        <TeamKeys key={team} team={team} />
      ))}
    </div>
  );
}

export function AdminPage() {
  return <RequireSignIn>{() => <Admin />}</RequireSignIn>;
}
