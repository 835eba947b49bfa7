import { describe, expect, it } from 'vitest';
import { type ExpressionContext, evaluate, evaluateCondition, interpolate } from '../../harness/expressions.js';

const ctx = (over: Partial<ExpressionContext> = {}): ExpressionContext => ({
  jobFailed: false,
  contexts: {
    github: { event_name: 'push', ref: 'refs/heads/main', base_ref: '' },
    inputs: { 'model-version': 'v2', rows: '' },
    steps: { validate: { outcome: 'failure', outputs: { n: '3' } } },
    env: { PROJECT: 'examples/adult-income' },
  },
  ...over,
});

describe('workflow expressions', () => {
  it('compares strings case-insensitively and combines with && and ||', () => {
    expect(evaluate("github.event_name == 'PUSH' && github.ref == 'refs/heads/main'", ctx())).toBe(true);
    expect(evaluate("github.event_name == 'pull_request'", ctx())).toBe(false);
    expect(evaluate("inputs.rows || 'default'", ctx())).toBe('default');
    expect(evaluate("inputs['model-version']", ctx())).toBe('v2');
    expect(evaluate('steps.validate.outputs.n == 3', ctx())).toBe(true);
    expect(evaluate('github.missing.deeper', ctx())).toBeNull();
  });

  it('implies success() unless a status function is used', () => {
    expect(evaluateCondition("github.event_name == 'push'", ctx())).toBe(true);
    expect(evaluateCondition("github.event_name == 'push'", ctx({ jobFailed: true }))).toBe(false);
    expect(evaluateCondition('always()', ctx({ jobFailed: true }))).toBe(true);
    expect(evaluateCondition("failure() && steps.validate.outcome == 'failure'", ctx({ jobFailed: true }))).toBe(true);
    expect(evaluateCondition('${{ !cancelled() }}', ctx())).toBe(true);
    expect(evaluateCondition(undefined, ctx({ jobFailed: true }))).toBe(false);
  });

  it('interpolates ${{ }} inside strings and knows the string functions', () => {
    expect(interpolate('cd ${{ env.PROJECT }} && echo ${{ format(\'{0}-{1}\', 1, \'b\') }}', ctx())).toBe(
      'cd examples/adult-income && echo 1-b',
    );
    expect(evaluate("startsWith(github.ref, 'refs/heads/')", ctx())).toBe(true);
    expect(evaluate("contains(fromJSON('[\"a\",\"b\"]'), 'B')", ctx())).toBe(true);
  });

  it('rejects what it does not understand instead of guessing', () => {
    expect(() => evaluate('hashFiles(\'x\')', ctx())).toThrow('unsupported expression function hashFiles()');
    expect(() => evaluate("'open", ctx())).toThrow('unterminated string');
  });
});
