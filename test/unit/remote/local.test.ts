import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { describe } from 'vitest';
import { LocalStore } from '../../../src/remote/stores/local.js';
import { tempDir } from '../../helpers/tree.js';
import { conformance } from './conformance.js';
import { objectPath } from './fixtures.js';

describe('local folder remote', () => {
  conformance(async () => {
    const root = tempDir('mlpipe-remote-');
    return {
      open: async () => new LocalStore(root),
      corrupt: async (oid, bytes) => {
        chmodSync(objectPath(root, oid), 0o644);
        writeFileSync(objectPath(root, oid), bytes);
      },
      cleanup: async () => rmSync(root, { recursive: true, force: true }),
    };
  });
});
