/**
 * The field values read as missing by default, everywhere a table is read (validate, schema infer,
 * profile, train, evaluate, predict, and serve's row parsing). pandas' default list (`STR_NA_VALUES`
 * in pandas/_libs/parsers.pyx, pandas 2.x, which added "None"), which also holds R's `NA`: people
 * write missing values the way their tool prints them, and a file written by pandas or R must read
 * back with the same missing cells. `--na-values` replaces the list.
 */
export const NA_VALUES: readonly string[] = Object.freeze([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const DEFAULT_SET = new Set(NA_VALUES);

/** Is `value` one of the missing-value tokens (the default list unless `tokens` is given)? */
export function isNaToken(value: string, tokens?: readonly string[]): boolean {
  return tokens ? tokens.includes(value) : DEFAULT_SET.has(value);
}

/**
 * Parses `--na-values` (a commander argParser; this module stays free of heavy imports): a comma-separated list that replaces the default one. The empty field is
 * always missing (a CSV cell with nothing in it has no value of any type), so `--na-values ''` means
 * "only empty cells" and `--na-values NA,-` reads `NA`, `-` and empty cells as missing.
 */
export function naValuesFlag(list: string): string[] {
  return ['', ...new Set(list.split(',').filter((t) => t !== ''))];
}
