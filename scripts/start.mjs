// `npm start`: the main job on the bundled example (examples/adult-income), in a scratch folder so
// that this repository stays clean. The same steps as the GitHub workflows:
//   pull the data -> validate -> train -> evaluate (mlpipe repro) -> push data and model to a
//   git-based remote (a local bare repository standing in for GitHub) and commit the DVC metadata
//   -> in a fresh clone: pull only the model -> predict on sample rows -> summary.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const example = join(repoRoot, 'examples', 'adult-income');
const scratch = mkdtempSync(join(tmpdir(), 'mlpipe-start-'));
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[22m` : s);
const green = (s) => (tty ? `\x1b[32m${s}\x1b[39m` : s);
const started = Date.now();

// `mlpipe` on the PATH, as the pipeline's stage commands call it by name.
const binDir = join(scratch, 'bin');
mkdirSync(binDir);
symlinkSync(join(repoRoot, 'bin', 'mlpipe.js'), join(binDir, 'mlpipe'));
const env = {
  ...process.env,
  PATH: `${binDir}:${process.env.PATH}`,
  NO_COLOR: '1',
  GIT_AUTHOR_NAME: 'mlpipe example',
  GIT_AUTHOR_EMAIL: 'example@mlpipe.invalid',
  GIT_COMMITTER_NAME: 'mlpipe example',
  GIT_COMMITTER_EMAIL: 'example@mlpipe.invalid',
};

const STEPS = 7;
let step = 0;
function run(title, cmd, args, cwd, { show = false } = {}) {
  step++;
  const t0 = Date.now();
  process.stdout.write(`${bold(`[${step}/${STEPS}]`)} ${title} ... `);
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stdout.write(`failed (${seconds} s)\n\n$ ${cmd} ${args.join(' ')}\n${r.stdout}${r.stderr}\n`);
    process.stdout.write(`The scratch project is kept for inspection: ${scratch}\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`${green('ok')} ${dim(`(${seconds} s)`)}\n`);
  if (show) process.stdout.write(indent(r.stdout.trim()));
  return r.stdout;
}
const indent = (text) => `${text.split('\n').map((l) => `      ${l}`).join('\n')}\n`;
const mlpipe = (title, args, cwd, opts) => run(title, process.execPath, [join(repoRoot, 'bin', 'mlpipe.js'), ...args], cwd, opts);
const git = (args, cwd) => {
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};

console.log(bold('mlpipe: the training and inference pipeline on the UCI Adult example'));
console.log(dim(`scratch folder: ${scratch}\n`));

// The project as a user would have it: its own git repository, with a bare repository as `origin`.
const remote = join(scratch, 'origin.git');
const project = join(scratch, 'project');
git(['init', '-q', '--bare', '-b', 'main', remote], scratch);
cpSync(example, project, {
  recursive: true,
  // Only what the repository tracks: no local cache, state, or outputs of an earlier run.
  filter: (src) => !/[/\\](\.dvc[/\\](cache|tmp)|data[/\\]prepared|model|metrics|plots|reports|predictions)$/.test(src),
});
git(['init', '-q', '-b', 'main'], project);
git(['add', '-A'], project);
git(['commit', '-q', '-m', 'Example project'], project);
git(['remote', 'add', 'origin', remote], project);
git(['push', '-q', 'origin', 'main'], project);

mlpipe('pull the raw data (seed remote)', ['pull', '-r', 'seed'], project);
mlpipe('reproduce the pipeline: prepare, validate, train, evaluate', ['repro'], project);
const validation = JSON.parse(readFileSync(join(project, 'reports', 'validation.json'), 'utf8'));
mlpipe('push data and model to the git remote (branch mlpipe-storage)', ['push'], project);
step++;
process.stdout.write(`${bold(`[${step}/${STEPS}]`)} commit the DVC metadata to main ... `);
git(['add', 'dvc.lock', 'metrics', '.gitignore', 'data/.gitignore'], project);
git(['commit', '-q', '-m', 'Train: update dvc.lock and metrics'], project);
git(['push', '-q', 'origin', 'main'], project);
process.stdout.write(`${green('ok')}\n`);

// Inference, as the infer workflow does it: a fresh clone pulls only the model.
const inference = join(scratch, 'inference');
git(['clone', '-q', remote, inference], scratch);
mlpipe('clone fresh and pull only the model', ['pull', 'model'], inference);
const predictionsFile = join(inference, 'predictions.csv');
mlpipe('predict on samples/rows.jsonl', ['predict', '--model', 'model', '--input', 'samples/rows.jsonl', '--proba', '--output', predictionsFile], inference);
const evalMetrics = JSON.parse(readFileSync(join(inference, 'metrics', 'eval.json'), 'utf8'));
const meta = JSON.parse(readFileSync(join(inference, 'model', 'model.json'), 'utf8'));
const storage = git(['log', '--oneline', 'mlpipe-storage'], remote).trim().split('\n').length;
step++;
process.stdout.write(`${bold(`[${step}/${STEPS}]`)} summary\n\n`);

const c = validation.checks;
const drifted = validation.drift?.drifted ?? [];
console.log(bold('Data checks'));
console.log(`  ${validation.rows} rows, ${validation.columns.length} columns: ${c.passed}/${c.total} checks passed, ${c.errors} errors, ${c.warnings} warnings`);
console.log(`  drift vs the test set: ${drifted.length ? `${drifted.join(', ')} drifted` : 'no column drifted'}`);
console.log(bold('\nModel'));
console.log(`  ${meta.algorithm} (${meta.task}) version ${meta.version}, ${meta.features.length} features, target "${meta.target}"`);
const m = evalMetrics.test;
console.log(`  held-out test set (${evalMetrics.rows} rows): accuracy ${m.accuracy.toFixed(4)}, ROC AUC ${m.roc_auc.toFixed(4)}, log loss ${m.log_loss.toFixed(4)}`);
console.log(bold('\nPredictions (first rows of samples/rows.jsonl)'));
console.log(indent(readFileSync(predictionsFile, 'utf8').trim().split('\n').slice(0, 6).join('\n')).trimEnd());
console.log(bold('\nArtifacts'));
console.log(`  project (trained, committed):  ${project}`);
console.log(`  git remote (origin):           ${remote}  (data and model on branch mlpipe-storage, ${storage} commit(s))`);
console.log(`  validation report:             ${join(project, 'reports', 'validation.html')}`);
console.log(`  predictions:                   ${predictionsFile}`);
console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
