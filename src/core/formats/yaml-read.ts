import yaml from 'js-yaml';

/**
 * Reads `.dvc`, `dvc.lock` and `dvc.yaml` text as DVC's ruamel.yaml does: YAML 1.2 core scalars
 * (../shared/docs/dvc-format.md §3.8), so `yes`/`on`, `0b101`, `1_000` and dates stay strings and
 * `1e5`/`+.5` are floats; duplicate keys are an error unless `allowDuplicateKeys`. On js-yaml
 * because it parses a 20-stage dvc.lock in ~15 ms from a cold start where the `yaml` package took
 * 120-370 ms plus ~100 ms to load, and every `mlpipe status` reads these files.
 */
const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const FLOAT = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

const int = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string) => INT.test(data),
  construct: (data: string) => {
    if (data.startsWith('0o')) return Number.parseInt(data.slice(2), 8);
    if (data.startsWith('0x')) return Number.parseInt(data.slice(2), 16);
    return Number(data);
  },
  predicate: (object: unknown) => Number.isInteger(object),
});

const float = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string) => FLOAT.test(data),
  construct: (data: string) => {
    const lower = data.toLowerCase();
    if (lower.endsWith('.inf')) return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (lower === '.nan') return Number.NaN;
    return Number(data);
  },
  predicate: (object: unknown) => typeof object === 'number',
});

// A type with a core tag replaces js-yaml's own in place (its int accepts 0b and `_`, its float
// misses `+.5` and exponents without a dot).
const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [int, float] });

/** Parses one YAML document; undefined for an empty one. Throws js-yaml's error on bad YAML. */
export function readYaml(text: string, options: { allowDuplicateKeys?: boolean } = {}): unknown {
  return yaml.load(text, { schema: SCHEMA, json: options.allowDuplicateKeys ?? false });
}
