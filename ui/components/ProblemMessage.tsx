import type { Problem } from "@/lib/api/client";

/** A problem+json answer in plain words: what went wrong, and each field or parameter at fault. */
export function ProblemMessage({ problem, title }: { problem: Problem; title?: string }) {
  const errors = problem.errors ?? [];
  return (
    <div role="alert" className="problem">
      <p>
        <strong>{title ?? problem.title ?? "Something went wrong"}:</strong> {problem.detail}
      </p>
      {errors.length > 0 && (
        <ul>
          {errors.map((error, index) => (
            <li key={index}>
              {error.parameter && <code>{error.parameter}</code>}
              {error.pointer !== undefined && <code>{error.pointer || "(the whole document)"}</code>}
              {error.line !== undefined && <span> line {error.line}</span>} {error.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
