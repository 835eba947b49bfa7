import { MlpipeError } from '../errors.js';
import type { InputColumn } from '../model/artifact.js';
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

/** Data may be nested (`[[1,2],[3,4]]`) or flat (`[1,2,3,4]`); returns the flat row-major list. */
function flatData(input: V2Input, name: string): unknown[] {
  const data = input.data;
  if (!Array.isArray(data)) throw badInput(`input "${name}": "data" must be a list`, 'a list of values', JSON.stringify(data));
  return Array.isArray(data[0]) ? (data as unknown[]).flat(Number.POSITIVE_INFINITY) : data;
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
    throw badInput('"inputs" must be a non-empty list of tensors', '[{"name", "shape", "datatype", "data"}]', JSON.stringify(req.inputs));
  }
  const id = req.id === undefined ? undefined : String(req.id);
  let outputs: string[] | undefined;
  if (Array.isArray(req.outputs)) outputs = req.outputs.map((o: { name?: unknown }) => String(o?.name));
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
  const data = flatData(input, name);
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
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null || typeof input.name !== 'string') {
      throw badInput('each input must be an object with a string "name"', '{"name", "shape", "datatype", "data"}', JSON.stringify(input));
    }
    const name = input.name;
    const shape = shapeOf(input, name);
    if (shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) {
      throw badInput(`input "${name}": one input per column needs shape [n] or [n, 1]`, '[n] or [n, 1]', JSON.stringify(shape));
    }
    const data = flatData(input, name);
    if (data.length !== shape[0]) throw badInput(`input "${name}": shape ${JSON.stringify(shape)} needs ${shape[0]} values`, `${shape[0]} values`, `${data.length} values`);
    if (rows !== -1 && data.length !== rows) throw badInput(`input "${name}" has ${data.length} rows, earlier inputs ${rows}`, 'inputs of equal length');
    rows = data.length;
    columns[name] = data;
  }
  return { columns, rows };
}
