import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FixtureCommand, outputsOf, readFixtureCommands } from '../helpers/fixture-commands.js';
import { tempDir } from '../helpers/tree.js';

/**
 * Recreates the repository of test/fixtures/dvc/gto-registry (real GTO 1.8: same identity, same
 * clock, one minute per step), runs mlpipe's registry commands where the fixture ran gto's, and
 * compares tag names, tag messages, taggers and every show/history/stages/check-ref output.
 * Commits differ from the fixture's (its tree is not reproducible), so their ids are mapped.
 */
const FIXTURE = join(import.meta.dirname, '../fixtures/dvc/gto-registry');
const commands = readFixtureCommands(join(FIXTURE, 'commands'));
const T0 = 1704067200; // 2024-01-01T00:00:00Z
const FIXTURE_COMMITS = {
  v1: '5eb47cb767a45cc49da539387e8a0ad8109ec3c8',
  v2: '1c3f4b4fdb22123240d37b82a149dc057576fcb0',
  v3: 'd5e3a9b1694f514b10bc9e54c215e5daa8b652bc',
};

let dir: string;
const commits: Record<string, string> = {};
const env = (minute: number) => ({
  GIT_AUTHOR_NAME: 'fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
  GIT_AUTHOR_DATE: `${T0 + minute * 60} +0000`,
  GIT_COMMITTER_DATE: `${T0 + minute * 60} +0000`,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  TZ: 'UTC',
});
/** Output with the trailing blank lines the fixture file cannot keep trimmed to one newline. */
const trimmed = (s: string) => s.replace(/\n+$/, '\n');
const git = (minute: number, ...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...env(minute) }, encoding: 'utf8' });
const mlpipe = (minute: number, ...args: string[]) => runCli(args, { cwd: dir, env: env(minute) });

function commitModel(minute: number, content: string, key: keyof typeof FIXTURE_COMMITS): void {
  execFileSync('sh', ['-c', `printf '%s\\n' '${content}' > models/churn.pkl`], { cwd: dir });
  git(minute, 'add', '-A');
  git(minute, 'commit', '-q', '-m', content);
  commits[key] = git(minute, 'rev-parse', 'HEAD').trim();
}

/** The fixture's text with its commit ids replaced by this repository's. */
function mapped(text: string): string {
  let out = text;
  for (const [k, sha] of Object.entries(FIXTURE_COMMITS)) {
    if (commits[k] === undefined) continue;
    out = out.replaceAll(sha, commits[k] as string).replaceAll(sha.slice(0, 7), (commits[k] as string).slice(0, 7));
  }
  return out;
}
const take = (cmd: string, n = 0): FixtureCommand => outputsOf(commands, cmd)[n] as FixtureCommand;
const FOR_EACH_REF = "git for-each-ref refs/tags '--format=%(refname:short)|%(objecttype)|%(taggername) %(taggeremail)|%(contents)'";

beforeAll(() => {
  dir = tempDir();
  git(0, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'models'));
  copyFileSync(join(FIXTURE, 'input/dvc.yaml'), join(dir, 'dvc.yaml'));
  git(0, 'add', '-A');
  git(0, 'commit', '-q', '-m', 'init');
  commitModel(14, 'model v1', 'v1');
});
afterAll(() => {
  execFileSync('rm', ['-rf', dir]);
});

describe('models registry: GTO 1.8 fixture round trip', () => {
  it('register, register again (refused), assign, register a bump, assign at HEAD: same tags and lines as gto', async () => {
    let r = await mlpipe(15, 'models', 'register', 'churn', '--version', 'v1.0.0');
    expect(r.stdout).toBe(take('gto register churn --version v1.0.0', 0).out);
    r = await mlpipe(16, 'models', 'register', 'churn', '--version', 'v1.0.0');
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(take('gto register churn --version v1.0.0', 1).out.replace('❌ ', '').trim());
    r = await mlpipe(17, 'models', 'assign', 'churn', '--version', 'v1.0.0', '--stage', 'prod');
    expect(r.stdout).toBe(take('gto assign churn --version v1.0.0 --stage prod').out);
    commitModel(18, 'model v2', 'v2');
    r = await mlpipe(19, 'models', 'register', 'churn');
    expect(r.stdout).toBe(take('gto register churn').out);
    r = await mlpipe(20, 'models', 'assign', 'churn', '--stage', 'staging');
    expect(r.stdout).toBe(take('gto assign churn --stage staging').out);
    r = await mlpipe(21, 'models', 'show');
    expect(r.stdout).toBe(take('gto show', 0).out);
  });

  it('deprecate VERSION STAGE unassigns, deprecate VERSION deregisters: same tags as gto', async () => {
    let r = await mlpipe(24, 'models', 'deprecate', 'churn', 'v1.0.1', 'staging');
    expect(r.stdout).toBe(take('gto deprecate churn v1.0.1 staging').out);
    r = await mlpipe(25, 'models', 'deprecate', 'churn', 'v1.0.1');
    expect(r.stdout).toBe(take('gto deprecate churn v1.0.1').out);
    const forEachRef = git(25, 'for-each-ref', 'refs/tags', '--format=%(refname:short)|%(objecttype)|%(taggername) %(taggeremail)|%(contents)');
    expect(trimmed(forEachRef)).toBe(take(FOR_EACH_REF, 0).out);
    const dated = git(25, 'for-each-ref', 'refs/tags', '--format=%(refname:short) %(*objectname) %(taggerdate:iso-strict)');
    const expected = take("git for-each-ref refs/tags '--format=%(refname:short) %(objectname) %(*objectname) %(taggerdate:iso-strict)'")
      .out.split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, , target, date] = l.split(' ');
        return `${name} ${target} ${date}`;
      })
      .join('\n');
    expect(dated.trim()).toBe(mapped(expected));
  });

  it('show, show --json, --plain, per artifact, shortcuts, history, stages, check-ref: as gto printed them', async () => {
    const after = commands.findIndex((c) => c.cmd === 'gto deprecate churn v1.0.1');
    const at = (cmd: string) => commands.slice(after).find((c) => c.cmd === cmd) as FixtureCommand;
    expect((await mlpipe(26, 'models', 'show')).stdout).toBe(at('gto show').out);
    expect(JSON.parse((await mlpipe(26, '--json', 'models', 'show')).stdout)).toEqual(JSON.parse(at('gto show --json').out));
    expect((await mlpipe(26, 'models', 'show', '--plain')).stdout).toBe(at('gto show --plain').out);
    expect((await mlpipe(26, 'models', 'show', 'churn')).stdout).toBe(at('gto show churn').out);
    expect(JSON.parse((await mlpipe(26, '--json', 'models', 'show', 'churn')).stdout)).toEqual(JSON.parse(mapped(at('gto show churn --json').out)));
    expect((await mlpipe(26, 'models', 'show', 'churn#prod', '--ref')).stdout).toBe(at("gto show 'churn#prod' --ref").out);
    expect((await mlpipe(26, 'models', 'show', 'churn#prod', '--version')).stdout).toBe(at("gto show 'churn#prod' --version").out);
    expect((await mlpipe(26, 'models', 'show', 'churn@latest', '--ref')).stdout).toBe(at('gto show churn@latest --ref').out);
    expect((await mlpipe(26, 'models', 'show', 'churn#staging')).stdout).toBe(at("gto show 'churn#staging'").out);
    // gto crashes here ("list index out of range"); by its data model no version is in staging
    const staging = await mlpipe(26, 'models', 'show', 'churn#staging', '--ref');
    expect([staging.code, staging.stdout]).toEqual([0, '']);
    expect((await mlpipe(26, 'models', 'history', 'churn')).stdout).toBe(mapped(at('gto history churn').out));
    expect(JSON.parse((await mlpipe(26, '--json', 'models', 'history', 'churn')).stdout)).toEqual(JSON.parse(mapped(at('gto history churn --json').out)));
    expect((await mlpipe(26, 'models', 'stages')).stdout).toBe(at('gto stages').out);
    expect(JSON.parse((await mlpipe(26, '--json', 'models', 'check-ref', 'churn#prod#1')).stdout)).toEqual(JSON.parse(mapped(at("gto check-ref 'churn#prod#1' --json").out)));
  });

  it('ignores lightweight tags, then deprecates the artifact', async () => {
    commitModel(26, 'model v3', 'v3');
    git(27, 'tag', 'churn@v9.0.0');
    git(27, 'tag', 'churn#prod#9');
    const after = commands.findIndex((c) => c.cmd === "git tag 'churn#prod#9'");
    const at = (cmd: string) => commands.slice(after).find((c) => c.cmd === cmd) as FixtureCommand;
    expect((await mlpipe(28, 'models', 'show')).stdout).toBe(at('gto show').out);
    expect((await mlpipe(28, 'models', 'show', 'churn')).stdout).toBe(at('gto show churn').out);
    expect((await mlpipe(28, 'models', 'history', 'churn')).stdout).toBe(mapped(at('gto history churn').out));
    const lightweight = await mlpipe(28, 'models', 'check-ref', 'churn@v9.0.0');
    expect([lightweight.code, lightweight.stdout]).toEqual([0, at('gto check-ref churn@v9.0.0').out.trim()]);

    expect((await mlpipe(30, 'models', 'deprecate', 'churn')).stdout).toBe(at('gto deprecate churn').out);
    const afterDeprecate = commands.findIndex((c) => c.cmd === 'gto deprecate churn');
    const at2 = (cmd: string) => commands.slice(afterDeprecate).find((c) => c.cmd === cmd) as FixtureCommand;
    expect((await mlpipe(31, 'models', 'show')).stdout).toBe(at2('gto show').out);
    expect((await mlpipe(31, 'models', 'show', '-d')).stdout).toBe(at2('gto show -d').out);
    expect(JSON.parse((await mlpipe(31, '--json', 'models', 'show', '-d')).stdout)).toEqual(JSON.parse(at2('gto show --json -d').out));
    const forEachRef = git(31, 'for-each-ref', 'refs/tags', '--format=%(refname:short)|%(objecttype)|%(taggername) %(taggeremail)|%(contents)');
    expect(trimmed(forEachRef)).toBe(outputsOf(commands, FOR_EACH_REF)[1]?.out);
  });
});

describe('models declare', () => {
  it('writes the artifacts section byte for byte as the fixture dvc.yaml, then a monorepo one', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const d = tempDir();
    try {
      execFileSync('git', ['init', '-q'], { cwd: d });
      const r = await runCli(
        ['models', 'declare', 'churn', '--path', 'models/churn.pkl', '--desc', 'Churn classifier', '--label', 'tabular', 'classification', '--meta', 'framework=sklearn', 'owner=fixture'],
        { cwd: d },
      );
      expect(r.stderr).toBe('');
      expect(readFileSync(join(d, 'dvc.yaml'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'input/dvc.yaml'), 'utf8'));
      mkdirSync(join(d, 'sub'));
      writeFileSync(join(d, 'sub/dvc.yaml'), '# keep me\nstages:\n  train:\n    cmd: echo\n');
      await runCli(['models', 'declare', 'sub/dvc.yaml:net', '--path', 'out/net.onnx'], { cwd: d });
      expect(readFileSync(join(d, 'sub/dvc.yaml'), 'utf8')).toBe('# keep me\nstages:\n  train:\n    cmd: echo\nartifacts:\n  net:\n    path: out/net.onnx\n    type: model\n');
    } finally {
      execFileSync('rm', ['-rf', d]);
    }
  });
});

describe('models: monorepo names and the listing with metrics', () => {
  it('registers path/to/dvc.yaml:NAME as path/to/dvc.yaml=NAME@v0.0.1 and lists versions with their metrics', async () => {
    const { writeFileSync } = await import('node:fs');
    const d = tempDir();
    const g = (...args: string[]) => execFileSync('git', args, { cwd: d, env: { ...process.env, ...env(0) }, encoding: 'utf8' });
    try {
      g('init', '-q', '-b', 'main');
      writeFileSync(join(d, 'dvc.yaml'), 'metrics:\n- metrics.json\n');
      writeFileSync(join(d, 'metrics.json'), '{"auc": 0.81, "n": 100}');
      g('add', '-A');
      g('commit', '-q', '-m', 'one');
      expect((await runCli(['models', 'register', 'sub/dvc.yaml:net'], { cwd: d, env: env(1) })).stdout).toContain("Created git tag 'sub/dvc.yaml=net@v0.0.1'");
      expect((await runCli(['models', 'register', 'churn'], { cwd: d, env: env(1) })).stdout).toContain("'churn@v0.0.1'");
      writeFileSync(join(d, 'metrics.json'), '{"auc": 0.875, "n": 100}');
      g('commit', '-q', '-am', 'two');
      const two = g('rev-parse', 'HEAD').trim();
      await runCli(['models', 'register', 'churn', '--bump-minor'], { cwd: d, env: env(2) });
      await runCli(['models', 'assign', 'churn', '--stage', 'prod'], { cwd: d, env: env(3) });
      const shown = await runCli(['models', 'show', '--plain'], { cwd: d, env: env(4) });
      expect(shown.stdout).toBe('name              latest    #prod\nchurn             v0.1.0    v0.1.0\nsub/dvc.yaml:net  v0.0.1    -\n');
      const listing = await runCli(['--json', 'models', 'show', 'churn', '--metrics'], { cwd: d, env: env(4) });
      const rows = JSON.parse(listing.stdout) as { version: string; stages: string[]; commit: string; metrics: Record<string, number> }[];
      expect(rows.map((r) => [r.version, r.stages, r.commit === two, r.metrics])).toEqual([
        ['v0.1.0', ['prod'], true, { auc: 0.875, n: 100 }],
        ['v0.0.1', [], false, { auc: 0.81, n: 100 }],
      ]);
      const table = await runCli(['models', 'show', 'churn', '--metrics', '--plain'], { cwd: d, env: env(4) });
      expect(table.stdout.split('\n')[0]).toBe('version    stage    commit    created_at                   auc    n');
      expect((await runCli(['models', 'show', 'sub/dvc.yaml:net@latest', '--version'], { cwd: d })).stdout).toBe('v0.0.1\n');
    } finally {
      execFileSync('rm', ['-rf', d]);
    }
  });
});

describe('train --register', () => {
  it('declares the model folder in dvc.yaml once, keeping a hand-written declaration', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const d = tempDir();
    try {
      const rows = Array.from({ length: 60 }, (_, i) => `${i % 13},${i % 13 > 6 ? 'y' : 'n'}`);
      writeFileSync(join(d, 'data.csv'), `x,label\n${rows.join('\n')}\n`);
      writeFileSync(join(d, 'dvc.yaml'), 'stages: {}\n');
      const train = ['train', '-d', 'data.csv', '-t', 'label', '-o', 'models/churn', '--set', 'algorithm=logistic', '--register', 'churn'];
      const r = await runCli(train, { cwd: d });
      expect(r.stdout).toContain("declared artifact 'churn' in dvc.yaml");
      expect(readFileSync(join(d, 'dvc.yaml'), 'utf8')).toBe(
        'stages: {}\nartifacts:\n  churn:\n    path: models/churn\n    type: model\n    desc: logistic binary model predicting "label"\n',
      );
      writeFileSync(join(d, 'dvc.yaml'), 'artifacts:\n  churn:\n    path: models/churn\n    desc: mine\n');
      expect((await runCli(train, { cwd: d })).stdout).not.toContain('declared artifact');
      expect(readFileSync(join(d, 'dvc.yaml'), 'utf8')).toBe('artifacts:\n  churn:\n    path: models/churn\n    desc: mine\n');
    } finally {
      execFileSync('rm', ['-rf', d]);
    }
  });
});

describe('models register --if-improves, models which', () => {
  it('registers only when the metric beats the prod version by the margin; which picks prod, else latest, else main', async () => {
    const { writeFileSync } = await import('node:fs');
    const d = tempDir();
    const g = (...args: string[]) => execFileSync('git', args, { cwd: d, env: { ...process.env, ...env(0) }, encoding: 'utf8' });
    const cli = (...args: string[]) => runCli(args, { cwd: d, env: env(5) });
    const commitMetrics = (auc: number, loss: number) => {
      writeFileSync(join(d, 'eval.json'), JSON.stringify({ auc, loss }));
      g('add', '-A');
      g('commit', '-q', '-m', `auc ${auc}`);
      return g('rev-parse', 'HEAD').trim();
    };
    try {
      g('init', '-q', '-b', 'main');
      writeFileSync(join(d, 'dvc.yaml'), 'metrics:\n- eval.json\n');
      const c1 = commitMetrics(0.8, 0.5);
      expect((await cli('models', 'which', '--name', 'churn')).stdout).toBe(`${c1} main fallback\n`);
      expect((await cli('models', 'register', 'churn', '--if-improves', 'auc')).stdout).toContain("Created git tag 'churn@v0.0.1'");
      expect((await cli('models', 'which', '--name', 'churn')).stdout).toBe(`${c1} v0.0.1 latest\n`);
      // Nothing in prod yet: the latest registered version is the baseline (not one version per run).
      g('commit', '-q', '--allow-empty', '-m', 'the same metrics');
      expect((await cli('models', 'register', 'churn', '--if-improves', 'auc')).stdout).toBe('Not registered: auc 0.8 does not beat 0.8 (churn@v0.0.1) by more than 0\n');
      g('reset', '-q', '--hard', 'HEAD~1');
      await cli('models', 'assign', 'churn', '--stage', 'prod');
      commitMetrics(0.805, 0.45);
      const small = await cli('--json', 'models', 'register', 'churn', '--if-improves', 'auc', '--margin', '0.01');
      expect(JSON.parse(small.stdout)).toEqual({ registered: false, metric: 'auc', current: 0.805, baseline: 0.8, margin: 0.01, higherIsBetter: true, improves: false, against: 'churn#prod' });
      expect((await cli('models', 'register', 'churn', '--if-improves', 'loss', '--lower-is-better', '--margin', '0.1')).stdout).toContain('Not registered: loss 0.45 does not beat 0.5 (churn#prod) by more than 0.1');
      const c3 = commitMetrics(0.83, 0.4);
      expect((await cli('models', 'register', 'churn', '--if-improves', 'auc', '--margin', '0.01')).stdout).toContain("Created git tag 'churn@v0.0.2'");
      expect((await cli('models', 'which', '--name', 'churn')).stdout).toBe(`${c1} v0.0.1 stage\n`);
      expect((await cli('models', 'which', 'churn@latest')).stdout).toBe(`${c3} v0.0.2 latest\n`);
      expect((await cli('models', 'which', 'HEAD~1')).stdout).toBe(`${g('rev-parse', 'HEAD~1').trim()} HEAD~1 ref\n`);
      const badMetric = await cli('models', 'register', 'churn', '--if-improves', 'f1');
      expect([badMetric.code, badMetric.stderr]).toEqual([4, expect.stringContaining("metric 'f1' is not a number")]);
      expect((await cli('models', 'register', 'churn', '--if-improves', 'auc', '--margin', '-1')).code).toBe(2);
    } finally {
      execFileSync('rm', ['-rf', d]);
    }
  });
});
