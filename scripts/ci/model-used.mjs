// Records which model an inference run used: writes MODEL-USED.json (for the predictions artifact)
// and prints a Markdown section for $GITHUB_STEP_SUMMARY.
// Usage: node model-used.mjs OUT.json
// Environment (from resolve-model.sh's outputs): MODEL_ARTIFACT, MODEL_COMMIT, MODEL_VERSION,
// MODEL_STAGE, MODEL_REF, MODEL_HOW (stage | version | latest | ref | fallback).
import { writeFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
const env = (k) => process.env[k] || null;
const used = {
  artifact: env('MODEL_ARTIFACT'),
  version: env('MODEL_VERSION'),
  stage: env('MODEL_STAGE'),
  commit: env('MODEL_COMMIT'),
  ref: env('MODEL_REF'),
  how: env('MODEL_HOW'),
};
writeFileSync(file, `${JSON.stringify(used, null, 2)}\n`);
const why = {
  stage: `the version in stage \`${used.stage}\``,
  version: 'the version asked for',
  latest: 'the latest registered version',
  ref: `the git ref \`${used.ref}\``,
  fallback: `\`${used.ref}\` (no version registered)`,
}[used.how] ?? used.how;
const lines = [
  `## Model: ${used.version ? `${used.artifact} ${used.version}` : used.ref}${used.stage ? ` (${used.stage})` : ''}`,
  '',
  `Commit \`${used.commit}\`: ${why}.`,
  '',
];
console.log(lines.join('\n'));
