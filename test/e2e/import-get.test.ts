import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDvcFile } from '../../src/core/formats/dvcfile.js';
import { type RepoImport, importOf, importStageMd5 } from '../../src/core/formats/import-file.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/tree.js';

/**
 * The import-get fixture (real DVC 3.64.0) replayed with mlpipe: a source repository with the same
 * data (so the same md5s) tagged v1 and v2 and pushed to its remote, then `get`, `import` (pinned
 * and not), `status`, `update`. The .dvc files must equal DVC's but for the commit ids (rev_lock).
 * The source's cache is emptied after the push: the data can only come from its remote.
 */
const FIXTURE = join(import.meta.dirname, '../fixtures/dvc/import-get');
const FIXTURE_COMMITS = { v1: '09e054d9bad711447c76bfeb3e567a9024140faa', v2: '8e46a27f66181f4da395827d445ccec197d9ba9d' };
const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

let base: string;
const commits: Record<string, string> = {};
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
const mlpipe = async (cwd: string, ...args: string[]) => {
  const r = await runCli(args, { cwd, env: GIT_ENV, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`mlpipe ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
};
const fixture = (rel: string) => readFileSync(join(FIXTURE, rel), 'utf8');
const mapped = (text: string) => text.replaceAll(FIXTURE_COMMITS.v1, commits.v1 as string).replaceAll(FIXTURE_COMMITS.v2, commits.v2 as string);
/**
 * A fixture .dvc file with this test's commit ids; its stage md5 (which hashes rev_lock) recomputed
 * by the function test/unit/core/import-file.test.ts checks against DVC's own md5s.
 */
const mappedDvc = (text: string) => {
  const m = mapped(text);
  const imp = importOf(parseDvcFile(m), 'fixture') as RepoImport;
  return m.replace(/^md5: [0-9a-f]{32}\n/, `md5: ${importStageMd5(imp)}\n`);
};
const read = (...p: string[]) => readFileSync(join(base, ...p), 'utf8');

beforeAll(async () => {
  base = tempDir();
  const src = join(base, 'src');
  mkdirSync(src);
  git(src, 'init', '-q', '-b', 'main');
  await mlpipe(src, 'init');
  writeTree(src, { data: { 'labels.csv': 'id,label\n1,cat\n2,dog\n', images: { '1.txt': 'img1\n', '2.txt': 'img2\n' } } });
  await mlpipe(src, 'add', 'data/labels.csv', 'data/images');
  await mlpipe(src, 'remote', 'add', '-d', 'storage', '../../src-remote');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'v1');
  git(src, 'tag', 'v1');
  commits.v1 = git(src, 'rev-parse', 'HEAD').trim();
  writeTree(src, { data: { 'labels.csv': 'id,label\n1,cat\n2,dog\n3,bird\n', images: { '3.txt': 'img3\n' } } });
  await mlpipe(src, 'add', 'data/labels.csv', 'data/images');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'v2');
  git(src, 'tag', 'v2');
  commits.v2 = git(src, 'rev-parse', 'HEAD').trim();
  // v1's objects are still in the cache: push both revisions' data, then empty the cache
  git(src, 'checkout', '-q', 'v1');
  await mlpipe(src, 'push');
  git(src, 'checkout', '-q', 'main');
  await mlpipe(src, 'push');
  rmSync(join(src, '.dvc/cache'), { recursive: true, force: true });
  mkdirSync(join(base, 'consumer'));
  git(join(base, 'consumer'), 'init', '-q', '-b', 'main');
  await mlpipe(join(base, 'consumer'), 'init');
}, 180_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('get, import, update (fixture import-get)', () => {
  const consumer = () => join(base, 'consumer');

  it('get copies a file or folder at a revision, as dvc get', async () => {
    await mlpipe(consumer(), 'get', '../src', 'data/labels.csv', '-o', 'labels-latest.csv');
    await mlpipe(consumer(), 'get', '--rev', 'v1', '../src', 'data/labels.csv', '-o', 'labels-v1.csv');
    await mlpipe(consumer(), 'get', '--rev', 'v1', '../src', 'data/images', '-o', 'images-v1');
    expect(read('consumer/labels-latest.csv')).toBe(fixture('expected/labels-latest.csv'));
    expect(read('consumer/labels-v1.csv')).toBe(fixture('expected/labels-v1.csv'));
    expect(readdirSync(join(consumer(), 'images-v1')).sort()).toEqual(['1.txt', '2.txt']);
    expect(read('consumer/images-v1/2.txt')).toBe(fixture('expected/images-v1/2.txt'));
    const again = await runCli(['get', '../src', 'data/labels.csv', '-o', 'labels-latest.csv'], { cwd: consumer() });
    expect(again.code).toBe(6);
    for (const f of ['labels-latest.csv', 'labels-v1.csv', 'images-v1']) rmSync(join(consumer(), f), { recursive: true });
  });

  it('import writes the .dvc files DVC writes (frozen, repo: url, rev, rev_lock; stage md5)', async () => {
    const r = await mlpipe(consumer(), 'import', '../src', 'data/labels.csv', '-o', 'labels.csv', '--rev', 'v1');
    expect(r.stdout.split('\n')[0]).toBe("Importing 'data/labels.csv (../src)' -> 'labels.csv'");
    await mlpipe(consumer(), 'import', '../src', 'data/images', '-o', 'images', '--rev', 'v1');
    await mlpipe(consumer(), 'import', '../src', 'data/labels.csv', '-o', 'labels-head.csv');
    for (const f of ['labels.csv.dvc', 'images.dvc', 'labels-head.csv.dvc']) expect(read('consumer', f)).toBe(mappedDvc(fixture(`import-before/${f}`)));
    expect(read('consumer/labels.csv')).toBe(fixture('expected/labels-v1.csv'));
    expect(read('consumer/.gitignore')).toBe('/labels.csv\n/images\n/labels-head.csv\n');
    const status = await mlpipe(consumer(), 'status');
    expect(status.stdout).toBe(
      [
        'Data and pipelines are up to date.',
        'Frozen imports (not compared with their source; `mlpipe update FILE.dvc` moves them):',
        `\timages.dvc: data/images from ../src @ v1 (${commits.v1?.slice(0, 7)})`,
        `\tlabels-head.csv.dvc: data/labels.csv from ../src (${commits.v2?.slice(0, 7)})`,
        `\tlabels.csv.dvc: data/labels.csv from ../src @ v1 (${commits.v1?.slice(0, 7)})`,
        '',
      ].join('\n'),
    );
    expect(JSON.parse((await mlpipe(consumer(), '--json', 'status')).stdout)).toEqual({});
  });

  it('update moves pinned imports to --rev and skips an unchanged one, as dvc update', async () => {
    git(consumer(), 'add', '-A');
    git(consumer(), 'commit', '-q', '-m', 'imports');
    expect((await mlpipe(consumer(), 'update', '--rev', 'v2', 'labels.csv.dvc')).stdout).toBe("Importing 'data/labels.csv (../src)' -> 'labels.csv'\n");
    expect((await mlpipe(consumer(), 'update', '--rev', 'v2', 'images.dvc')).stdout).toBe("Importing 'data/images (../src)' -> 'images'\n");
    expect((await mlpipe(consumer(), 'update', 'labels-head.csv.dvc')).stdout).toBe("'labels-head.csv.dvc' didn't change, skipping\n");
    for (const f of ['labels.csv.dvc', 'images.dvc', 'labels-head.csv.dvc']) expect(read('consumer', f)).toBe(mappedDvc(fixture(`import-after/${f}`)));
    expect(readdirSync(join(consumer(), 'images')).sort()).toEqual(['1.txt', '2.txt', '3.txt']);
    expect(git(consumer(), 'status', '--short')).toBe(' M images.dvc\n M labels.csv.dvc\n');
  });

  it('updates .dvc files that DVC wrote', async () => {
    const other = join(base, 'dvc-consumer');
    mkdirSync(other);
    git(other, 'init', '-q', '-b', 'main');
    await mlpipe(other, 'init');
    writeFileSync(join(other, 'labels.csv.dvc'), mappedDvc(fixture('import-before/labels.csv.dvc')));
    await mlpipe(other, 'update', '--rev', 'v2', 'labels.csv.dvc');
    expect(read('dvc-consumer/labels.csv.dvc')).toBe(mappedDvc(fixture('import-after/labels.csv.dvc')));
    expect(read('dvc-consumer/labels.csv')).toBe(fixture('expected/labels-latest.csv'));
  });
});

describe('models get and the git-branch remote, through a git URL', () => {
  it('resolves NAME#STAGE in a cloned repository and fetches the model from its mlpipe-storage branch', async () => {
    const origin = join(base, 'models-origin.git');
    git(base, 'init', '-q', '--bare', '-b', 'main', origin);
    const work = join(base, 'models-work');
    git(base, 'clone', '-q', origin, work);
    await mlpipe(work, 'init');
    writeTree(work, { model: { 'model.json': '{"v": 1}\n', 'model.onnx': 'onnx-1' } });
    await mlpipe(work, 'add', 'model');
    await mlpipe(work, 'remote', 'add', '-d', 'storage', 'git');
    await mlpipe(work, 'models', 'declare', 'churn', '--path', 'model');
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'model 1');
    await mlpipe(work, 'push');
    await mlpipe(work, 'models', 'register', 'churn', '--version', 'v1.0.0');
    await mlpipe(work, 'models', 'assign', 'churn', '--version', 'v1.0.0', '--stage', 'prod', '--push');
    writeTree(work, { model: { 'model.json': '{"v": 2}\n' } });
    await mlpipe(work, 'add', 'model');
    git(work, 'commit', '-q', '-am', 'model 2');
    await mlpipe(work, 'push');
    await mlpipe(work, 'models', 'register', 'churn', '--push');
    git(work, 'push', '-q', 'origin', 'main', 'churn@v1.0.0');
    const url = `file://${origin}`;
    const prod = await mlpipe(base, '--json', 'models', 'get', url, 'churn', '--stage', 'prod', '-o', 'prod-model');
    expect(JSON.parse(prod.stdout)).toMatchObject({ artifact: 'churn', version: 'v1.0.0', kind: 'dir' });
    expect(read('prod-model/model.json')).toBe('{"v": 1}\n');
    await mlpipe(base, 'models', 'get', url, 'churn', '-o', 'latest-model');
    expect(read('latest-model/model.json')).toBe('{"v": 2}\n');
    const missing = await runCli(['models', 'get', url, 'churn', '--stage', 'staging'], { cwd: base });
    expect([missing.code, missing.stderr]).toEqual([4, expect.stringContaining("no version of 'churn' is in stage 'staging'")]);
  });
});
