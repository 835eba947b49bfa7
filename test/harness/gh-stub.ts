import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A `gh` on PATH that records its arguments (the body file's path as BODY) and keeps the body. */
export function ghStub(dir: string): { dir: string; args: string; body: string } {
  mkdirSync(dir, { recursive: true });
  const args = join(dir, 'args.txt');
  const body = join(dir, 'body.md');
  const script = `#!/usr/bin/env bash
out=()
while [ $# -gt 0 ]; do
  if [ "$1" = --body-file ]; then cp "$2" "${body}"; out+=("$1" BODY); shift 2; continue; fi
  out+=("$1"); shift
done
echo "\${out[*]}" >> "${args}"
echo "https://github.com/example/mlpipe/pull/9"
`;
  writeFileSync(join(dir, 'gh'), script);
  chmodSync(join(dir, 'gh'), 0o755);
  return { dir, args, body };
}
