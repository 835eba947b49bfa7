import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../../src/cli/commands/index.js';
import { buildProgram } from '../../../src/cli/main.js';
import { float, integer, list, oneOf, port, repeatable, size } from '../../../src/cli/options.js';
import { route } from '../../../src/cli/route.js';
import { parseByteSize } from '../../../src/core/size.js';
import { MlpipeError } from '../../../src/errors.js';
import { version } from '../../../src/version.js';

const ALL_COMMANDS = await loadCommands();

/** The E_USAGE error a parser throws, as data. */
function failure(parse: () => unknown): { code: string; message: string; expected?: string; received?: string } {
  try {
    parse();
  } catch (err) {
    if (err instanceof MlpipeError) return { code: err.code, message: err.message, expected: err.expected, received: err.received };
    throw err;
  }
  throw new Error('the parser accepted the value');
}

describe('CLI flag parsers', () => {
  it('integer: decimal whole numbers within the bounds', () => {
    const n = integer({ min: 0, max: 100 });
    expect([n('0'), n('5'), n(' 42 '), n('+7'), n('100')]).toEqual([0, 5, 42, 7, 100]);
    for (const bad of ['abc', '', '1.5', '1e2', '0x10', '12abc', '-1', '101', '200']) {
      expect(failure(() => n(bad))).toEqual({
        code: 'E_USAGE',
        message: `invalid value ${JSON.stringify(bad)}`,
        expected: 'a whole number from 0 to 100',
        received: JSON.stringify(bad),
      });
    }
    expect(failure(() => integer({ min: 1 })('0')).expected).toBe('a whole number >= 1');
    expect(failure(() => integer()('99999999999999999999')).code).toBe('E_USAGE');
    expect(integer()('-12')).toBe(-12);
  });

  it('float: finite decimal numbers within the bounds', () => {
    const f = float({ min: 0, max: 1 });
    expect([f('0.5'), f('.25'), f('1'), f('1e-3'), f('0')]).toEqual([0.5, 0.25, 1, 0.001, 0]);
    for (const bad of ['nan', 'Infinity', '1.5', '-0.1', '', '0.5x', '1e400']) {
      expect(failure(() => f(bad)).expected).toBe('a number from 0 to 1');
    }
    expect(float()('-2.5')).toBe(-2.5);
  });

  it('port: 0 to 65535', () => {
    expect([port('0'), port('8080'), port('65535')]).toEqual([0, 8080, 65535]);
    for (const bad of ['x', '-1', '65536', '80.5', '']) {
      expect(failure(() => port(bad))).toEqual({
        code: 'E_USAGE',
        message: `invalid value ${JSON.stringify(bad)}`,
        expected: 'a port number from 0 to 65535 (0: any free port)',
        received: JSON.stringify(bad),
      });
    }
  });

  it('size: bytes with binary units', () => {
    const s = size({ min: 1 });
    expect([s('1048576'), s('512KiB'), s('90MiB'), s('2GiB'), s('1.5G'), s('10mb'), s('1t')]).toEqual([
      1048576,
      512 * 1024,
      90 * 1024 ** 2,
      2 * 1024 ** 3,
      1.5 * 1024 ** 3,
      10 * 1024 ** 2,
      1024 ** 4,
    ]);
    for (const bad of ['1e99', '-5', 'big', '5 PB', '0']) expect(failure(() => s(bad)).code).toBe('E_USAGE');
    expect(parseByteSize('99999999999T')).toBeUndefined();
    expect(size()('0')).toBe(0);
  });

  it('list, oneOf and repeatable', () => {
    expect(list()('a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(list(integer({ min: 1 }))('1,2,3')).toEqual([1, 2, 3]);
    expect(failure(() => list()(' , ')).expected).toBe('a comma-separated list such as a,b');
    expect(failure(() => list(integer({ min: 1 }))('1,0')).received).toBe('"0"');
    const order = oneOf(['asc', 'desc']);
    expect(order('desc')).toBe('desc');
    expect(failure(() => order('DESC'))).toEqual({ code: 'E_USAGE', message: 'invalid value "DESC"', expected: 'one of asc, desc', received: '"DESC"' });
    expect(repeatable('b', repeatable('a'))).toEqual(['a', 'b']);
  });
});

describe('version module', () => {
  it('reads the version from package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version()).toBe(pkg.version);
  });
});

describe('route: where argv leads before commander parses it', () => {
  const program = buildProgram({ commands: ALL_COMMANDS });
  const at = (...args: string[]) => {
    const r = route(program, ['node', 'mlpipe', ...args]);
    return r.kind === 'group' ? { kind: 'group', name: r.command.name() } : r;
  };

  it('an unknown command loses --help/--version so that commander reports it', () => {
    expect(at('modelz', 'register', '--version', 'v1')).toEqual({ kind: 'unknown', argv: ['node', 'mlpipe', 'modelz', 'register', 'v1'] });
    expect(at('nosuch', '--help')).toEqual({ kind: 'unknown', argv: ['node', 'mlpipe', 'nosuch'] });
    expect(at('-C', 'remote', 'nosuch', '-h')).toEqual({ kind: 'unknown', argv: ['node', 'mlpipe', '-C', 'remote', 'nosuch'] });
    expect(at('remote', 'nosuch', '-V')).toEqual({ kind: 'unknown', argv: ['node', 'mlpipe', 'remote', 'nosuch'] });
    expect(at('help', 'nosuch')).toEqual({ kind: 'unknown', argv: ['node', 'mlpipe', 'nosuch'] });
  });

  it('a group without its sub-command, and everything else', () => {
    expect(at('metrics')).toEqual({ kind: 'group', name: 'metrics' });
    expect(at('--json', 'remote')).toEqual({ kind: 'group', name: 'remote' });
    expect(at('--cwd', 'metrics', 'remote')).toEqual({ kind: 'group', name: 'remote' });
    expect(at('-qC', 'x', 'exp')).toEqual({ kind: 'group', name: 'exp' });
    expect(at('--json')).toEqual({ kind: 'group', name: 'mlpipe' });
    expect(at('-C', 'metrics')).toEqual({ kind: 'group', name: 'mlpipe' });
    for (const ok of [['--version'], ['--help'], ['help', 'remote'], ['remote', 'add', 'x', 'y'], ['metrics', 'show', 'HEAD'], ['add', 'nosuch'], ['--cwd=metrics', 'status']]) {
      expect(at(...ok)).toEqual({ kind: 'ok' });
    }
  });
});
