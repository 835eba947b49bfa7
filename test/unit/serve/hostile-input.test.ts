import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/model/load.js';
import { ServeApp, type ServeResponse } from '../../../src/serve/app.js';
import { MAX_JSON_DEPTH } from '../../../src/serve/json-body.js';
import { serve } from '../../../src/serve/serve.js';
import { withModels } from './fixtures.js';

// Hostile and sloppy request bodies (issue 12.15), in-process: each is a 400 whose JSON error names
// the field and says what is wrong, never a 500 or a silently ignored value.

const models = withModels();
let app: ServeApp;
beforeAll(async () => {
  app = new ServeApp({ load: () => loadModel(join(models(), 'iris')), name: 'iris', serverVersion: '1' });
  await app.start();
});

const send = (url: string, body: string): Promise<ServeResponse> => app.handle({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body });
const V2 = '/v2/models/iris/infer';
const mlflowError = async (body: string) => {
  const res = await send('/invocations', body);
  return [res.status, JSON.parse(res.body)];
};
const v2Error = async (body: unknown) => {
  const res = await send(V2, typeof body === 'string' ? body : JSON.stringify(body));
  return [res.status, JSON.parse(res.body)];
};
const tensor = (datatype: unknown, data: unknown[]) => ({ name: 'm', shape: [1, 3], datatype, data });

describe('JSON nested deeper than the server walks', () => {
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  it('is a 400 on both protocols, wherever the nesting is (it was a 500: stack overflow)', async () => {
    const message = `the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at character `;
    for (const body of [`{"dataframe_records": ${deep}}`, `{"inputs": ${deep}}`]) {
      const [status, err] = await mlflowError(body);
      expect([status, err.error_code]).toEqual([400, 'BAD_REQUEST']);
      // The outer object is level 1, so the 64th '[' is one level too many.
      expect(err.message).toBe(`${message}${body.indexOf('[') + MAX_JSON_DEPTH})`);
    }
    const [status, err] = await v2Error(`{"inputs": ${deep}}`);
    expect([status, err.error]).toEqual([400, `${message}${'{"inputs": '.length + MAX_JSON_DEPTH})`]);
  });

  it('still counts brackets inside strings as text', async () => {
    const res = await send('/invocations', JSON.stringify({ dataframe_records: [{ x1: 1, x2: 2, color: '['.repeat(500) }] }));
    expect([res.status, JSON.parse(res.body).message]).toEqual([400, `column "color", row 0: unknown category "${'['.repeat(500)}"`]);
  });
});

describe('V2 datatypes', () => {
  it('refuses a datatype the protocol does not have (COMPLEX), or none', async () => {
    const list = 'BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FP16, FP32, FP64, BYTES';
    expect(await v2Error({ inputs: [tensor('COMPLEX', [1, 2, 'red'])] })).toEqual([400, { error: `input "m" (inputs[0]): "datatype" must be one of ${list}` }]);
    expect(await v2Error({ inputs: [{ name: 'm', shape: [1, 3], data: [1, 2, 'red'] }] })).toEqual([400, { error: `input "m" (inputs[0]): "datatype" must be one of ${list}` }]);
  });

  it('refuses data that does not hold the declared datatype, naming the input and the value', async () => {
    const cols = (x1: unknown) => [
      { name: 'x1', shape: [2], datatype: 'FP64', data: [1, x1] },
      { name: 'x2', shape: [2], datatype: 'INT32', data: [2, 3] },
      { name: 'color', shape: [2], datatype: 'BYTES', data: ['red', 'blue'] },
    ];
    expect(await v2Error({ inputs: cols('5') })).toEqual([400, { error: 'input "x1" (inputs[0]): datatype FP64 holds a number within ±1.7976931348623157e+308; data[1] (row-major) is "5"' }]);
    expect(await v2Error({ inputs: [cols(1)[0], { ...cols(1)[1], data: [2, 2.5] }, cols(1)[2]] })).toEqual([
      400,
      { error: 'input "x2" (inputs[1]): datatype INT32 holds an integer from -2147483648 to 2147483647; data[1] (row-major) is 2.5' },
    ]);
    expect(await v2Error({ inputs: [tensor('BOOL', [1, 2, 'red'])] })).toEqual([400, { error: 'input "m" (inputs[0]): datatype BOOL holds true or false; data[0] (row-major) is 1' }]);
    expect(await v2Error({ inputs: [tensor('UINT8', [[1, 256, 0]])] })).toEqual([400, { error: 'input "m" (inputs[0]): datatype UINT8 holds an integer from 0 to 255; data[1] (row-major) is 256' }]);
    expect(await v2Error({ inputs: [tensor('FP32', [1, 1e39, 0])] })).toEqual([400, { error: 'input "m" (inputs[0]): datatype FP32 holds a number within ±3.4028234663852886e+38; data[1] (row-major) is 1e+39' }]);
    expect(await v2Error({ inputs: [tensor('BYTES', [1, { a: 1 }, 'red'])] })).toEqual([400, { error: 'input "m" (inputs[0]): datatype BYTES holds a string, number or boolean; data[1] (row-major) is {"a":1}' }]);
    // The declared datatype holds the data: scored (null is a missing value in any datatype).
    const ok = await send(V2, JSON.stringify({ inputs: [{ name: 'x1', shape: [1], datatype: 'FP32', data: [1] }, { name: 'x2', shape: [1], datatype: 'INT64', data: [null] }, { name: 'color', shape: [1], datatype: 'BYTES', data: ['red'] }] }));
    expect([ok.status, JSON.parse(ok.body).outputs[0].data]).toEqual([200, ['setosa']]);
  });

  it('reports 1e400 as the out-of-range number it is, not as null', async () => {
    const body = `{"inputs": [{"name": "m", "shape": [1, 3], "datatype": "FP64", "data": [1e400, 2, 3]}]}`;
    expect(await v2Error(body)).toEqual([
      400,
      { error: 'input "m" (inputs[0]): datatype FP64 holds a number within ±1.7976931348623157e+308; data[0] (row-major) is a number beyond the float64 range (read as Infinity)' },
    ]);
    expect(await mlflowError('{"dataframe_records": [{"x1": -1e400, "x2": 1, "color": "red"}]}')).toEqual([
      400,
      { error_code: 'BAD_REQUEST', message: 'invalid input: column "x1", row 0: expected a finite number, got a number beyond the float64 range (read as -Infinity)' },
    ]);
  });
});

describe('V2 id and outputs', () => {
  const inputs = [tensor('BYTES', [1, 2, 'red'])];
  it('refuses an id that is not a string instead of echoing "[object Object]"', async () => {
    expect(await v2Error({ id: { a: 1 }, inputs })).toEqual([400, { error: '"id" must be a string' }]);
    expect(await v2Error({ id: 42, inputs })).toEqual([400, { error: '"id" must be a string' }]);
    expect(JSON.parse((await send(V2, JSON.stringify({ id: 'req-1', inputs }))).body).id).toBe('req-1');
  });

  it('refuses outputs that are not named objects', async () => {
    expect(await v2Error({ inputs, outputs: ['label'] })).toEqual([400, { error: '"outputs" must be a list of objects with a string "name"' }]);
    expect(await v2Error({ inputs, outputs: { name: 'label' } })).toEqual([400, { error: '"outputs" must be a list of objects with a string "name"' }]);
  });
});

describe('MLflow params', () => {
  const rows = '"dataframe_records": [{"x1": 1, "x2": 2, "color": "red"}]';
  it('refuses a proba that is not a boolean ("yes" was ignored) and params that are not an object', async () => {
    expect(await mlflowError(`{${rows}, "params": {"proba": "yes"}}`)).toEqual([400, { error_code: 'BAD_REQUEST', message: '"params.proba" must be true or false' }]);
    expect(await mlflowError(`{${rows}, "params": [1]}`)).toEqual([400, { error_code: 'BAD_REQUEST', message: '"params" must be an object of inference parameters' }]);
    const proba = await send('/invocations', `{${rows}, "params": {"proba": true, "temperature": 0.1}}`);
    expect(JSON.parse(proba.body).predictions[0]).toHaveLength(3);
    expect(JSON.parse((await send('/invocations', `{${rows}, "params": {"proba": false}}`)).body)).toEqual({ predictions: ['versicolor'] });
  });
});

describe('--max-body', () => {
  it('must be a whole number of bytes up to 1 GiB (1e99 was accepted)', async () => {
    for (const bodyLimit of [1e99, 0, 1.5, 2 ** 30 + 1]) {
      await expect(serve({ model: join(models(), 'iris'), port: 0, bodyLimit, serverVersion: '1' })).rejects.toMatchObject({
        code: 'E_USAGE',
        message: `--max-body must be a whole number of bytes from 1 to 1073741824 (1 GiB), got ${bodyLimit}`,
      });
    }
  });
});
