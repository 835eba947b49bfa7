import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppOptions, ServeApp, type ServeRequest } from '../../../src/serve/app.js';
import { type LoadOptions, type Model, loadModel } from '../../../src/model/load.js';
import type { ModelMeta } from '../../../src/model/artifact.js';
import { tempDir } from '../../helpers/tree.js';
import { linearExpected, linearModel, treeModel } from './fixtures.js';

// Every route and error case of the server, called in-process (no sockets).

let root: string;
let irisMeta: ModelMeta;
let treeMeta: ModelMeta;

beforeAll(() => {
  root = tempDir();
  irisMeta = linearModel(join(root, 'iris'));
  treeMeta = treeModel(join(root, 'tree'))!;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function started(model: string, options: Partial<AppOptions> & { load?: LoadOptions } = {}): Promise<ServeApp> {
  const app = new ServeApp({ load: () => loadModel(join(root, model), options.load), name: model, serverVersion: '9.8.7', ...options });
  await app.start();
  return app;
}

const JSON_CT = { 'content-type': 'application/json' };
const post = (url: string, body: unknown, headers: ServeRequest['headers'] = JSON_CT): ServeRequest => ({
  method: 'POST',
  url,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const get = (url: string, headers: ServeRequest['headers'] = {}): ServeRequest => ({ method: 'GET', url, headers });

const ROW = { x1: 1, x2: 2, color: 'red' };
// z = [0.1, 1.9, 0] for ROW (see linearModel): class 1 wins.
const ROW2 = { x1: 5, x2: null, color: 'blue' };
// z = [1.1, -1.1, 2.0]: class 2 wins.

describe('MLflow scoring protocol', () => {
  let app: ServeApp;
  beforeAll(async () => {
    app = await started('iris', { maxRows: 3 });
  });

  it('answers /ping, /health and /version', async () => {
    expect(await app.handle(get('/ping'))).toEqual({ status: 200, headers: JSON_CT, body: '\n' });
    expect(await app.handle(get('/health'))).toEqual({ status: 200, headers: JSON_CT, body: '\n' });
    expect(await app.handle(get('/version'))).toEqual({ status: 200, headers: JSON_CT, body: '9.8.7' });
  });

  it('scores dataframe_split, dataframe_records, instances and inputs alike', async () => {
    const expected = '{"predictions":["versicolor","virginica"]}';
    const bodies = [
      { dataframe_split: { columns: ['x1', 'x2', 'color'], data: [[1, 2, 'red'], [5, null, 'blue']] } },
      { dataframe_split: { columns: ['color', 'x1', 'x2'], data: [['red', 1, 2], ['blue', 5, null]], index: [0, 1] } },
      { dataframe_records: [ROW, ROW2] },
      { instances: [[1, 2, 'red'], [5, null, 'blue']] },
      { instances: [ROW, ROW2] },
      { inputs: { x1: [1, 5], x2: [2, null], color: ['red', 'blue'] } },
      { inputs: [[1, 2, 'red'], [5, null, 'blue']], params: {}, unrelated: 1 },
    ];
    for (const body of bodies) {
      const res = await app.handle(post('/invocations', body));
      expect([res.status, res.body]).toEqual([200, expected]);
    }
  });

  it('answers at once (no promise) when the TypeScript scorer takes the batch, with the answer onnxruntime gives later', async () => {
    const body = { dataframe_records: [ROW, ROW2] };
    const now = app.respond(post('/invocations', body));
    expect(now).not.toBeInstanceOf(Promise);
    expect(now).toEqual({ status: 200, headers: JSON_CT, body: '{"predictions":["versicolor","virginica"]}' });
    const invalid = app.respond(post('/invocations', { dataframe_records: [{ ...ROW, x1: 'one' }] }));
    expect(invalid).not.toBeInstanceOf(Promise);
    expect((invalid as { status: number }).status).toBe(400);
    const onnx = new ServeApp({ load: () => loadModel(join(root, 'iris'), { engine: 'onnx' }), name: 'iris', serverVersion: '9.8.7' });
    await onnx.start();
    const later = onnx.respond(post('/invocations', body));
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toEqual(now);
    // One-row requests reuse one feature tensor: a one-hot bit of "red" must not stay for "blue".
    for (const row of [ROW, ROW2, ROW, { ...ROW2, color: null }, ROW2]) {
      const res = app.respond(post('/invocations', { dataframe_records: [row], params: { proba: true } })) as { body: string };
      const [p] = (JSON.parse(res.body) as { predictions: number[][] }).predictions;
      const expected = linearExpected(row.x1, row.x2, row.color);
      expect(p).toHaveLength(3);
      p!.forEach((v, c) => {
        expect(v).toBeCloseTo(expected[c]!, 6);
      });
    }
  });

  it('accepts application/json with a utf-8 charset, and text/csv typed by the schema', async () => {
    const a = await app.handle(post('/invocations', { dataframe_records: [ROW] }, { 'content-type': 'application/json; charset=UTF-8' }));
    expect(a.body).toBe('{"predictions":["versicolor"]}');
    const csv = await app.handle(post('/invocations', 'x1,x2,color\n1,2,red\n5,,blue\n', { 'content-type': 'text/csv' }));
    expect([csv.status, csv.body]).toEqual([200, '{"predictions":["versicolor","virginica"]}']);
  });

  it('returns class probabilities with params.proba', async () => {
    const res = await app.handle(post('/invocations', { dataframe_records: [ROW, ROW2], params: { proba: true } }));
    const { predictions } = JSON.parse(res.body) as { predictions: number[][] };
    const expected = [linearExpected(1, 2, 'red'), linearExpected(5, null, 'blue')];
    expect(predictions).toHaveLength(2);
    predictions.forEach((row, r) => {
      row.forEach((p, c) => {
        expect(p).toBeCloseTo(expected[r]![c]!, 6);
      });
    });
  });

  const bad = async (body: unknown, headers?: ServeRequest['headers']) => {
    const res = await app.handle(post('/invocations', body, headers));
    return { status: res.status, body: JSON.parse(res.body) as { error_code: string; message: string } };
  };

  it('rejects a body that is not a dict with exactly one input field (400 BAD_REQUEST)', async () => {
    expect(await bad([ROW])).toEqual({
      status: 400,
      body: {
        error_code: 'BAD_REQUEST',
        message: "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}. Received a list.",
      },
    });
    const two = await bad({ instances: [[1, 2, 'red']], inputs: [[1, 2, 'red']] });
    expect(two.status).toBe(400);
    expect(two.body.message).toContain("Received dictionary with input fields: ['instances', 'inputs']");
    expect((await bad({ params: {} })).status).toBe(400);
  });

  it('names the column and row of invalid values', async () => {
    expect(await bad({ dataframe_records: [{ x1: 1, color: 'red' }, { x1: 2, color: 'red' }] })).toEqual({
      status: 400,
      body: { error_code: 'BAD_REQUEST', message: 'invalid input: missing column "x2"' },
    });
    expect((await bad({ dataframe_records: [ROW, { ...ROW, x1: 'tall' }] })).body.message).toBe(
      'invalid input: column "x1", row 1: expected a finite number, got "tall"',
    );
    expect((await bad({ dataframe_records: [{ ...ROW, x2: 2.5 }] })).body.message).toBe('invalid input: column "x2", row 0: expected an integer, got 2.5');
    expect((await bad({ dataframe_records: [{ ...ROW, x1: null }] })).body.message).toBe(
      'invalid input: column "x1", row 0: expected a finite number, got a missing value (null) where the column is not nullable',
    );
    expect((await bad({ dataframe_records: [{ ...ROW, color: 7 }] })).body.message).toBe('invalid input: column "color", row 0: expected a string, got 7');
    // The model's policy for color is unknown: 'error'.
    expect((await bad({ dataframe_records: [ROW, ROW, { ...ROW, color: 'purple' }] })).body).toEqual({
      error_code: 'BAD_REQUEST',
      message: 'column "color", row 2: unknown category "purple"',
    });
    const csvNaN = await bad('x1,x2,color\nNaN,1,red\n', { 'content-type': 'text/csv' });
    expect(csvNaN.body.message).toBe('invalid input: column "x1", row 0: expected a finite number, got a missing value (NaN) where the column is not nullable');
  });

  it('rejects more rows than --max-rows', async () => {
    expect((await bad({ dataframe_records: [ROW, ROW, ROW, ROW] })).body.message).toBe('invalid input: too many rows: expected at most 3 rows, got 4 rows');
  });

  it('rejects malformed JSON and ragged split rows with 400', async () => {
    const res = await bad('{"dataframe_records": [');
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('BAD_REQUEST');
    expect(res.body.message).toMatch(/^the request body is not valid JSON: /);
    expect((await bad({ dataframe_split: { columns: ['x1', 'x2', 'color'], data: [[1, 2]] } })).body.message).toBe(
      'dataframe_split.data row 0: expected a list of 3 values (x1, x2, color)',
    );
  });

  it('answers an unsupported content type with 415 in plain text', async () => {
    for (const ct of ['application/x-www-form-urlencoded', 'application/json; charset=latin-1', 'application/json; format=pandas-split']) {
      const res = await app.handle(post('/invocations', { dataframe_records: [ROW] }, { 'content-type': ct }));
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
    const none = await app.handle(post('/invocations', { dataframe_records: [ROW] }, {}));
    expect(none.status).toBe(415);
  });

  it('never answers 500 to garbage input', async () => {
    const garbage = ['', 'null', '1', '"x"', '{}', '{"instances": 3}', '{"instances": [1, 2]}', '{"inputs": {"x1": [1], "x2": [1, 2]}}', '{"dataframe_split": []}',
      '{"dataframe_split": {"columns": [1], "data": [[1]]}}', '{"dataframe_records": [1]}', '{"dataframe_records": [{"x1": {"a": 1}, "x2": [1], "color": "red"}]}',
      '{"instances": [[1e400, 2, "red"]]}', `{"instances": [${'['.repeat(2000)}${']'.repeat(2000)}]}`];
    for (const body of garbage) {
      const res = await app.handle(post('/invocations', body));
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.status, body).toBeLessThan(500);
    }
  });
});

describe('KServe Open Inference Protocol V2', () => {
  let app: ServeApp;
  beforeAll(async () => {
    app = await started('iris');
  });

  it('answers the health, server and model metadata routes', async () => {
    expect((await app.handle(get('/v2/health/live'))).status).toBe(200);
    expect((await app.handle(get('/v2/health/ready'))).status).toBe(200);
    expect(JSON.parse((await app.handle(get('/v2'))).body)).toEqual({ name: 'mlpipe', version: '9.8.7', extensions: [] });
    expect(JSON.parse((await app.handle(get('/v2/models/iris'))).body)).toEqual({
      name: 'iris',
      versions: [irisMeta.version],
      platform: 'onnx_onnxv1',
      inputs: [
        { name: 'x1', datatype: 'FP64', shape: [-1] },
        { name: 'x2', datatype: 'INT64', shape: [-1] },
        { name: 'color', datatype: 'BYTES', shape: [-1] },
      ],
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      ],
    });
    expect((await app.handle(get('/v2/models/iris/ready'))).status).toBe(200);
    expect((await app.handle(get(`/v2/models/iris/versions/${irisMeta.version}/ready`))).status).toBe(200);
    expect((await app.handle(get(`/v2/models/iris/versions/${irisMeta.version}`))).status).toBe(200);
  });

  it('answers 404 with {"error"} for another model or version', async () => {
    expect(await app.handle(get('/v2/models/other/ready'))).toEqual({
      status: 404,
      headers: JSON_CT,
      body: '{"error":"model \\"other\\" not found; this server serves \\"iris\\""}',
    });
    const v = await app.handle(get('/v2/models/iris/versions/nope'));
    expect(v.status).toBe(404);
    expect(JSON.parse(v.body)).toEqual({ error: `model "iris" version "nope" not found; the loaded version is "${irisMeta.version}"` });
  });

  const columns = [
    { name: 'x1', shape: [2], datatype: 'FP64', data: [1, 5] },
    { name: 'x2', shape: [2, 1], datatype: 'INT64', data: [[2], [null]] },
    { name: 'color', shape: [2], datatype: 'BYTES', data: ['red', 'blue'] },
  ];

  it('scores one input per column, echoing the id and the model version', async () => {
    const res = await app.handle(post('/v2/models/iris/infer', { id: '42', parameters: { content_type: 'pd' }, inputs: columns }));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(Object.keys(body)).toEqual(['model_name', 'model_version', 'id', 'outputs']);
    expect([body.model_name, body.model_version, body.id]).toEqual(['iris', irisMeta.version, '42']);
    expect(body.outputs[0]).toEqual({ name: 'label', shape: [2], datatype: 'BYTES', data: ['versicolor', 'virginica'] });
    expect(body.outputs[1].shape).toEqual([2, 3]);
    const expected = [...linearExpected(1, 2, 'red'), ...linearExpected(5, null, 'blue')];
    (body.outputs[1].data as number[]).forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i]!, 6);
    });
  });

  it('scores one 2-D input in schema column order, flat or nested, and filters outputs', async () => {
    for (const data of [[1, 2, 'red', 5, null, 'blue'], [[1, 2, 'red'], [5, null, 'blue']]]) {
      const res = await app.handle(post('/v2/models/iris/infer', { inputs: [{ name: 'input-0', shape: [2, 3], datatype: 'BYTES', data }], outputs: [{ name: 'label' }] }));
      expect(JSON.parse(res.body)).toEqual({
        model_name: 'iris',
        model_version: irisMeta.version,
        outputs: [{ name: 'label', shape: [2], datatype: 'BYTES', data: ['versicolor', 'virginica'] }],
      });
    }
  });

  const v2bad = async (body: unknown, url = '/v2/models/iris/infer', headers: ServeRequest['headers'] = JSON_CT) => {
    const res = await app.handle(post(url, body, headers));
    return { status: res.status, body: JSON.parse(res.body) as { error: string } };
  };

  it('answers bad requests with 400 {"error"} naming the column and row', async () => {
    expect(await v2bad({ inputs: [{ ...columns[0], datatype: 'BYTES', data: [1, 'x'] }, columns[1], columns[2]] })).toEqual({
      status: 400,
      body: { error: 'invalid input: column "x1", row 1: expected a finite number, got "x"' },
    });
    expect(await v2bad({ inputs: [columns[0], columns[1]] })).toEqual({ status: 400, body: { error: 'invalid input: missing column "color"' } });
    expect(await v2bad({ inputs: [{ name: 'm', shape: [1, 2], datatype: 'FP64', data: [1, 2] }] })).toEqual({
      status: 400,
      body: { error: 'input "m" has 2 columns but the model takes 3' },
    });
    expect(await v2bad({ inputs: [{ ...columns[0], shape: [3] }, columns[1], columns[2]] })).toEqual({
      status: 400,
      body: { error: 'input "x1": shape [3] needs 3 values' },
    });
    expect(await v2bad({ inputs: columns, outputs: [{ name: 'logits' }] })).toEqual({
      status: 400,
      body: { error: 'unknown output "logits"; the model has outputs ["label","probabilities"]' },
    });
    expect((await v2bad({ inputs: [] })).status).toBe(400);
    expect((await v2bad('{"inputs": ')).body.error).toMatch(/^the request body is not valid JSON/);
    expect(await v2bad({ inputs: columns }, '/v2/models/iris/infer', { 'content-type': 'text/plain' })).toEqual({
      status: 415,
      body: { error: 'content type text/plain is not supported; send application/json' },
    });
    expect((await v2bad({ inputs: columns }, '/v2/models/nope/infer')).status).toBe(404);
  });
});

describe('server behaviour', () => {
  it('is not ready until the model is loaded, and not after drain()', async () => {
    const app = new ServeApp({ load: () => loadModel(join(root, 'iris')), name: 'iris', serverVersion: '1' });
    expect((await app.handle(get('/ping'))).status).toBe(404);
    expect((await app.handle(get('/v2/health/ready'))).status).toBe(400);
    expect((await app.handle(get('/v2/health/live'))).status).toBe(200);
    const early = await app.handle(post('/invocations', { dataframe_records: [ROW] }));
    expect([early.status, JSON.parse(early.body).error_code]).toEqual([503, 'TEMPORARILY_UNAVAILABLE']);
    await app.start();
    expect((await app.handle(get('/ping'))).status).toBe(200);
    app.drain();
    expect((await app.handle(get('/ping'))).status).toBe(404);
    expect((await app.handle(get('/v2/health/ready'))).status).toBe(400);
    expect((await app.handle(get('/v2/models/iris/ready'))).status).toBe(400);
  });

  it('scores a regressor with exact values', async () => {
    const app = await started('tree');
    const res = await app.handle(post('/invocations', { dataframe_split: { columns: ['a', 'b', 'c'], data: [[0, 5, 0], [0, 11, 1], [2, 0, 0.5]] } }));
    expect(res.body).toBe('{"predictions":[11,22,13]}');
    const v2 = await app.handle(post('/v2/models/tree/infer', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [2, 0, 1] }] }));
    expect(JSON.parse(v2.body).outputs).toEqual([{ name: 'prediction', shape: [1], datatype: 'FP64', data: [23] }]);
    expect(JSON.parse((await app.handle(get('/v2/models/tree'))).body).outputs).toEqual([{ name: 'prediction', datatype: 'FP64', shape: [-1] }]);
    expect(treeMeta.task).toBe('regression');
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const app = await started('iris');
    const nf = await app.handle(get('/nope'));
    expect([nf.status, JSON.parse(nf.body).error_code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
    expect(JSON.parse((await app.handle(get('/v2/models/iris/explain'))).body)).toEqual({ error: 'no route /v2/models/iris/explain' });
    const m = await app.handle(get('/invocations'));
    expect([m.status, m.headers.allow]).toEqual([405, 'POST']);
    expect((await app.handle(post('/ping', ''))).status).toBe(405);
  });

  it('requires the bearer token on every route but the health probes', async () => {
    const app = await started('iris', { token: 's3cret' });
    const denied = await app.handle(post('/invocations', { dataframe_records: [ROW] }));
    expect([denied.status, denied.headers['www-authenticate'], JSON.parse(denied.body).error_code]).toEqual([401, 'Bearer', 'UNAUTHENTICATED']);
    expect((await app.handle(post('/invocations', { dataframe_records: [ROW] }, { ...JSON_CT, authorization: 'Bearer wrong!' }))).status).toBe(401);
    expect((await app.handle(post('/invocations', { dataframe_records: [ROW] }, { ...JSON_CT, authorization: 'Bearer s3crét' }))).status).toBe(401);
    expect((await app.handle(get('/metrics'))).status).toBe(401);
    const ok = await app.handle(post('/invocations', { dataframe_records: [ROW] }, { ...JSON_CT, authorization: 'Bearer s3cret' }));
    expect(ok.status).toBe(200);
    for (const probe of ['/ping', '/health', '/v2/health/live', '/v2/health/ready', '/v2/models/iris/ready']) expect((await app.handle(get(probe))).status).toBe(200);
  });

  it('sends CORS headers only when an origin is configured', async () => {
    const off = await started('iris');
    expect((await off.handle(get('/ping'))).headers['access-control-allow-origin']).toBeUndefined();
    expect((await off.handle({ method: 'OPTIONS', url: '/invocations', headers: {} })).status).toBe(405);
    const on = await started('iris', { corsOrigin: 'https://app.example' });
    expect((await on.handle(get('/ping'))).headers['access-control-allow-origin']).toBe('https://app.example');
    const pre = await on.handle({ method: 'OPTIONS', url: '/invocations', headers: {} });
    expect([pre.status, pre.headers['access-control-allow-methods']]).toEqual([204, 'GET, POST, OPTIONS']);
  });

  it('exports request counts, latency histograms, predictions and the model version', async () => {
    const app = await started('iris');
    await app.handle(post('/invocations', { dataframe_records: [ROW, ROW2] }));
    await app.handle(post('/invocations', { dataframe_records: [ROW] }));
    await app.handle(post('/invocations', '{'));
    await app.handle(get('/v2/models/iris/ready?x=1'));
    const res = await app.handle(get('/metrics'));
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = res.body.split('\n');
    expect(lines).toContain('mlpipe_http_requests_total{route="/invocations",status="200"} 2');
    expect(lines).toContain('mlpipe_http_requests_total{route="/invocations",status="400"} 1');
    expect(lines).toContain('mlpipe_http_requests_total{route="/v2/models/{name}/ready",status="200"} 1');
    expect(lines).toContain('mlpipe_http_request_duration_seconds_bucket{route="/invocations",status="200",le="+Inf"} 2');
    expect(lines).toContain('mlpipe_http_request_duration_seconds_count{route="/invocations",status="400"} 1');
    expect(lines).toContain('mlpipe_predictions_total 3');
    expect(lines).toContain(`mlpipe_model_info{name="iris",version="${irisMeta.version}"} 1`);
    expect(lines).toContain('mlpipe_model_reloads_total{outcome="ok"} 1');
  });
});

describe('hot reload', () => {
  it('swaps models atomically: requests in flight finish on the old model, which is freed after them', async () => {
    const dir = join(root, 'reloading');
    linearModel(dir);
    const released: string[] = [];
    const load = async () => {
      const model: Model = await loadModel(dir, { engine: 'onnx' });
      const release = model.release.bind(model);
      return Object.assign(model, { release: async () => { released.push(model.meta.algorithm); await release(); } });
    };
    const app = new ServeApp({ load, name: 'reloading', serverVersion: '1' });
    await app.start();
    const infer = () => app.handle(post('/v2/models/reloading/infer', { inputs: [{ name: 'm', shape: [1, 3], datatype: 'BYTES', data: [1, 2, 'red'] }] }));
    // onnxruntime scores on a later tick, so these 20 requests are in flight when the reload swaps.
    const before = Array.from({ length: 20 }, infer);
    treeModel(dir); // a different model (regressor over a, b, c) now sits in the folder
    const oldVersion = irisMeta.version;
    const reload = await app.handle(post('/admin/reload', ''));
    const after = await app.handle(post('/invocations', { instances: [[0, 5, 0]] }));
    for (const res of await Promise.all(before)) {
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).model_version).toBe(oldVersion);
    }
    expect(JSON.parse(reload.body)).toEqual({ name: 'reloading', version: treeMeta.version, previousVersion: oldVersion });
    expect(after.body).toBe('{"predictions":[11]}');
    for (let waited = 0; released.length === 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(released).toEqual(['linear']);
  });

  it('keeps serving the old model when the new one fails to load', async () => {
    const dir = join(root, 'broken');
    linearModel(dir);
    const app = new ServeApp({ load: () => loadModel(dir), name: 'broken', serverVersion: '1' });
    await app.start();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'model.json'), '{"format": "something-else"}');
    const res = await app.handle(post('/admin/reload', ''));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).message).toMatch(new RegExp(`^reload failed, still serving version ${irisMeta.version}: .*model.json is not an mlpipe model`));
    expect((await app.handle(post('/invocations', { dataframe_records: [ROW] }))).body).toBe('{"predictions":["versicolor"]}');
    expect((await app.handle(get('/metrics'))).body).toContain('mlpipe_model_reloads_total{outcome="failed"} 1');
  });

  it('refuses a tampered model.onnx on reload (422, E_MODEL), naming the file but not the server path', async () => {
    const dir = join(root, 'tampered');
    linearModel(dir);
    const app = new ServeApp({ load: () => loadModel(dir), name: 'tampered', modelPath: dir, serverVersion: '1' });
    await app.start();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bytes = readFileSync(join(dir, 'model.onnx'));
    bytes[bytes.length - 20]! ^= 0xff;
    writeFileSync(join(dir, 'model.onnx'), bytes);
    const res = await app.handle(post('/admin/reload', ''));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body)).toEqual({
      error_code: 'INVALID_STATE',
      message: `reload failed, still serving version ${irisMeta.version}: model.onnx does not match model.json: the file was changed or damaged after training`,
    });
    expect(res.body).not.toContain(root);
    expect((await app.handle(post('/invocations', { dataframe_records: [ROW] }))).body).toBe('{"predictions":["versicolor"]}');
  });
});
