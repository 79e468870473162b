"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { api, asProblem, failed, type Problem } from "@/lib/api/client";
import { operationGroups, type OperationGroup } from "@/lib/operations";
import { paths } from "@/lib/paths";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";

type Server = { url: string; description?: string };

// Scalar's default light theme sets secondary text and HTTP method colours below WCAG AA contrast
// (3.2-4.3:1); these keep every text at 4.5:1 or more on its backgrounds, and its toggles 24 px.
const ACCESSIBLE_THEME = `
.light-mode {
  --scalar-color-2: #4f4f4f;
  --scalar-color-3: #595959;
  --scalar-color-blue: #0a58ca;
  --scalar-color-green: #116329;
  --scalar-color-red: #b42318;
  --scalar-color-orange: #953800;
  --scalar-color-yellow: #7d4e00;
  --scalar-color-purple: #6639ba;
  --scalar-color-accent: #0a58ca;
}
/* In a narrow reference Scalar shrinks the schema toggles to 20 px; WCAG 2.5.8 asks 24 px. */
.narrow-references-container > * {
  --schema-toggle-size: 24px !important;
  --schema-toggle-half: 12px !important;
}
/* and the sidebar's group toggles are 22 px */
.scalar-app button[aria-expanded][class*="text-sidebar"] { min-width: 24px; min-height: 24px; }`;

/** What Scalar renders without an accessible name gets one, as a screen reader needs: the code blocks'
 * copy buttons, icon-only links, the try-it console's editable fields (comboboxes without their states). */
function nameUnnamedButtons(root: HTMLElement): MutationObserver {
  const label = () => {
    root.querySelectorAll<HTMLButtonElement>("button[class*='copy-button']:not([aria-label])").forEach((button) => {
      button.setAttribute("aria-label", "Copy to the clipboard");
    });
    // icon-only links (the API's contact, its external docs): named after where they go
    root.querySelectorAll<HTMLAnchorElement>("a[href]:not([aria-label])").forEach((link) => {
      if (link.innerText.trim() || link.querySelector("img[alt]:not([alt=''])")) return; // rendered text names it
      const href = link.getAttribute("href") ?? "";
      link.setAttribute("aria-label", href.startsWith("mailto:") ? `E-mail ${href.slice(7)}` : `Open ${href}`);
    });
    // the try-it console's editable fields are comboboxes without a name or the states a combobox has
    root.querySelectorAll<HTMLElement>("[role='combobox'][contenteditable]:not([aria-label])").forEach((field) => {
      field.setAttribute("aria-label", field.dataset.placeholder || "Value");
      if (!field.hasAttribute("aria-expanded")) field.setAttribute("aria-expanded", "false");
    });
  };
  label();
  const observer = new MutationObserver(label);
  observer.observe(root, { childList: true, subtree: true });
  return observer;
}

type Spec = { text: string; servers: Server[]; yaml: boolean; groups: OperationGroup[] };

/** A version's document in two views. The overview: base URLs, the download, and every operation by
 * tag, each a link into the reference. The reference, rendered by Scalar (descriptions as sanitized
 * CommonMark, schemas, examples, code samples and a try-it console against the API's declared
 * servers). Scalar is about 1.4 MB of script and draws the whole document at once, so it is loaded
 * only when the reference is opened (or an operation in it); the YAML reader only for YAML. */
export function Reference({
  apiId,
  version,
  operation,
  full,
  onSettled,
}: {
  apiId: string;
  version: string;
  operation?: string;
  full: boolean;
  onSettled?: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [spec, setSpec] = useState<Spec | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    let cancelled = false;
    setSpec(null);
    setProblem(null);
    (async () => {
      const { data, error, response } = await api.GET("/apis/{apiId}/versions/{version}/spec", {
        params: { path: { apiId, version } },
        parseAs: "text",
      });
      if (cancelled) return;
      if (data === undefined) {
        setProblem(asProblem(error, response));
        return;
      }
      const yaml = (response.headers.get("Content-Type") ?? "").includes("yaml");
      const document = yaml ? (await import("yaml")).parse(data) : JSON.parse(data);
      if (!cancelled) setSpec({ text: data, servers: serversOf(document), yaml, groups: operationGroups(document) });
    })().catch((failure: unknown) => !cancelled && setProblem(failed(failure)));
    return () => {
      cancelled = true;
    };
  }, [apiId, version]);

  useEffect(() => {
    if (!full || !spec || !host.current) return;
    let destroy: (() => void) | undefined;
    let cancelled = false;
    (async () => {
      const [{ createApiReference }] = await Promise.all([
        import("@scalar/api-reference"),
        import("@scalar/api-reference/style.css"),
      ]);
      if (cancelled || !host.current) return;
      const app = createApiReference(host.current, {
        content: spec.text,
        withDefaultFonts: false,
        telemetry: false,
        persistAuth: false,
        showDeveloperTools: "never",
        hideDarkModeToggle: true,
        mcp: { disabled: true },
        agent: { disabled: true },
        layout: "modern",
        showSidebar: true,
        customCss: ACCESSIBLE_THEME,
      });
      const observer = nameUnnamedButtons(host.current);
      const opened = operation ? openOperation(host.current, operation) : undefined;
      destroy = () => {
        observer.disconnect();
        opened?.disconnect();
        app.destroy();
      };
    })().catch((failure: unknown) => !cancelled && setProblem(failed(failure)));
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [spec, operation, full]);

  function download() {
    if (!spec) return;
    const blob = new Blob([spec.text], { type: spec.yaml ? "application/yaml" : "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${apiId}-${version}.${spec.yaml ? "yaml" : "json"}`;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  useEffect(() => {
    if (spec || problem) onSettled?.();
  }, [spec, problem, onSettled]);

  if (problem) return <ProblemMessage problem={problem} title="The reference could not be shown" />;
  if (!spec) return <Loading what="the reference" />;
  return (
    <>
      <dl className="facts">
        <dt>Base URL</dt>
        <dd>
          {spec.servers.length === 0 ? (
            <span className="muted">none declared</span>
          ) : (
            <ul className="plain">
              {spec.servers.map((server) => (
                <li key={server.url}>
                  <code>{server.url}</code>
                  {server.description ? <span className="muted"> - {server.description}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Document</dt>
        <dd>
          <button type="button" className="secondary" onClick={download}>
            Download {spec.yaml ? "YAML" : "JSON"}
          </button>
        </dd>
      </dl>
      <nav className="views" aria-label="Views of this version">
        <Link href={paths.api(apiId, version)} aria-current={full ? undefined : "page"}>
          Overview
        </Link>
        <Link href={paths.reference(apiId, version)} aria-current={full ? "page" : undefined}>
          Reference
        </Link>
      </nav>
      {full ? (
        <div ref={host} className="reference" aria-label={`Reference of ${apiId} ${version}`} />
      ) : (
        <Overview apiId={apiId} version={version} groups={spec.groups} />
      )}
    </>
  );
}

function Overview({ apiId, version, groups }: { apiId: string; version: string; groups: OperationGroup[] }) {
  if (groups.length === 0) return <p>The document declares no operations.</p>;
  return (
    <section aria-label={`Operations of ${apiId} ${version}`}>
      {groups.map((group, index) => (
        <section key={group.tag} aria-labelledby={`operations-${index}`}>
          <h2 id={`operations-${index}`}>{group.tag}</h2>
          <ul className="operations">
            {group.operations.map((o) => (
              <li key={`${o.method} ${o.path}`}>
                <Link href={paths.operation(apiId, version, o.method, o.path)}>
                  <span className={`method method-${o.method.toLowerCase()}`}>{o.method}</span> <code>{o.path}</code>
                </Link>
                {o.summary ? <span className="muted"> {o.summary}</span> : null}
                {o.deprecated ? <span className="badge"> deprecated</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

/** Opens one operation ("POST /invoices") once the reference has drawn its sidebar: Scalar's own
 * link to it ends with the method and path, whatever tag it files the operation under. */
function openOperation(root: HTMLElement, operation: string): MutationObserver {
  const [method, ...rest] = operation.split(" ");
  const path = rest.join(" ");
  const endings = [`/${method}${path}`, `/${method}${encodeURI(path)}`];
  const observer = new MutationObserver(() => tryOpen());
  const tryOpen = () => {
    const link = [...root.querySelectorAll<HTMLAnchorElement>("a[href*='#']")].find((a) =>
      endings.some((ending) => decodeURIComponent(a.hash).endsWith(ending) || a.hash.endsWith(ending)),
    );
    if (!link) return;
    observer.disconnect();
    link.click();
  };
  observer.observe(root, { childList: true, subtree: true });
  tryOpen();
  setTimeout(() => observer.disconnect(), 15_000);
  return observer;
}

/** Base URLs: OpenAPI 3's `servers`, or Swagger 2's scheme + host + basePath. */
export function serversOf(document: unknown): Server[] {
  if (!document || typeof document !== "object") return [];
  const doc = document as Record<string, unknown>;
  if (Array.isArray(doc.servers)) {
    return doc.servers
      .filter((s): s is Server => !!s && typeof s === "object" && typeof (s as Server).url === "string")
      .map((s) => ({ url: s.url, description: typeof s.description === "string" ? s.description : undefined }));
  }
  if (typeof doc.host === "string") {
    const schemes = Array.isArray(doc.schemes) && doc.schemes.length ? doc.schemes : ["https"];
    const base = typeof doc.basePath === "string" ? doc.basePath : "";
    return schemes.map((scheme) => ({ url: `${String(scheme)}://${doc.host}${base}` }));
  }
  return [];
}
