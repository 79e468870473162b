"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { paths } from "@/lib/paths";
import { can, useSession } from "./SessionProvider";

export function Header() {
  const { state } = useSession();
  const pathname = usePathname();
  const links = [
    { href: paths.catalog, label: "Catalog", shown: true },
    { href: paths.submit, label: "Submit", shown: can(state, "apis:submit") },
    { href: paths.team, label: "My team", shown: state.status === "signed-in" },
    { href: paths.admin, label: "Admin", shown: can(state, "users:manage") },
  ];
  return (
    <header className="site-header">
      <Link href={paths.catalog} className="brand">
        devportal
      </Link>
      <nav aria-label="Main">
        <ul>
          {links
            .filter((link) => link.shown)
            .map((link) => (
              <li key={link.href}>
                <Link href={link.href} aria-current={pathname === link.href ? "page" : undefined}>
                  {link.label}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      <div className="who">
        {state.status === "signed-in" ? (
          <Link href={paths.account}>
            {state.user.email} <span className="badge">{state.user.role}</span>
          </Link>
        ) : state.status === "signed-out" ? (
          <Link href={paths.signIn}>Sign in</Link>
        ) : null}
      </div>
    </header>
  );
}
