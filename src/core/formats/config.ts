import { MlpipeError } from '../../errors.js';

/**
 * `.dvc/config` and `.dvc/config.local` as configobj reads and writes them
 * (../shared/docs/dvc-format.md §3.5): `[section]` headers (quoted when needed, e.g.
 * `['remote "storage"']`), `key = value` lines indented by 4 spaces, section and key names
 * lower-cased on read as DVC does, unquoted values with commas read as lists, empty sections
 * dropped on write. Comments are not kept on rewrite (DVC's own rewrite clears the sections too).
 *
 * The model is generic so that other features (remotes, cache, core) edit it through
 * `getConfigValue` / `setConfigValue` / `unsetConfigValue` / `removeConfigSection`.
 */
export type ConfigValue = string | string[];
export type ConfigSection = Map<string, ConfigValue>;
export type Config = Map<string, ConfigSection>;

export function parseConfig(text: string, where = '.dvc/config'): Config {
  const config: Config = new Map();
  let section: ConfigSection | undefined;
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = `${where}:${i + 1}`;
    if (line.startsWith('[')) {
      const m = /^\[\s*(?:'([^']*)'|"([^"]*)"|([^\]'"]*?))\s*\]\s*(#.*)?$/.exec(line);
      if (!m) throw invalid(at, 'a section header like [core] or [\'remote "name"\']', line);
      const name = (m[1] ?? m[2] ?? m[3] ?? '').toLowerCase();
      section = config.get(name) ?? new Map();
      config.set(name, section);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw invalid(at, '`key = value`', line);
    if (!section) throw invalid(at, 'a [section] header before the first key', line);
    const key = unquote(line.slice(0, eq).trim()).toLowerCase();
    section.set(key, parseValue(line.slice(eq + 1).trim(), at));
  });
  return config;
}

/** configobj's value syntax: a quoted string, or unquoted text where commas make a list. */
function parseValue(text: string, at: string): ConfigValue {
  const items: string[] = [];
  let rest = text;
  let sawComma = false;
  for (;;) {
    rest = rest.trimStart();
    if (rest === '' || rest.startsWith('#')) break;
    let item: string;
    const q = rest[0];
    if (q === '"' || q === "'") {
      const end = rest.indexOf(q, 1);
      if (end < 0) throw invalid(at, 'a closing quote', text);
      item = rest.slice(1, end);
      rest = rest.slice(end + 1);
    } else {
      const m = /^[^,#]*/.exec(rest)!;
      item = m[0].trimEnd();
      rest = rest.slice(m[0].length);
    }
    items.push(item);
    rest = rest.trimStart();
    if (rest.startsWith(',')) {
      sawComma = true;
      rest = rest.slice(1);
    } else break;
  }
  if (!sawComma) return items[0] ?? '';
  return items.filter((item, i) => item !== '' || i < items.length - 1);
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

export function serializeConfig(config: Config): string {
  let out = '';
  for (const [name, section] of config) {
    if (section.size === 0) continue;
    out += `[${quote(name)}]\n`;
    for (const [key, value] of section) out += `    ${quote(key)} = ${quoteValue(value)}\n`;
  }
  return out;
}

const WSPACE_PLUS = ' \r\n\v\t\'"';

/** configobj `_quote(value, multiline=False)`. */
function quote(value: string): string {
  if (value === '') return '""';
  if (value.includes('\n')) throw new MlpipeError('E_BAD_INPUT', 'a config value cannot contain a line break', { received: JSON.stringify(value) });
  const plain = !WSPACE_PLUS.includes(value[0]!) && !WSPACE_PLUS.includes(value.at(-1)!) && !value.includes(',') && !value.includes('#');
  if (plain) return value;
  if (value.includes("'") && value.includes('"')) {
    throw new MlpipeError('E_BAD_INPUT', 'a config value cannot contain both quote characters', { received: value });
  }
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

function quoteValue(value: ConfigValue): string {
  if (typeof value === 'string') return quote(value);
  if (value.length === 0) return ',';
  if (value.length === 1) return `${quote(value[0]!)},`;
  return value.map(quote).join(', ');
}

/** The section name DVC uses for a named remote (or machine/db): `remote "name"`. */
export function namedSection(kind: 'remote' | 'machine' | 'db', name: string): string {
  return `${kind} "${name.toLowerCase()}"`;
}

/** The names of the `kind "name"` sections, in file order. */
export function namedSections(config: Config, kind: 'remote' | 'machine' | 'db'): string[] {
  const re = new RegExp(`^\\s*${kind}\\s*"(.*)"\\s*$`);
  return [...config.keys()].flatMap((name) => {
    const m = re.exec(name);
    return m ? [m[1]!] : [];
  });
}

export function getConfigValue(config: Config, section: string, key: string): ConfigValue | undefined {
  return config.get(section.toLowerCase())?.get(key.toLowerCase());
}

export function setConfigValue(config: Config, section: string, key: string, value: ConfigValue): void {
  const name = section.toLowerCase();
  const s = config.get(name) ?? new Map<string, ConfigValue>();
  s.set(key.toLowerCase(), value);
  config.set(name, s);
}

export function unsetConfigValue(config: Config, section: string, key: string): boolean {
  return config.get(section.toLowerCase())?.delete(key.toLowerCase()) ?? false;
}

export function removeConfigSection(config: Config, section: string): boolean {
  return config.delete(section.toLowerCase());
}

/** Later configs shadow earlier ones key by key (system < global < repo < local; §3.5). */
export function mergeConfigs(...configs: Config[]): Config {
  const out: Config = new Map();
  for (const c of configs) for (const [name, section] of c) for (const [k, v] of section) setConfigValue(out, name, k, v);
  return out;
}

function invalid(where: string, expected: string, received: string): MlpipeError {
  return new MlpipeError('E_BAD_INPUT', `cannot parse ${where}`, {
    expected,
    received,
    hint: 'fix the line by hand (INI syntax as configobj reads it)',
  });
}
