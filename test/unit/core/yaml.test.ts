import { describe, expect, it } from 'vitest';
import { readYaml } from '../../../src/core/formats/yaml-read.js';
import { dumpYaml, editYamlMapping } from '../../../src/core/formats/yaml-write.js';

/**
 * The one YAML codec (core/formats/yaml-read.ts, yaml-write.ts). Every expected value below is what
 * ruamel.yaml 0.19.1 gives: `YAML(typ="safe").load` for reading (what DVC reads with) and `YAML()`
 * with `default_flow_style = False` for writing (what DVC writes with), run once by hand and pasted.
 */
describe('YAML reader: YAML 1.2 as ruamel.yaml reads it', () => {
  it('resolves plain scalars as ruamel does', () => {
    const cases: [string, unknown][] = [
      ['1_000', 1000n],
      ['0b101', 5n],
      ['+0b11', 3n],
      ['017', 17n],
      ['0o17', 15n],
      ['0x1F', 31n],
      ['-0x1F', -31n],
      ['+1', 1n],
      ['1_', 1n],
      ['_1', '_1'],
      ['0b', '0b'],
      ['0x', '0x'],
      ['+.5', 0.5],
      ['.5', 0.5],
      ['-.5', -0.5],
      ['1e5', 100000],
      ['1E5', 100000],
      ['1.', 1],
      ['0.5e3', 500],
      ['.5e3', '.5e3'],
      ['.5e+3', 500],
      ['1_0.5', 10.5],
      ['1e400', Number.POSITIVE_INFINITY],
      ['.NaN', Number.NaN],
      ['NaN', 'NaN'],
      ['1:20', '1:20'],
      ['2024-01-01', '2024-01-01'],
      ['yes', 'yes'],
      ['on', 'on'],
      ['y', 'y'],
      ['~', null],
      ['null', null],
      ['True', true],
    ];
    const got = cases.map(([text]) => readYaml(`v: ${text}\n`, { ints: 'bigint' }) as { v: unknown });
    expect(got.map((d) => d.v)).toEqual(cases.map(([, value]) => value));
  });

  it('gives integers as numbers unless asked for bigint; empty text is null; merge keys merge', () => {
    expect(readYaml('a: 1_000\nb: 1.0\n')).toEqual({ a: 1000, b: 1 });
    expect(readYaml('a: 12345678901234567890\n', { ints: 'bigint' })).toEqual({ a: 12345678901234567890n });
    for (const empty of ['', '\n', '# only a comment\n']) expect(readYaml(empty)).toBeNull();
    expect(readYaml('base: &b {x: 1}\nk:\n  <<: *b\n  y: 2\n')).toEqual({ base: { x: 1 }, k: { x: 1, y: 2 } });
  });

  it('refuses duplicate keys unless told JSON semantics', () => {
    expect(() => readYaml('a: 1\na: 2\n')).toThrow(/duplicated mapping key/);
    expect(readYaml('{"a": 1, "a": 2}', { allowDuplicateKeys: true })).toEqual({ a: 2 });
  });
});

describe('YAML writer: ruamel.yaml round-trip dumper bytes', () => {
  it('quotes and escapes scalars exactly as ruamel does', () => {
    const seq = ['a', null, '', '+.5', '.5e3', '1_000', '0b101', '017', '0o17', 'NaN', '.nan', '2024-1-1', '2024-01-01 10:00:00', '_1', 'a #b', '#c', '- x', 'x:', '@at', ' lead', 'trail ', 'tab\there', '1.', '='];
    const text = dumpYaml({
      p: "it's #1",
      k: { "it's: here": "it's: here" },
      seq,
      ints: [0n, -12n],
      floats: [0.5, -0, 1e16, 1e-5, 123456789.123],
      empty: {},
      emptylist: [],
    });
    expect(text).toBe(
      [
        `p: "it's #1"`,
        'k:',
        `  "it's: here": "it's: here"`,
        'seq:',
        '- a',
        '- ',
        "- ''",
        "- '+.5'",
        '- .5e3',
        "- '1_000'",
        "- '0b101'",
        "- '017'",
        "- '0o17'",
        '- NaN',
        "- '.nan'",
        '- 2024-1-1',
        "- '2024-01-01 10:00:00'",
        '- _1',
        "- 'a #b'",
        "- '#c'",
        "- '- x'",
        "- 'x:'",
        "- '@at'",
        "- ' lead'",
        "- 'trail '",
        '- "tab\\there"',
        "- '1.'",
        "- '='",
        'ints:',
        '- 0',
        '- -12',
        'floats:',
        '- 0.5',
        '- -0.0',
        '- 1e+16',
        '- 1e-05',
        '- 123456789.123',
        'empty: {}',
        'emptylist: []',
        '',
      ].join('\n'),
    );
  });

  it('writes null in a mapping as an empty value and in a sequence as "- "', () => {
    expect(dumpYaml({ c: ['x', null, [null], { k: null }], b: null })).toBe('c:\n- x\n- \n- - \n- k:\nb:\n');
  });

  it('also quotes what a YAML 1.1 reader (PyYAML) would not read as a string', () => {
    // ruamel (YAML 1.2) would leave these plain; PyYAML reads them as booleans, dates or numbers.
    const words = ['yes', 'No', 'ON', 'off', 'y', 'N', '1:20', '190:20:30.15', '2024-01-01', 'true', 'null', '0x1F'];
    expect(dumpYaml(Object.fromEntries(words.map((w, i) => [`k${i}`, w])))).toBe(
      `${words.map((w, i) => `k${i}: '${w}'`).join('\n')}\n`,
    );
    expect(dumpYaml({ yes: 'a', y: 'b', x: 'c' })).toBe("'yes': a\n'y': b\nx: c\n");
    // and not more: these stay plain for every reader
    expect(dumpYaml({ a: 'yess', b: 'onion', c: '1:2:3x', d: '2024-01', e: 'n/a' })).toBe('a: yess\nb: onion\nc: 1:2:3x\nd: 2024-01\ne: n/a\n');
  });

  it('numbers: floats by Python repr, or whole numbers as integers with numbers: auto; undefined keys left out', () => {
    expect(dumpYaml({ a: 1, b: 0.25, c: undefined } as never)).toBe('a: 1.0\nb: 0.25\n');
    expect(dumpYaml({ a: 1, b: 0.25, c: 4096, d: 2 ** 60 }, { numbers: 'auto' })).toBe('a: 1\nb: 0.25\nc: 4096\nd: 1.152921504606847e+18\n');
  });
});

describe('editYamlMapping: change values, keep the rest of the text', () => {
  it('keeps comments and a replaced scalar keeps its style', () => {
    const source = "# params\ntrain:\n  lr: 0.1  # learning rate\n  name: 'x'\nseed: 1\n";
    expect(editYamlMapping(source, [{ path: ['train', 'lr'], value: 0.2 }, { path: ['train', 'name'], value: 'y' }, { path: ['new'], value: [1, 2] }])).toBe(
      "# params\ntrain:\n  lr: 0.2 # learning rate\n  name: 'y'\nseed: 1\nnew:\n- 1\n- 2\n",
    );
    expect(editYamlMapping('', [{ path: ['a'], value: 1 }])).toBe('a: 1\n');
    expect(editYamlMapping('- a\n', [{ path: ['a'], value: 1 }])).toBeUndefined();
  });
});
