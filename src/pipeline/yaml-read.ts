import { parse as parseToml } from 'smol-toml';
import { parse as parseYamlText } from 'yaml';
import { MlpipeError } from '../errors.js';
import type { PyValue } from './values.js';

/**
 * Loads a params/metrics/DVC file as Python's loaders would: YAML 1.2 (`ruamel.yaml` typ="safe", so
 * `yes`/`on` stay strings), JSON, or TOML, chosen by extension as DVC's `LOADERS` do
 * (../shared/docs/dvc-format.md §3.4). Integers come back as bigint, floats as number.
 */
export function parseStructured(text: string, path: string): PyValue {
  const lower = path.toLowerCase();
  try {
    if (lower.endsWith('.toml')) return tomlToPy(parseToml(text, { integersAsBigInt: true }));
    if (lower.endsWith('.json')) {
      // JSON is YAML 1.2; the YAML reader keeps ints and floats apart (JSON.parse cannot).
      return (parseYamlText(text, { intAsBigInt: true, schema: 'core', uniqueKeys: false }) ?? null) as PyValue;
    }
    if (lower.endsWith('.py')) {
      throw new MlpipeError('E_BAD_INPUT', `cannot read ${path}: Python params files are not supported by mlpipe`, {
        expected: 'a YAML, JSON or TOML file',
        received: path,
        hint: 'move the values into params.yaml',
      });
    }
    return (parseYamlText(text, { intAsBigInt: true, schema: 'core' }) ?? null) as PyValue;
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
