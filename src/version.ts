import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The mlpipe version, read once from the package's own package.json (dist/version.js and
 * src/version.ts both sit one level below it). The one place that knows where the version lives:
 * the CLI's --version, `doctor`, and the version recorded in model.json and templates all ask here.
 */
export function version(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
