/**
 * `.gitignore` entries for tracked outputs (../shared/docs/dvc-format.md §3.7): `/` + the basename,
 * in the output's parent folder, with pathspec's `GitWildMatchPattern.escape` (a backslash before
 * each of `[ ] ! * # ?`). Pure text functions; the caller reads and writes the file.
 */
export function gitignoreEntry(basename: string): string {
  return `/${basename.replace(/[[\]!*#?]/g, (c) => `\\${c}`)}`;
}

/** Appends `entry` as DVC does (leading newline if the file lacks a final one); unchanged if present. */
export function addGitignoreEntry(text: string, entry: string): string {
  const lines = text.split('\n');
  if (lines.includes(entry)) return text;
  const prefix = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${prefix}${entry}\n`;
}

/** Removes every line equal to `entry`. Returns '' when nothing is left (DVC then deletes the file). */
export function removeGitignoreEntry(text: string, entry: string): string {
  const kept = text.split('\n').filter((line) => line !== entry);
  const out = kept.join('\n');
  return out.trim() === '' ? '' : out;
}
