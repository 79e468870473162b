"use client";

import { useState } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { useAction } from "@/lib/use-action";
import { ProblemMessage } from "./ProblemMessage";

type Version = Schemas["ApiVersion"];

/** Where a version may go from its status (devportal/registry/lifecycle.py says the same). */
export const NEXT: Record<Version["status"], ("active" | "deprecated" | "retired")[]> = {
  draft: ["active", "retired"],
  active: ["deprecated"],
  deprecated: ["active", "retired"],
  retired: [],
  failed: [],
};

const ACTION: Record<"active" | "deprecated" | "retired", (from: Version["status"]) => string> = {
  active: (from) => (from === "draft" ? "Make it active" : "Make it active again"),
  deprecated: () => "Deprecate",
  retired: () => "Retire",
};

/** The version's status in words: "deprecated, goes away on 2027-06-30". */
export function statusWords(version: Pick<Version, "status" | "sunset">): string {
  if (version.status === "deprecated" && version.sunset) return `deprecated, goes away on ${version.sunset}`;
  return version.status;
}

/** The owning team's (or an admin's) controls to move a version on: each allowed move, a sunset
 * date to deprecate, and an optional reason. */
export function LifecycleControls({ version, onChanged }: { version: Version; onChanged: (v: Version) => void }) {
  const [sunset, setSunset] = useState("");
  const [reason, setReason] = useState("");
  const { busy, problem, act } = useAction();
  const moves = NEXT[version.status];
  if (!moves.length) return null;
  const move = (status: "active" | "deprecated" | "retired") =>
    act(
      () =>
        api.POST("/apis/{apiId}/versions/{version}/lifecycle", {
          params: { path: { apiId: version.apiId, version: version.version } },
          body: { status, sunset: status === "deprecated" ? sunset || null : null, reason: reason || null },
        }),
      (answer) => answer && onChanged(answer),
    );
  return (
    <div className="stack lifecycle-controls">
      <div className="form-row">
        {moves.includes("deprecated") && (
          <label>
            Sunset (the day it goes away)
            <input type="date" value={sunset} onChange={(event) => setSunset(event.target.value)} />
          </label>
        )}
        <label className="grow">
          Reason (optional, told to its consumers)
          <input value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
        </label>
      </div>
      <p>
        {moves.map((status) => (
          <button key={status} type="button" disabled={busy} onClick={() => void move(status)}>
            {ACTION[status](version.status)}
          </button>
        ))}
      </p>
      {problem && <ProblemMessage problem={problem} title={`${version.version} was not moved on`} />}
    </div>
  );
}
