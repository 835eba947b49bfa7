import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Import rules between feature folders (docs/architecture.md): `serve` reads models through
// `src/model/` and never reaches into training's internals; `src/model/` (shared by train and serve)
// imports neither of them. A focused test until a general architecture test holds these rules.
const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import (static, dynamic, type-only, re-export) of the folder, as src-relative targets. */
function importsOf(folder: string): { file: string; target: string }[] {
  const spec = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
  return sources(join(SRC, folder)).flatMap((file) =>
    Array.from(readFileSync(file, 'utf8').matchAll(spec), (m) => ({
      file: relative(SRC, file),
      target: relative(SRC, resolve(dirname(file), m[2]!)),
    })),
  );
}

const into = (imports: { file: string; target: string }[], folders: string[]) =>
  imports.filter((i) => folders.some((f) => i.target === f || i.target.startsWith(`${f}/`))).map((i) => `${i.file} -> ${i.target}`);

describe('layering', () => {
  it('src/serve imports nothing from src/train', () => {
    const imports = importsOf('serve');
    // The scanner sees serve's imports (so the rule below can fail): the model loader among them.
    expect(imports).toContainEqual({ file: 'serve/serve.ts', target: 'model/load.js' });
    expect(into(imports, ['train'])).toEqual([]);
  });

  it('src/model imports nothing from src/train, src/serve or src/cli', () => {
    const imports = importsOf('model');
    expect(imports).toContainEqual({ file: 'model/load.ts', target: 'model/artifact.js' });
    expect(into(imports, ['train', 'serve', 'cli'])).toEqual([]);
  });
});
