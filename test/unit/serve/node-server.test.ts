import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/model/load.js';
import { ServeApp } from '../../../src/serve/app.js';
import { type RunningServer, listen } from '../../../src/serve/node-server.js';
import { tempDir } from '../../helpers/tree.js';
import { linearModel } from './fixtures.js';

// Answers ready at once are queued and written at the end of the event-loop turn: each must still
// reach its own request, and a client gone before the write must not disturb the others.

let root: string;
let server: RunningServer;
beforeAll(async () => {
  root = tempDir();
  linearModel(join(root, 'iris'));
  const app = new ServeApp({ load: () => loadModel(join(root, 'iris')), name: 'iris', serverVersion: '1' });
  await app.start();
  server = await listen({ app, port: 0, host: '127.0.0.1', bodyLimit: 1 << 20 });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

// See linearModel: the first row scores "versicolor", the second "virginica".
const ROWS = [
  { x1: 1, x2: 2, color: 'red' },
  { x1: 5, x2: null, color: 'blue' },
];
const LABELS = ['versicolor', 'virginica'];

const score = (row: (typeof ROWS)[number]) =>
  fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: [row] }) }).then(async (r) => [r.status, await r.text()]);

describe('node adapter, answers written at the end of the turn', () => {
  it('gives each of many concurrent requests its own answer', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => score(ROWS[i % 2]!)));
    answers.forEach((a, i) => {
      expect(a).toEqual([200, `{"predictions":["${LABELS[i % 2]}"]}`]);
    });
  });

  it('keeps serving when a client leaves before its answer is written', async () => {
    const body = JSON.stringify({ dataframe_records: [ROWS[0]] });
    await new Promise<void>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(`POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        socket.destroy();
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    const answers = await Promise.all([score(ROWS[1]!), score(ROWS[0]!)]);
    expect(answers).toEqual([
      [200, '{"predictions":["virginica"]}'],
      [200, '{"predictions":["versicolor"]}'],
    ]);
  });
});
