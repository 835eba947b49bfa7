import { dirname, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bearerCheck } from '../core/http.js';
import { MlpipeError, isMlpipeError } from '../errors.js';
import type { ColumnType } from '../model/artifact.js';
import { HttpError } from './http-error.js';
import { parseJsonBody } from './json-body.js';
import { Metrics } from './metrics.js';
import type { Model, Predictions } from '../model/load.js';
import { fastMlflowJson } from './fast-mlflow.js';
import { parseCsv, parseMlflowJson, schemaNames } from './parse-mlflow.js';
import { parseV2Request } from './parse-v2.js';
import { mlflowBody, v2OutputSpecs, v2Outputs } from './respond.js';
import { assertValidInput } from './validate.js';

/** A request as the core sees it: node's IncomingMessage fields, so the adapter copies nothing. */
export interface ServeRequest {
  method: string;
  /** Path and query, e.g. `/invocations?x=1`. */
  url: string;
  /** Lower-cased header names (as node:http gives them). */
  headers: Record<string, string | string[] | undefined>;
  body?: string | Buffer;
}

export interface ServeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface AppOptions {
  /** Loads the model; called at start and on every reload. */
  load: () => Promise<Model>;
  /** The model's name in V2 routes. */
  name: string;
  /** mlpipe's version, reported by `/version` and `/v2`. */
  serverVersion: string;
  /** Bearer token required on every route except the health probes. */
  token?: string;
  /** Most rows accepted in one request (default 10,000). */
  maxRows?: number;
  /** Origin allowed by CORS; CORS stays off when unset. */
  corsOrigin?: string;
  /**
   * The model's path on the server: never shown to clients (an error message that names a file in
   * it shows the path relative to the model folder).
   */
  modelPath?: string;
  /** Called with unexpected (500) errors, for the log. */
  onError?: (err: unknown, req: ServeRequest) => void;
}

/** A loaded model plus the requests using it, so a replaced model is freed only when they finish. */
interface Slot {
  model: Model;
  inflight: number;
  retired: boolean;
}

type Protocol = 'mlflow' | 'v2' | 'plain';

interface Route {
  /** The route template, the `route` label of the metrics. */
  route: string;
  /** Which protocol's error shape the route answers with. */
  protocol: Protocol;
  /** Health probes need no token. */
  public: boolean;
  run: (req: ServeRequest) => Promise<ServeResponse> | ServeResponse;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const TEXT_HEADERS = { 'content-type': 'text/plain; charset=utf-8' };
const PROMETHEUS_HEADERS = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' };
const EMPTY_OK: ServeResponse = { status: 200, headers: TEXT_HEADERS, body: '' };
// MLflow's /ping: body "\n", 404 until the model is loaded (serving-protocols.md §2.1).
const PING_OK: ServeResponse = { status: 200, headers: JSON_HEADERS, body: '\n' };
const PING_NOT_READY: ServeResponse = { status: 404, headers: JSON_HEADERS, body: '\n' };

/** KServe V2 datatypes of the schema's column types. */
const V2_DATATYPE: Record<ColumnType, string> = {
  int: 'INT64',
  float: 'FP64',
  bool: 'BOOL',
  string: 'BYTES',
  category: 'BYTES',
  date: 'BYTES',
  datetime: 'BYTES',
};

/**
 * The model server as a function from request to response (as Hono's app.fetch): every route of the
 * MLflow scoring protocol and of KServe V2, /metrics and /admin/reload. No sockets here; the node:http
 * adapter (./node-server.ts) feeds it, and tests call `handle` directly.
 */
export class ServeApp {
  readonly metrics = new Metrics();
  private slot: Slot | undefined;
  private draining = false;
  private reloading: Promise<Model> | undefined;
  private readonly maxRows: number;
  private readonly tokenOk: ReturnType<typeof bearerCheck> | undefined;
  private readonly corsHeaders: Record<string, string> | undefined;
  private readonly routes: Map<string, Route>;

  constructor(private readonly options: AppOptions) {
    this.maxRows = options.maxRows ?? 10_000;
    this.tokenOk = options.token ? bearerCheck(options.token) : undefined;
    this.corsHeaders = options.corsOrigin
      ? {
          'access-control-allow-origin': options.corsOrigin,
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type',
        }
      : undefined;
    this.routes = this.buildRoutes();
  }

  /** Ready means a model is loaded and the server is not shutting down. */
  get ready(): boolean {
    return this.slot !== undefined && !this.draining;
  }

  get model(): Model | undefined {
    return this.slot?.model;
  }

  /** Loads the first model; until it resolves, readiness probes fail and scoring returns 503. */
  async start(): Promise<Model> {
    return this.reload();
  }

  /**
   * Loads the model again and swaps it in atomically: requests already running finish on the old
   * model, which is released once the last of them completes. A failed load keeps the old model.
   */
  reload(): Promise<Model> {
    // Concurrent reloads share one load.
    this.reloading ??= this.options
      .load()
      .then((model) => {
        const old = this.slot;
        this.slot = { model, inflight: 0, retired: false };
        if (old) this.retire(old);
        this.metrics.reloaded(true);
        return model;
      })
      .catch((err: unknown) => {
        this.metrics.reloaded(false);
        throw err;
      })
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }

  /** Stops reporting ready (load balancers drain us) while in-flight requests finish. */
  drain(): void {
    this.draining = true;
  }

  /** Frees the model once no request uses it. */
  async close(): Promise<void> {
    this.draining = true;
    const slot = this.slot;
    this.slot = undefined;
    if (slot) this.retire(slot);
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    if (slot.inflight === 0) void slot.model.release().catch(() => {});
  }

  async handle(req: ServeRequest): Promise<ServeResponse> {
    return this.respond(req);
  }

  /**
   * As `handle`, but answers synchronously when no step has to wait: the common small MLflow
   * request scored by the TypeScript scorer (and every GET) runs without a promise, so the node
   * adapter writes its answer in the same turn. `start` (from `performance.now()`) is when the
   * request arrived, for the latency histogram.
   */
  respond(req: ServeRequest, start = performance.now()): ServeResponse | Promise<ServeResponse> {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const matched = this.match(req.method, path);
    let res: ServeResponse | Promise<ServeResponse>;
    try {
      if (req.method === 'OPTIONS' && this.corsHeaders) res = { status: 204, headers: this.corsHeaders, body: '' };
      else {
        if (this.tokenOk && !matched.public) this.authorize(req);
        res = matched.run(req);
      }
    } catch (err) {
      res = this.errorResponse(err, matched.protocol, req);
    }
    if (res instanceof Promise) {
      return res.then(
        (out) => this.finish(out, matched.route, start),
        (err: unknown) => this.finish(this.errorResponse(err, matched.protocol, req), matched.route, start),
      );
    }
    return this.finish(res, matched.route, start);
  }

  /** CORS headers and the metrics, on every answer. */
  private finish(res: ServeResponse, route: string, start: number): ServeResponse {
    const out = this.corsHeaders ? { ...res, headers: { ...res.headers, ...this.corsHeaders } } : res;
    this.metrics.observe(route, out.status, (performance.now() - start) / 1000);
    return out;
  }

  private authorize(req: ServeRequest): void {
    if (!this.tokenOk?.(req.headers.authorization)) throw new HttpError(401, 'a bearer token is required: send "Authorization: Bearer <token>"', 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer' });
  }

  /** The fixed routes, built once so that matching a request allocates nothing. */
  private buildRoutes(): Map<string, Route> {
    const notReady: ServeResponse = { status: 400, headers: TEXT_HEADERS, body: '' };
    const routes: [string, Protocol, boolean, Route['run']][] = [
      ['/invocations', 'mlflow', false, (req) => this.post(req, () => this.invocations(req))],
      ['/ping', 'mlflow', true, (req) => this.get(req, () => (this.ready ? PING_OK : PING_NOT_READY))],
      ['/health', 'mlflow', true, (req) => this.get(req, () => (this.ready ? PING_OK : PING_NOT_READY))],
      ['/version', 'mlflow', false, (req) => this.get(req, () => ({ status: 200, headers: JSON_HEADERS, body: this.options.serverVersion }))],
      ['/metrics', 'plain', false, (req) => this.get(req, () => ({ status: 200, headers: PROMETHEUS_HEADERS, body: this.metrics.render(this.slot?.model.meta) }))],
      ['/admin/reload', 'plain', false, (req) => this.post(req, () => this.adminReload())],
      ['/v2/health/live', 'v2', true, (req) => this.get(req, () => EMPTY_OK)],
      // KServe V2: 200 when ready, 4xx otherwise (Triton answers 400).
      ['/v2/health/ready', 'v2', true, (req) => this.get(req, () => (this.ready ? EMPTY_OK : notReady))],
      ['/v2', 'v2', false, (req) => this.get(req, () => json(200, { name: 'mlpipe', version: this.options.serverVersion, extensions: [] }))],
    ];
    return new Map(routes.map(([route, protocol, open, run]) => [route, { route, protocol, public: open, run }]));
  }

  private match(method: string, path: string): Route {
    const fixed = this.routes.get(path);
    if (fixed) return fixed;
    if (path.startsWith('/v2/models/')) return this.matchModelRoute(path);
    return {
      route: 'unmatched',
      protocol: path.startsWith('/v2') ? 'v2' : 'plain',
      public: false,
      run: () => {
        throw new HttpError(404, `no route ${method} ${path}; see /invocations (MLflow) or /v2/models/${this.options.name}/infer (KServe V2)`, 'ENDPOINT_NOT_FOUND');
      },
    };
  }

  /** /v2/models/{name}[/versions/{version}][/ready|/infer] */
  private matchModelRoute(path: string): Route {
    const parts = path.slice('/v2/models/'.length).split('/');
    const name = decodeURIComponent(parts[0] ?? '');
    let i = 1;
    let version: string | undefined;
    if (parts[1] === 'versions' && parts.length >= 3) {
      version = decodeURIComponent(parts[2]!);
      i = 3;
    }
    const action = parts.slice(i).join('/');
    const base = version === undefined ? '/v2/models/{name}' : '/v2/models/{name}/versions/{version}';
    const route = action ? `${base}/${action}` : base;
    const check = () => this.checkModel(name, version);
    if (action === '') return { route, protocol: 'v2', public: false, run: (req) => this.get(req, () => json(200, this.modelMetadata(check()))) };
    if (action === 'ready') {
      return { route, protocol: 'v2', public: true, run: (req) => this.get(req, () => (check() && !this.draining ? EMPTY_OK : { status: 400, headers: TEXT_HEADERS, body: '' })) };
    }
    if (action === 'infer') return { route, protocol: 'v2', public: false, run: (req) => this.post(req, () => this.infer(req, check)) };
    return {
      route: 'unmatched',
      protocol: 'v2',
      public: false,
      run: () => {
        throw new HttpError(404, `no route ${path}`, 'ENDPOINT_NOT_FOUND');
      },
    };
  }

  private checkModel(name: string, version: string | undefined): Model {
    if (name !== this.options.name) throw new HttpError(404, `model "${name}" not found; this server serves "${this.options.name}"`, 'RESOURCE_DOES_NOT_EXIST');
    const model = this.requireModel();
    if (version !== undefined && version !== model.meta.version) {
      throw new HttpError(404, `model "${name}" version "${version}" not found; the loaded version is "${model.meta.version}"`, 'RESOURCE_DOES_NOT_EXIST');
    }
    return model;
  }

  private requireModel(): Model {
    if (!this.slot) throw new HttpError(503, 'the model is still loading; retry when /v2/health/ready answers 200', 'TEMPORARILY_UNAVAILABLE');
    return this.slot.model;
  }

  private modelMetadata(model: Model): unknown {
    return {
      name: this.options.name,
      versions: [model.meta.version],
      platform: 'onnx_onnxv1',
      inputs: model.meta.inputSchema.map((c) => ({ name: c.name, datatype: V2_DATATYPE[c.type], shape: [-1] })),
      outputs: v2OutputSpecs(model),
    };
  }

  private get(req: ServeRequest, fn: () => ServeResponse): ServeResponse {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `use GET for this route, not ${req.method}`, 'BAD_REQUEST', { allow: 'GET' });
    return fn();
  }

  private post(req: ServeRequest, fn: () => Promise<ServeResponse> | ServeResponse): Promise<ServeResponse> | ServeResponse {
    if (req.method !== 'POST') throw new HttpError(405, `use POST for this route, not ${req.method}`, 'BAD_REQUEST', { allow: 'POST' });
    return fn();
  }

  /** Takes the current model for one request; the slot stays alive until `leave`. */
  private enter(): Slot {
    this.requireModel();
    const slot = this.slot!;
    slot.inflight++;
    return slot;
  }

  private leave(slot: Slot): void {
    if (--slot.inflight === 0 && slot.retired) void slot.model.release().catch(() => {});
  }

  /** Synchronous when the model scores the batch at once (the TypeScript scorer), else a promise. */
  private invocations(req: ServeRequest): ServeResponse | Promise<ServeResponse> {
    const kind = mlflowContentType(req.headers['content-type']);
    const slot = this.enter();
    let waiting = false;
    try {
      const model = slot.model;
      const schema = model.meta.inputSchema;
      const body = bodyText(req);
      const { table, proba } =
        kind === 'csv' ? { table: parseCsv(body, schema), proba: false } : (fastMlflowJson(body, schemaNames(schema)) ?? parseMlflowJson(parseJsonBody(body), schema));
      assertValidInput(schema, table, this.maxRows);
      const now = model.predictNow?.(table.columns, table.rows);
      if (now !== undefined) return this.mlflowAnswer(model, now, proba);
      const later = model.predict(table.columns, table.rows);
      waiting = true;
      return later.then((p) => this.mlflowAnswer(model, p, proba)).finally(() => this.leave(slot));
    } finally {
      if (!waiting) this.leave(slot);
    }
  }

  private mlflowAnswer(model: Model, p: Predictions, proba: boolean): ServeResponse {
    this.metrics.predicted(p.rows);
    return { status: 200, headers: JSON_HEADERS, body: mlflowBody(p, model.classCount, proba) };
  }

  private async infer(req: ServeRequest, check: () => Model): Promise<ServeResponse> {
    const ct = req.headers['content-type'];
    if (ct !== undefined && !String(ct).startsWith('application/json')) {
      throw new HttpError(415, `content type ${ct} is not supported; send application/json`, 'BAD_REQUEST');
    }
    check();
    const slot = this.enter();
    try {
      const model = slot.model;
      const request = parseV2Request(parseJsonBody(bodyText(req)), model.meta.inputSchema);
      if (request.outputs) {
        const known = v2OutputSpecs(model).map((o) => o.name);
        const unknown = request.outputs.find((o) => !known.includes(o));
        if (unknown !== undefined) throw new MlpipeError('E_BAD_INPUT', `unknown output "${unknown}"; the model has outputs ${JSON.stringify(known)}`);
      }
      assertValidInput(model.meta.inputSchema, request.table, this.maxRows);
      const p = await model.predict(request.table.columns, request.table.rows);
      this.metrics.predicted(p.rows);
      const response: Record<string, unknown> = { model_name: this.options.name, model_version: model.meta.version };
      if (request.id !== undefined) response.id = request.id;
      response.outputs = v2Outputs(p, model.classCount, request.outputs);
      return json(200, response);
    } finally {
      this.leave(slot);
    }
  }

  private async adminReload(): Promise<ServeResponse> {
    const previous = this.slot?.model.meta.version ?? null;
    try {
      const model = await this.reload();
      return json(200, { name: this.options.name, version: model.meta.version, previousVersion: previous });
    } catch (err) {
      const message = isMlpipeError(err) ? err.message : String(err);
      // A model the server may not read is the server's problem (503, as an unreadable store);
      // a broken or tampered model (E_MODEL, checksum mismatch) is the request's target (422).
      const unavailable = isMlpipeError(err) && err.code === 'E_PERMISSION';
      throw new HttpError(unavailable ? 503 : 422, `reload failed, still serving version ${previous}: ${message}`, unavailable ? 'TEMPORARILY_UNAVAILABLE' : 'INVALID_STATE');
    }
  }

  private publicMessage(message: string): string {
    return withoutPath(message, this.options.modelPath);
  }

  /** Every error becomes a response here, in the shape of the protocol the route belongs to. */
  private errorResponse(err: unknown, protocol: Protocol, req: ServeRequest): ServeResponse {
    let status: number;
    let code: string;
    let headers: Record<string, string> | undefined;
    if (err instanceof HttpError) {
      status = err.status;
      code = err.errorCode;
      headers = err.headers;
    } else if (isMlpipeError(err) && (err.code === 'E_BAD_INPUT' || err.code === 'E_SCHEMA')) {
      status = 400;
      code = 'BAD_REQUEST';
    } else if (isMlpipeError(err) && err.code === 'E_PERMISSION') {
      status = 503;
      code = 'TEMPORARILY_UNAVAILABLE';
    } else {
      status = 500;
      code = 'INTERNAL_ERROR';
      this.options.onError?.(err, req);
    }
    const message = this.publicMessage(err instanceof Error ? err.message : String(err));
    // MLflow answers an unsupported content type in plain text (serving-protocols.md §2.1).
    if (status === 415 && protocol === 'mlflow') return { status, headers: TEXT_HEADERS, body: message };
    const body = protocol === 'v2' ? { error: message } : { error_code: code, message };
    return { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, body: JSON.stringify(body) };
  }
}

/** `message` with the model's server path taken out: files in it by their relative name. */
export function withoutPath(message: string, modelPath: string | undefined): string {
  if (!modelPath) return message;
  const dir = modelPath.endsWith('.onnx') ? dirname(modelPath) : modelPath;
  return message.split(`${dir}${sep}`).join('').split(dir).join('the model folder');
}

function json(status: number, value: unknown): ServeResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(value) };
}

function bodyText(req: ServeRequest): string {
  const body = req.body;
  if (body === undefined) return '';
  return typeof body === 'string' ? body : body.toString('utf8');
}


/**
 * MLflow accepts application/json (only a utf-8 charset parameter) and text/csv; anything else is
 * 415 (serving-protocols.md §2.1).
 */
function mlflowContentType(header: string | string[] | undefined): 'json' | 'csv' {
  if (header === 'application/json') return 'json';
  const value = String(header ?? '');
  const [type = '', ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json' && type !== 'text/csv') {
    throw new HttpError(415, `This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '${value}'.`);
  }
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k !== 'charset') {
      throw new HttpError(415, `Unknown parameter "${p}" in content type '${value}'; since MLflow 2.0 only a charset parameter is accepted.`);
    }
    if (v !== 'utf-8' && v !== 'utf8') throw new HttpError(415, `charset ${v} is not supported; use utf-8`);
  }
  return type === 'text/csv' ? 'csv' : 'json';
}
