// The lines of a text around one, for showing a finding in place (no parser: cheap to load).

/** The lines around `line` (1-based), numbered, for showing a finding in place. */
export function excerpt(text: string, line: number, around = 2): { number: number; text: string }[] {
  const all = text.split(/\r\n|\r|\n/);
  const first = Math.max(1, line - around);
  const last = Math.min(all.length, line + around);
  const shown = [];
  for (let number = first; number <= last; number++) shown.push({ number, text: all[number - 1] ?? "" });
  return shown;
}
