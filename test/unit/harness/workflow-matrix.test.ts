import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../harness/workflow-runner.js';
import { tempDir, tempRepo } from '../../helpers/tree.js';

/** Job outputs, a matrix from another job's output, and a job that runs after a failed one. */
const WORKFLOW = `
on: workflow_dispatch
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      matrix: \${{ steps.m.outputs.matrix }}
    steps:
      - id: m
        run: |
          {
            echo "matrix<<END"
            echo '{"include": [{"n": 1, "word": "one"}, {"n": 2, "word": "two"}, {"n": 3, "word": "three"}]}'
            echo "END"
          } >> "$GITHUB_OUTPUT"
  work:
    needs: plan
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "- \${{ matrix.n }} \${{ matrix.word }}" >> "$GITHUB_STEP_SUMMARY"
          test "\${{ matrix.n }}" != "\${{ inputs.fail }}"
  axes:
    needs: plan
    strategy:
      matrix:
        a: [x, y]
        b: [1, 2]
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ matrix.a }}\${{ matrix.b }}" >> "$GITHUB_STEP_SUMMARY"
  after:
    needs: work
    if: \${{ !cancelled() }}
    runs-on: ubuntu-latest
    steps:
      - run: echo "after ran, work was \${{ needs.work.result }}" >> "$GITHUB_STEP_SUMMARY"
  strict:
    needs: work
    runs-on: ubuntu-latest
    steps:
      - run: echo "strict ran" >> "$GITHUB_STEP_SUMMARY"
`;

describe('workflow runner: outputs and matrices', () => {
  it('runs a job per matrix combination; a status-function job runs after a failed one, a plain one does not', async () => {
    const repo = tempRepo({ 'a.txt': 'a' });
    const origin = join(tempDir(), 'origin.git');
    execFileSync('git', ['clone', '-q', '--bare', repo.dir, origin]);
    const wf = join(repo.dir, 'wf.yml');
    writeFileSync(wf, WORKFLOW);
    const sha = repo.git('rev-parse', 'HEAD').trim();
    const ok = await runWorkflow({ workflowFile: wf, event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha, inputs: { fail: '0' }, workDir: tempDir(), nodeModules: '' });
    expect(ok.conclusion).toBe('success');
    expect(ok.jobs.work!.instances!.map((i) => [i.matrix.word, i.status])).toEqual([['one', 'success'], ['two', 'success'], ['three', 'success']]);
    expect(ok.jobs.work!.summary).toBe('- 1 one\n- 2 two\n- 3 three\n');
    expect(ok.jobs.axes!.summary).toBe('x1\nx2\ny1\ny2\n');
    expect(ok.jobs.strict!.summary).toBe('strict ran\n');

    const failed = await runWorkflow({ workflowFile: wf, event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha, inputs: { fail: '2' }, workDir: tempDir(), nodeModules: '' });
    expect(failed.conclusion).toBe('failure');
    expect(failed.jobs.work!.instances!.map((i) => i.status)).toEqual(['success', 'failure', 'success']);
    expect(failed.jobs.work!.status).toBe('failure');
    expect(failed.jobs.after!.summary).toBe('after ran, work was failure\n');
    expect(failed.jobs.strict!.status).toBe('skipped');
    repo.cleanup();
  });
});
