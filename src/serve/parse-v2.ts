import { MlpipeError } from '../errors.js';
import type { InputColumn } from '../model/artifact.js';
import { showValue } from './json-body.js';
import type { Table } from './table.js';

/**
 * Inference requests of the KServe Open Inference Protocol V2 (../shared/docs/serving-protocols.md
 * §2.2) turned into column tables. Two tabular mappings are accepted: one input per column (shape
 * [n] or [n, 1], MLServer's "pd" convention) or a single 2-D input of shape [n, columns] whose
 * columns follow the model's input schema order.
 */
export interface V2Request {
  table: Table;
  id: string | undefined;
  /** Names of the requested outputs, or undefined for all. */
  outputs: string[] | undefined;
}

function badInput(message: string, expected?: string, received?: string): MlpipeError {
  return new MlpipeError('E_BAD_INPUT', message, { expected, received });
}

interface V2Input {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

/**
 * The V2 tensor datatypes (serving-protocols.md §2.2) and the JSON values each holds: booleans,
 * integers in the type's range, finite numbers in the type's range, or for BYTES any scalar (a
 * single 2-D tensor of a table that mixes text and numbers has to be BYTES). null is a missing
 * value in every datatype (validated against the column's nullability afterwards).
 */
const INT_RANGES: Record<string, [number, number]> = {
  INT8: [-(2 ** 7), 2 ** 7 - 1],
  INT16: [-(2 ** 15), 2 ** 15 - 1],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  INT64: [-(2 ** 63), 2 ** 63 - 1],
  UINT8: [0, 2 ** 8 - 1],
  UINT16: [0, 2 ** 16 - 1],
  UINT32: [0, 2 ** 32 - 1],
  UINT64: [0, 2 ** 64 - 1],
};
const FLOAT_MAX: Record<string, number> = { FP16: 65504, FP32: 3.4028234663852886e38, FP64: Number.MAX_VALUE };
const DATATYPES = ['BOOL', ...Object.keys(INT_RANGES), ...Object.keys(FLOAT_MAX), 'BYTES'];

/** What `datatype` requires of a value, or undefined when `v` fits it. */
function datatypeProblem(datatype: string, v: unknown): string | undefined {
  if (v === null) return undefined;
  if (datatype === 'BOOL') return typeof v === 'boolean' ? undefined : 'true or false';
  const range = INT_RANGES[datatype];
  if (range) return Number.isInteger(v) && (v as number) >= range[0] && (v as number) <= range[1] ? undefined : `an integer from ${range[0]} to ${range[1]}`;
  const max = FLOAT_MAX[datatype];
  if (max !== undefined) return typeof v === 'number' && Math.abs(v) <= max ? undefined : `a number within ±${max}`;
  return typeof v === 'object' ? 'a string, number or boolean' : undefined;
}

/**
 * The flat row-major values of `inputs[index]`, nested (`[[1,2],[3,4]]`) or flat (`[1,2,3,4]`),
 * each checked against the declared datatype.
 */
function flatData(input: V2Input, name: string, index: number): unknown[] {
  const where = `input "${name}" (inputs[${index}])`;
  const datatype = input.datatype;
  if (typeof datatype !== 'string' || !DATATYPES.includes(datatype)) {
    throw badInput(`${where}: "datatype" must be one of ${DATATYPES.join(', ')}`, DATATYPES.join(' | '), showValue(datatype));
  }
  const data = input.data;
  if (!Array.isArray(data)) throw badInput(`${where}: "data" must be a list`, 'a list of values', showValue(data));
  const flat = Array.isArray(data[0]) ? (data as unknown[]).flat(Number.POSITIVE_INFINITY) : data;
  for (let i = 0; i < flat.length; i++) {
    const problem = datatypeProblem(datatype, flat[i]);
    if (problem) throw badInput(`${where}: datatype ${datatype} holds ${problem}; data[${i}] (row-major) is ${showValue(flat[i])}`, problem, showValue(flat[i]));
  }
  return flat;
}

function shapeOf(input: V2Input, name: string): number[] {
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw badInput(`input "${name}": "shape" must be a list of non-negative integers`, '[rows] or [rows, columns]', JSON.stringify(shape));
  }
  return shape as number[];
}

export function parseV2Request(body: unknown, schema: readonly InputColumn[]): V2Request {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badInput('the request must be a JSON object with "inputs"', '{"inputs": [{"name", "shape", "datatype", "data"}]}', Array.isArray(body) ? 'a list' : typeof body);
  }
  const req = body as { id?: unknown; inputs?: unknown; outputs?: unknown };
  if (!Array.isArray(req.inputs) || req.inputs.length === 0) {
    throw badInput('"inputs" must be a non-empty list of tensors', '[{"name", "shape", "datatype", "data"}]', showValue(req.inputs));
  }
  // The id is echoed in the response, so it must be the string the spec says it is.
  if (req.id !== undefined && typeof req.id !== 'string') throw badInput('"id" must be a string', 'a string (echoed in the response)', showValue(req.id));
  const id = req.id;
  let outputs: string[] | undefined;
  if (req.outputs !== undefined) {
    if (!Array.isArray(req.outputs) || !req.outputs.every((o) => typeof o === 'object' && o !== null && typeof o.name === 'string')) {
      throw badInput('"outputs" must be a list of objects with a string "name"', '[{"name": "label"}, ...]', showValue(req.outputs));
    }
    outputs = req.outputs.map((o: { name: string }) => o.name);
  }
  const inputs = req.inputs as V2Input[];
  const table = inputs.length === 1 && schemaShape(inputs[0]!) === 2 ? matrixToTable(inputs[0]!, schema) : columnsToTable(inputs);
  return { table, id, outputs };
}

function schemaShape(input: V2Input): number {
  return Array.isArray(input.shape) ? input.shape.length : 0;
}

/** A single [n, k] tensor: column j is the schema's j-th input column. */
function matrixToTable(input: V2Input, schema: readonly InputColumn[]): Table {
  const name = String(input.name);
  const [rows, width] = shapeOf(input, name) as [number, number];
  if (width !== schema.length) {
    throw badInput(`input "${name}" has ${width} columns but the model takes ${schema.length}`, `shape [n, ${schema.length}] (${schema.map((c) => c.name).join(', ')})`, JSON.stringify(input.shape));
  }
  const data = flatData(input, name, 0);
  if (data.length !== rows * width) {
    throw badInput(`input "${name}": shape ${JSON.stringify(input.shape)} needs ${rows * width} values`, `${rows * width} values`, `${data.length} values`);
  }
  const columns: Record<string, unknown[]> = {};
  for (let c = 0; c < width; c++) {
    const values = new Array(rows);
    for (let r = 0; r < rows; r++) values[r] = data[r * width + c];
    columns[schema[c]!.name] = values;
  }
  return { columns, rows };
}

/** One tensor per column, each of shape [n] or [n, 1]. */
function columnsToTable(inputs: V2Input[]): Table {
  const columns: Record<string, unknown[]> = {};
  let rows = -1;
  for (const [index, input] of inputs.entries()) {
    if (typeof input !== 'object' || input === null || typeof input.name !== 'string') {
      throw badInput(`inputs[${index}] must be an object with a string "name"`, '{"name", "shape", "datatype", "data"}', showValue(input));
    }
    const name = input.name;
    const shape = shapeOf(input, name);
    if (shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) {
      throw badInput(`input "${name}": one input per column needs shape [n] or [n, 1]`, '[n] or [n, 1]', JSON.stringify(shape));
    }
    const data = flatData(input, name, index);
    if (data.length !== shape[0]) throw badInput(`input "${name}": shape ${JSON.stringify(shape)} needs ${shape[0]} values`, `${shape[0]} values`, `${data.length} values`);
    if (rows !== -1 && data.length !== rows) throw badInput(`input "${name}" has ${data.length} rows, earlier inputs ${rows}`, 'inputs of equal length');
    rows = data.length;
    columns[name] = data;
  }
  return { columns, rows };
}
