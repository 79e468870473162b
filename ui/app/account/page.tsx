"use client";

import { RequireSignIn } from "@/components/RequireSignIn";
import { useSession } from "@/components/SessionProvider";

export default function AccountPage() {
  const { signOut } = useSession();
  return (
    <RequireSignIn>
      {(user) => (
        <section className="narrow">
          <h1>Who am I</h1>
          <dl className="facts">
            <dt>Name</dt>
            <dd>{user.name}</dd>
            <dt>E-mail</dt>
            <dd>{user.email}</dd>
            <dt>Role</dt>
            <dd>{user.role}</dd>
            <dt>Team</dt>
            <dd>{user.team}</dd>
            <dt>May</dt>
            <dd>
              <ul className="tags">
                {user.permissions.map((permission) => (
                  <li key={permission}>
                    <code>{permission}</code>
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
          <button
            type="button"
            onClick={() => void signOut()}
          >
            Sign out
          </button>
        </section>
      )}
    </RequireSignIn>
  );
}
