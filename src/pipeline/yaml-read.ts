import yaml from 'js-yaml';
import { parse as parseToml } from 'smol-toml';
import { MlpipeError } from '../errors.js';
import type { PyValue } from './values.js';

/**
 * Reads YAML, JSON and TOML as Python's loaders do: YAML 1.2 core types like `ruamel.yaml`
 * typ="safe" (`yes`/`on` stay strings; `<<` merges), integers as bigint and floats as number so that
 * `1` and `1.0` stay apart (../shared/docs/dvc-format.md §3.4, §3.8). js-yaml, because it parses a
 * dvc.lock in a few milliseconds from a cold start, which `mlpipe status` and `repro` pay every run.
 */
const INT = /^[-+]?(?:0b[0-1_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/;

const bigInt = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string) => INT.test(data) && !data.endsWith('_'),
  construct: (data: string) => {
    const negative = data.startsWith('-');
    const digits = data.replace(/^[-+]/, '').replaceAll('_', '');
    const value = BigInt(/^0[0-9]/.test(digits) ? digits.replace(/^0+/, '') || '0' : digits);
    return negative ? -value : value;
  },
  predicate: (object: unknown) => typeof object === 'bigint',
  represent: (object: object) => String(object),
});

// js-yaml replaces a type of the same tag in place, so the core schema's int becomes `bigInt`;
// `merge` (`<<`) is exported at runtime but missing from @types/js-yaml.
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;
const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [bigInt, merge] });

/** Parses YAML (or JSON, with `json` set: duplicate keys allowed, the last one wins). */
export function loadYaml(text: string, options: { json?: boolean } = {}): PyValue {
  return (yaml.load(text, { schema: SCHEMA, json: options.json ?? false }) ?? null) as PyValue;
}

/** A params/metrics/plots file, by extension as DVC's `LOADERS`: .toml, .json, anything else YAML. */
export function parseStructured(text: string, path: string): PyValue {
  const lower = path.toLowerCase();
  try {
    if (lower.endsWith('.toml')) return tomlToPy(parseToml(text, { integersAsBigInt: true }));
    if (lower.endsWith('.json')) return loadYaml(text, { json: true });
    if (lower.endsWith('.py')) {
      throw new MlpipeError('E_BAD_INPUT', `cannot read ${path}: Python params files are not supported by mlpipe`, {
        expected: 'a YAML, JSON or TOML file',
        received: path,
        hint: 'move the values into params.yaml',
      });
    }
    return loadYaml(text);
  } catch (err) {
    if (err instanceof MlpipeError) throw err;
    throw new MlpipeError('E_BAD_INPUT', `cannot parse ${path}: ${(err as Error).message.split('\n')[0]}`, {
      expected: 'a valid YAML, JSON or TOML file',
      received: path,
      hint: `fix the syntax of ${path}`,
      cause: err,
    });
  }
}

function tomlToPy(v: unknown): PyValue {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(tomlToPy);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tomlToPy(x)]));
  }
  return v as PyValue;
}
