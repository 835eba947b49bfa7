import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDvcFile } from '../../../src/core/formats/dvcfile.js';
import { importOf, serializeImportFile } from '../../../src/core/formats/import-file.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/dvc/import-get');

describe('repository import .dvc files (fixture import-get, real DVC 3.64.0)', () => {
  const files = ['import-before', 'import-after'].flatMap((d) => readdirSync(join(FIXTURE, d)).map((f) => join(d, f)));
  it.each(files)('%s: parsed and written back byte for byte (stage md5 included)', (rel) => {
    const text = readFileSync(join(FIXTURE, rel), 'utf8');
    const imp = importOf(parseDvcFile(text, rel), rel);
    expect(imp).toBeDefined();
    expect(serializeImportFile(imp!)).toBe(text);
  });
  it('a dvc add file is no import', () => {
    const text = readFileSync(join(FIXTURE, 'src/expected/data/labels.csv.dvc'), 'utf8');
    expect(importOf(parseDvcFile(text), 'labels.csv.dvc')).toBeUndefined();
  });
});
