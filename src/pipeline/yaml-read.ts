import { createRequire } from 'node:module';
import { readYaml } from '../core/formats/yaml-read.js';
import { MlpipeError } from '../errors.js';
import type { PyValue } from './values.js';

// smol-toml is loaded on the first TOML file only: most repositories have none, and every pipeline
// command (a no-op `status` included) reads its params through this module.
const require = createRequire(import.meta.url);
const parseToml = (text: string, options: { integersAsBigInt: boolean }): unknown =>
  (require('smol-toml') as typeof import('smol-toml')).parse(text, options);

/**
 * Reads params, metrics and plots files as Python's loaders do (../shared/docs/dvc-format.md §3.4):
 * YAML and JSON through the one YAML reader (core/formats/yaml-read.ts: YAML 1.2 as ruamel.yaml,
 * integers as bigint and floats as number so that `1` and `1.0` stay apart), TOML with smol-toml.
 */
export function loadYaml(text: string, options: { json?: boolean } = {}): PyValue {
  return readYaml(text, { ints: 'bigint', allowDuplicateKeys: options.json ?? false }) as PyValue;
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
