import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../harness/workflow-runner.js';
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
