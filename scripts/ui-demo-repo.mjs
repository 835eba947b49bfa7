// A repository with many experiments, fast: the baseline is committed normally, the experiments are
// written straight into git with `git fast-import` (refs/exps/<base[0:2]>/<base[2:]>/exp-NNNN, DVC's
// layout), each with its own params.yaml, metrics.json and loss curve. Used by bench/ui.mjs and
// scripts/ui-screenshots.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const STEPS = 8;
const r4 = (x) => Math.round(x * 1e4) / 1e4;
/** The numbers of experiment i: deterministic, varied. */
export function expValues(i) {
  const lr = r4((i % 97) / 100 + 0.01);
  const depth = 2 + (i % 9);
  const acc = r4(0.5 + lr / 3 + depth / 50);
  const loss = Array.from({ length: STEPS }, (_, s) => r4((1 - acc) * (1 + 2 / (s + 1))));
  return { lr, depth, acc, loss };
}
const lossCsv = (loss) => `step,loss\n${loss.map((l, s) => `${s},${l}`).join('\n')}\n`;

export function makeExperimentsRepo(dir, n, { commits = 1 } = {}) {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'demo', GIT_AUTHOR_EMAIL: 'demo@mlpipe.invalid', GIT_COMMITTER_NAME: 'demo', GIT_COMMITTER_EMAIL: 'demo@mlpipe.invalid' };
  const git = (args, input, date) => {
    const r = spawnSync('git', args, { cwd: dir, env: date ? { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const write = (files) => {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
  };
  write({
    '.dvc/config': '',
    '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
    'dvc.yaml':
      'stages:\n  train:\n    cmd: node train.mjs\n    deps:\n    - train.mjs\n    params:\n    - lr\n    - depth\n    metrics:\n    - metrics.json:\n        cache: false\n    plots:\n    - loss.csv:\n        cache: false\n        x: step\n        y: loss\n',
    'train.mjs': '// the training script\n',
  });
  git(['init', '-q', '-b', 'main']);
  for (let c = 0; c < commits; c++) {
    const v = expValues(1000 + c * 7);
    write({
      'params.yaml': `lr: ${v.lr}\ndepth: ${v.depth}\n`,
      'metrics.json': JSON.stringify({ acc: v.acc, loss: v.loss.at(-1) }),
      'loss.csv': lossCsv(v.loss),
    });
    git(['add', '-A']);
    git(['commit', '-q', '-m', `baseline ${c}`], undefined, `2024-01-0${c + 1}T00:00:00Z`);
  }
  const base = git(['rev-parse', 'HEAD']).trim();
  const parts = [];
  const t0 = 1704067200 + 86400 * commits;
  for (let i = 0; i < n; i++) {
    const v = expValues(i);
    const blob = (path, text) => `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
    const msg = `exp ${i}`;
    parts.push(
      `commit refs/exps/${base.slice(0, 2)}/${base.slice(2)}/exp-${String(i).padStart(4, '0')}\n`,
      `committer demo <demo@mlpipe.invalid> ${t0 + i * 60} +0000\ndata ${msg.length}\n${msg}\nfrom ${base}\n`,
      blob('params.yaml', `lr: ${v.lr}\ndepth: ${v.depth}\n`),
      blob('metrics.json', JSON.stringify({ acc: v.acc, loss: v.loss.at(-1) })),
      blob('loss.csv', lossCsv(v.loss)),
      '\n',
    );
  }
  git(['fast-import', '--quiet'], parts.join(''));
  return base;
}
