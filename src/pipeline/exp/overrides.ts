import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlpipeError } from '../../errors.js';
import { writeFileAtomic } from '../../core/fs/atomic.js';
import { readYaml } from '../../core/formats/yaml-read.js';
import { editYamlMapping } from '../../core/formats/yaml-write.js';
import { splitKeyPath } from '../interpolate.js';

/**
 * `-S [file:]key=value` overrides of `exp run` (DVC's `--set-param`): the value is read as YAML
 * (`0.2` a float, `true` a boolean, `[1, 2]` a list), written into the params file in the workspace
 * with its comments and layout kept. The committed params file is not touched.
 */
export interface ParamOverride {
  file: string;
  key: string;
  /** The value as typed, and as YAML-parsed. */
  text: string;
  value: unknown;
}

export function parseOverride(spec: string): ParamOverride {
  const m = /^(?:([^=:]+\.(?:ya?ml|json|toml)):)?([^=]+)=(.*)$/s.exec(spec);
  if (!m || (m[2] as string).trim() === '') {
    throw new MlpipeError('E_USAGE', `cannot read the param override '${spec}'`, {
      expected: '[file:]key=value, for example train.lr=0.2 or params2.yaml:seed=7',
      received: spec,
      hint: 'run `mlpipe exp run --help`',
    });
  }
  const text = m[3] as string;
  let value: unknown;
  try {
    value = readYaml(text === '' ? "''" : text);
  } catch {
    value = text;
  }
  return { file: m[1] ?? 'params.yaml', key: (m[2] as string).trim(), text, value };
}

/** Applies overrides file by file; returns the files changed (repo-relative). */
export function applyOverrides(root: string, overrides: ParamOverride[]): string[] {
  const files = [...new Set(overrides.map((o) => o.file))];
  for (const file of files) {
    const path = join(root, file);
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      source = '';
    }
    writeFileAtomic(path, overriddenText(file, source, overrides));
  }
  return files;
}

/** The text of one params file with the overrides meant for it applied (pure; comments kept). */
export function overriddenText(file: string, source: string, overrides: ParamOverride[]): string {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json') || lower.endsWith('.toml')) {
    throw new MlpipeError('E_BAD_INPUT', `-S can only change YAML params files, not ${file}`, {
      expected: 'params.yaml or another .yaml file',
      received: file,
      hint: 'move the parameter into params.yaml',
    });
  }
  const edits = overrides.filter((x) => x.file === file).map((o) => ({ path: splitKeyPath(o.key), value: o.value }));
  const text = editYamlMapping(source, edits);
  if (text === undefined) {
    throw new MlpipeError('E_BAD_INPUT', `${file} is not a mapping of parameters`, { received: file, hint: `fix ${file}` });
  }
  return text;
}
