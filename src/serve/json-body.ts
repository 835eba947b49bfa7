import { MlpipeError } from '../errors.js';

/**
 * Deepest nesting of arrays and objects accepted in a request body. A tabular request needs at
 * most 5 levels (V2: body, inputs, tensor, nested rows, cells); a body nested thousands deep would
 * overflow the stack of the code that walks it (flattening, error rendering) and answer 500.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body: E_BAD_INPUT (HTTP 400) for text that is not JSON or that nests
 * deeper than MAX_JSON_DEPTH. The depth is measured on the text first, one pass outside strings,
 * so nothing recursive ever sees a hostile body.
 */
export function parseJsonBody(text: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new MlpipeError('E_BAD_INPUT', `the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at character ${i + 1})`, {
          expected: `JSON nested at most ${MAX_JSON_DEPTH} levels deep`,
          received: `more than ${MAX_JSON_DEPTH} levels`,
        });
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MlpipeError('E_BAD_INPUT', `the request body is not valid JSON: ${(err as Error).message}`, {
      expected: 'a JSON document',
      received: text.length > 80 ? `${text.slice(0, 80)}...` : text,
    });
  }
}

/**
 * A request value for an error message, as JSON. A number beyond the float64 range (1e400) parses
 * to Infinity, which JSON.stringify would print as null: say what it is instead.
 */
export function showValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return `a number beyond the float64 range (read as ${v})`;
  return JSON.stringify(v) ?? String(v);
}
