/**
 * Which plain scalars are not strings: ruamel.yaml's implicit resolvers (`resolver.py:
 * implicit_resolvers`, ruamel.yaml 0.19.1), shared by the reader (what a plain scalar means) and the
 * writer (which strings must be quoted). Pure data, no YAML library.
 */

/** YAML 1.2 (what DVC reads): float is tried before int, so `1e5` is a float and `1_000` an int. */
export const YAML12 = {
  bool: /^(?:true|True|TRUE|false|False|FALSE)$/,
  float:
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  int: /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/,
  merge: /^(?:<<)$/,
  null: /^(?:~|null|Null|NULL|)$/,
  timestamp:
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  value: /^(?:=)$/,
} as const;

/**
 * YAML 1.1 (PyYAML, and ruamel with `%YAML 1.1`) reads more plain scalars as non-strings than 1.2:
 * these booleans (ruamel's list, a superset of PyYAML's) and sexagesimal numbers. Its octal
 * (`017`) and other forms are already non-strings under 1.2.
 */
export const YAML11_EXTRA = {
  bool: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/,
  sexagesimal: /^(?:[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
} as const;

/**
 * An int under YAML 1.2. ruamel tries a resolver only for its listed first characters (`_1` is a
 * string) and float before int; a text with no digit at all (`-_`) would fail its constructor.
 */
export function isYaml12Int(text: string): boolean {
  return /^[-+0-9]/.test(text) && YAML12.int.test(text) && !YAML12.float.test(text) && /[0-9]/.test(text.replace(/^[-+]?0[box]/, ''));
}

/** True when `text`, written plain, would be read back as a string by YAML 1.2 and by YAML 1.1 readers. */
export function plainReadsAsString(text: string): boolean {
  const { int: _int, ...others } = YAML12;
  if (isYaml12Int(text) || Object.values(others).some((re) => re.test(text))) return false;
  return !Object.values(YAML11_EXTRA).some((re) => re.test(text));
}
