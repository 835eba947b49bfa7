/**
 * Byte sizes as people write them: `1048576`, `512KiB`, `90MiB`, `2GiB`, `1.5G`, `10mb`. Units are
 * binary (K = 1024), as in DVC's and mlpipe's size options; `B`/`iB` suffixes are optional. Returns
 * undefined for anything else (including `1e9`, negative numbers and sizes past 2^53 bytes), so each
 * caller picks its own error code (E_USAGE for a flag, E_BAD_INPUT for a config value).
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  const n = Math.floor(Number(m[1]) * 1024 ** power);
  return Number.isSafeInteger(n) ? n : undefined;
}
