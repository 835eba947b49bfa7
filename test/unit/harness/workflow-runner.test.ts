import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterMatches, runWorkflow, triggered, wouldTrigger } from '../../harness/workflow-runner.js';
import { tempDir, tempRepo } from '../../helpers/tree.js';

const WORKFLOW = `
name: demo
on: [push, pull_request]
env:
  GREETING: hello
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: read
        run: |
          echo "content=$(cat data.txt)" >> "$GITHUB_OUTPUT"
          echo "EXTRA=from-env-file" >> "$GITHUB_ENV"
      - name: only on push
        if: github.event_name == 'push'
        run: echo "# pushed \${{ steps.read.outputs.content }} $EXTRA $GREETING" >> "$GITHUB_STEP_SUMMARY"
      - name: only on pull requests
        if: github.event_name == 'pull_request'
        run: echo "# pr \${{ github.base_ref }}" >> "$GITHUB_STEP_SUMMARY"
      - name: fails on demand
        run: test ! -e fail.flag
      - name: after a failure
        if: failure()
        run: echo "cleanup ran" >> "$GITHUB_STEP_SUMMARY"
      - uses: actions/upload-artifact@v4
        with:
          name: out
          path: data.txt
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: out
      - run: echo "second saw $(cat data.txt)" >> "$GITHUB_STEP_SUMMARY"
`;

function setup(files: Record<string, string>) {
  const repo = tempRepo({ 'data.txt': 'v1', ...files });
  const origin = join(tempDir(), 'origin.git');
  execFileSync('git', ['clone', '-q', '--bare', repo.dir, origin]);
  const sha = repo.git('rev-parse', 'HEAD').trim();
  const wf = join(repo.dir, 'wf.yml');
  writeFileSync(wf, WORKFLOW);
  return { repo, origin, sha, wf };
}

describe('workflow runner', () => {
  it('runs a push: checkout, outputs, env file, summary, artifacts between jobs in needs order', async () => {
    const { origin, sha, wf } = setup({});
    const r = await runWorkflow({ workflowFile: wf, event: 'push', origin, ref: 'refs/heads/main', sha, workDir: tempDir(), nodeModules: '' });
    expect(r.conclusion).toBe('success');
    expect(r.jobs.first!.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success', 'skipped', 'success', 'skipped', 'success']);
    expect(r.summary).toBe('# pushed v1 from-env-file hello\nsecond saw v1\n');
    expect(readFileSync(join(r.artifactsDir, 'out', 'data.txt'), 'utf8')).toBe('v1');
    expect(execFileSync('git', ['branch', '--show-current'], { cwd: r.jobs.first!.workspace, encoding: 'utf8' })).toBe('main\n');
  });

  it('runs a pull request: push-only steps skipped; a failure skips later steps and dependent jobs', async () => {
    const { origin, sha, wf } = setup({ 'fail.flag': '' });
    const r = await runWorkflow({
      workflowFile: wf, event: 'pull_request', origin, ref: 'refs/pull/1/merge', sha, baseRef: 'main', headRef: 'topic',
      workDir: tempDir(), nodeModules: '',
    });
    expect(r.conclusion).toBe('failure');
    expect(r.jobs.first!.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'skipped', 'success', 'failure', 'success', 'skipped']);
    expect(r.jobs.second!.status).toBe('skipped');
    expect(r.summary).toBe('# pr main\ncleanup ran\n');
  });
});

describe('workflow runner: as strict as GitHub', () => {
  const PUSHER = `
name: pusher
on: [push, pull_request]
permissions:
  contents: read
jobs:
  reader:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - run: git push origin HEAD:refs/heads/from-reader
  writer:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@v7
      - run: git push origin HEAD:refs/heads/from-writer
      - run: test -z "\${{ secrets.TOKEN }}" || echo "secret seen" >> "$GITHUB_STEP_SUMMARY"
      - run: |
          git -c user.name=bot -c user.email=bot@example.invalid commit -q --allow-empty -m change
          git push origin HEAD:refs/heads/main
`;

  function pusher() {
    const { repo, origin, sha } = setup({});
    const wf = join(repo.dir, 'pusher.yml');
    writeFileSync(wf, PUSHER);
    return { origin, sha, wf };
  }

  it('a job without contents: write cannot push; one with it can, but not to a protected branch', async () => {
    const { origin, sha, wf } = pusher();
    const r = await runWorkflow({
      workflowFile: wf, event: 'push', origin, ref: 'refs/heads/main', sha, workDir: tempDir(), nodeModules: '',
      secrets: { TOKEN: 's3cret' }, protectedBranches: ['main'],
    });
    expect(r.jobs.reader!.status).toBe('failure');
    expect(r.jobs.reader!.steps[1]!.output).toContain('denied to github-actions[bot] (the job\'s GITHUB_TOKEN has contents: read)');
    expect(r.jobs.writer!.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success', 'failure']);
    expect(r.jobs.writer!.steps[3]!.output).toContain('GH006: Protected branch update failed for refs/heads/main');
    expect(r.summary).toBe('secret seen\n');
    expect(r.pushes).toEqual([{ job: 'writer', ref: 'refs/heads/from-writer', byGithubToken: true }]);
  });

  it('a pull request from a fork gets a read-only token and no secrets', async () => {
    const { origin, sha, wf } = pusher();
    const r = await runWorkflow({
      workflowFile: wf, event: 'pull_request', origin, ref: 'refs/pull/7/merge', sha, baseRef: 'main', headRef: 'topic',
      workDir: tempDir(), nodeModules: '', secrets: { TOKEN: 's3cret' }, fork: true,
    });
    expect(r.jobs.writer!.steps[1]!.outcome).toBe('failure');
    expect(r.jobs.writer!.steps[1]!.output).toContain('GITHUB_TOKEN has contents: read');
    expect(r.summary).toBe('');
    expect(r.pushes).toEqual([]);
  });

  it('upload-artifact leaves hidden files out as @actions/glob walks them, unless include-hidden-files; relative to the paths\' common folder', async () => {
    const wf = `
on: push
jobs:
  up:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - uses: actions/upload-artifact@v7
        with:
          name: plain
          path: |
            p/dvc.lock
            p/.dvc/cache
            p/**/.gitignore
            p/metrics
      - uses: actions/upload-artifact@v7
        with:
          name: hidden
          include-hidden-files: true
          path: |
            p/dvc.lock
            p/.dvc/cache
            p/**/.gitignore
            p/metrics
`;
    const repo = tempRepo({ p: { 'dvc.lock': 'l', '.gitignore': '/m', '.dvc': { cache: { files: { ab: 'x' } } }, data: { '.gitignore': '/d' }, metrics: { 'e.json': '{}', '.hidden': 'h' } } });
    const origin = join(tempDir(), 'origin.git');
    execFileSync('git', ['clone', '-q', '--bare', repo.dir, origin]);
    const sha = repo.git('rev-parse', 'HEAD').trim();
    writeFileSync(join(repo.dir, 'up.yml'), wf);
    const r = await runWorkflow({ workflowFile: join(repo.dir, 'up.yml'), event: 'push', origin, ref: 'refs/heads/main', sha, workDir: tempDir(), nodeModules: '' });
    expect(r.conclusion).toBe('success');
    const files = (name: string) => execFileSync('find', ['.', '-type', 'f'], { cwd: join(r.artifactsDir, name), encoding: 'utf8' }).trim().split('\n').sort();
    // A literal path is walked from its own name: `cache` is not hidden, so the cache goes up; the
    // .gitignore files a wildcard finds and the hidden file in metrics/ do not.
    expect(files('plain')).toEqual(['./.dvc/cache/files/ab', './dvc.lock', './metrics/e.json']);
    expect(files('hidden')).toEqual(['./.dvc/cache/files/ab', './.gitignore', './data/.gitignore', './dvc.lock', './metrics/.hidden', './metrics/e.json']);
  });
});

describe('the train workflow\'s triggers and concurrency', () => {
  const TRAIN = new URL('../../../.github/workflows/train.yml', import.meta.url).pathname;

  it('runs once per commit: pushes to main, pull requests; not registry tags, nor the bot\'s own pushes', () => {
    expect(wouldTrigger(TRAIN, { event: 'push', ref: 'refs/heads/main', message: 'more data' })).toBe(true);
    // A pull request's branch runs as pull_request only (no double run).
    expect(wouldTrigger(TRAIN, { event: 'push', ref: 'refs/heads/topic', message: 'wip' })).toBe(false);
    expect(wouldTrigger(TRAIN, { event: 'pull_request', ref: 'refs/heads/main', message: 'wip' })).toBe(true);
    // A registry tag points at a commit main trained already; stage tags start deploy.yml instead.
    expect(wouldTrigger(TRAIN, { event: 'push', ref: 'refs/tags/churn@v1.2.0' })).toBe(false);
    expect(wouldTrigger(TRAIN, { event: 'push', ref: 'refs/tags/churn#prod#3' })).toBe(false);
    expect(wouldTrigger(TRAIN, { event: 'push', ref: 'refs/tags/release-1' })).toBe(false);
    expect(wouldTrigger(TRAIN, { event: 'push', ref: 'refs/heads/main', message: 'Update DVC metadata [skip ci]' })).toBe(false);
    expect(wouldTrigger(TRAIN, { event: 'push', ref: 'refs/heads/main', message: 'Update DVC metadata', byGithubToken: true })).toBe(false);
  });
});

describe('GitHub filter patterns (on.push.tags / branches)', () => {
  it('`*` stops at `/`, `**` does not; `#`, `@`, `=` and `.` are literal; `?`, `+` and `[]` as GitHub documents them', () => {
    expect(filterMatches(['*#prod#*'], 'churn#prod#3')).toBe(true);
    expect(filterMatches(['*#prod#*'], 'models/dvc.yaml=churn#prod#3')).toBe(false);
    expect(filterMatches(['**#prod#*'], 'models/dvc.yaml=churn#prod#3')).toBe(true);
    expect(filterMatches(['churn#prod#*'], 'churn#prod!#4')).toBe(false);
    expect(filterMatches(['churn#prod#*'], 'churn#production#4')).toBe(false);
    expect(filterMatches(['v1.0'], 'v1x0')).toBe(false);
    expect(filterMatches(['v[12].*'], 'v2.3')).toBe(true);
    expect(filterMatches(['v[12].*'], 'v3.3')).toBe(false);
    expect(filterMatches(['ab?c'], 'ac')).toBe(true);
    expect(filterMatches(['ab+c'], 'abbbc')).toBe(true);
    expect(filterMatches(['ab+c'], 'ac')).toBe(false);
  });

  it('patterns apply in order: `!pattern` excludes what an earlier one included, a later one includes again', () => {
    expect(filterMatches(['**', '!*#staging#*'], 'churn#staging#2')).toBe(false);
    expect(filterMatches(['**', '!*#staging#*'], 'churn#prod#2')).toBe(true);
    expect(filterMatches(['**', '!churn*', 'churn#prod#*'], 'churn#prod#2')).toBe(true);
    expect(filterMatches(['!churn*'], 'other')).toBe(false);
  });

  it('a prod stage tag of the example starts deploy.yml and nothing else; promote and infer run on demand only', () => {
    const dir = new URL('../../../.github/workflows/', import.meta.url).pathname;
    const files = ['train.yml', 'infer.yml', 'promote.yml', 'deploy.yml', 'sweep.yml'].map((f) => join(dir, f));
    const name = (f: string) => f.slice(dir.length);
    const tag = 'examples/adult-income/dvc.yaml=income';
    expect(triggered(files, { event: 'push', ref: `refs/tags/${tag}#prod#7` }).map(name)).toEqual(['deploy.yml']);
    expect(triggered(files, { event: 'push', ref: `refs/tags/${tag}#staging#7` }).map(name)).toEqual([]);
    expect(triggered(files, { event: 'push', ref: `refs/tags/${tag}@v1.0.0` }).map(name)).toEqual([]);
    expect(triggered(files, { event: 'push', ref: `refs/tags/${tag}#prod#7`, byGithubToken: true }).map(name)).toEqual([]);
    expect(triggered(files, { event: 'workflow_dispatch', ref: 'refs/heads/main' }).map(name)).toEqual(['infer.yml', 'promote.yml', 'deploy.yml', 'sweep.yml']);
  });
});
