import yaml from 'js-yaml';
import { YAML12, isYaml12Int } from './yaml-resolve.js';

/**
 * The one YAML reader of mlpipe (`.dvc`, `dvc.lock`, `dvc.yaml`, params and metrics, schemas,
 * training params). It reads as DVC does: ruamel.yaml `YAML(typ="safe")`, i.e. YAML 1.2 with
 * ruamel's VersionedResolver (../shared/docs/dvc-format.md §3.8). Checked against ruamel.yaml 0.19.1
 * (`resolver.py: implicit_resolvers`, `constructor.py: construct_yaml_int/float`):
 *   `1_000` -> 1000, `0b101` -> 5, `017` -> 17 (no 1.1 octal), `0o17` -> 15, `0x1F` -> 31,
 *   `+.5` / `.5` -> 0.5, `1e5` -> 100000.0, `1.` -> 1.0, `.5e3` -> '.5e3' (a string: that form needs
 *   an exponent sign), `1:20` -> '1:20' (no sexagesimals), `yes` / `on` / `y` -> strings,
 *   `~` / `null` / empty -> null, `.NaN` -> nan, `NaN` -> 'NaN', `<<` merges mappings.
 * Dates (`2024-01-01`) stay strings: ruamel makes a date whose `str()` is the same text.
 *
 * On js-yaml because it parses a 20-stage dvc.lock in ~15 ms from a cold start where the `yaml`
 * package took 120-370 ms plus ~100 ms to load, and every `mlpipe status` reads these files.
 */
export interface ReadYamlOptions {
  /** `bigint` keeps Python's int/float distinction (params, metrics, dvc.lock); default `number`. */
  ints?: 'number' | 'bigint';
  /** JSON semantics: a repeated key is allowed and the last one wins (default: an error, as ruamel). */
  allowDuplicateKeys?: boolean;
}

/** `construct_yaml_int` for YAML 1.2: underscores dropped, 0b/0o/0x prefixes, leading zeros decimal. */
function constructInt(data: string): bigint {
  const negative = data.startsWith('-');
  const body = data.replace(/^[-+]/, '').replaceAll('_', '');
  const value = /^0[box]/.test(body) ? BigInt(body) : BigInt(body.replace(/^0+(?=.)/, ''));
  return negative ? -value : value;
}

function constructFloat(data: string): number {
  const text = data.replaceAll('_', '').toLowerCase();
  if (text.endsWith('.inf')) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (text === '.nan') return Number.NaN;
  return Number(text);
}

function intType(ints: 'number' | 'bigint'): yaml.Type {
  return new yaml.Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: isYaml12Int,
    construct: (data: string) => (ints === 'bigint' ? constructInt(data) : Number(constructInt(data))),
    predicate: (object: unknown) => (ints === 'bigint' ? typeof object === 'bigint' : Number.isInteger(object)),
  });
}

const floatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string) => YAML12.float.test(data),
  construct: constructFloat,
  predicate: (object: unknown) => typeof object === 'number',
});

// A type with a core tag replaces js-yaml's own in place (its int and float follow YAML 1.2's JSON
// schema, not ruamel); `merge` (`<<`) is exported at runtime but missing from @types/js-yaml.
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;
const SCHEMAS = {
  number: yaml.CORE_SCHEMA.extend({ implicit: [floatType, intType('number'), merge] }),
  bigint: yaml.CORE_SCHEMA.extend({ implicit: [floatType, intType('bigint'), merge] }),
};

/** Parses one YAML document; null for an empty one. Throws js-yaml's error (with a line) on bad YAML. */
export function readYaml(text: string, options: ReadYamlOptions = {}): unknown {
  return yaml.load(text, { schema: SCHEMAS[options.ints ?? 'number'], json: options.allowDuplicateKeys ?? false }) ?? null;
}
