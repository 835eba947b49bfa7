import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layering of docs/architecture.md, checked on the import graph of src/ as the TypeScript
 * parser sees it: `import`, `import type`, `export ... from` and dynamic `import('...')` with a
 * literal specifier. A broken rule names the files (and the cycle) so the fix is obvious.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface Edge {
  from: string;
  /** A repo-relative .ts path for project files, the package name for everything else. */
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = posix.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** Every import of one file, parsed (not pattern-matched) so comments and strings do not count. */
function importsOf(file: string, text: string): Edge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const to = spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts') : packageName(spec);
    edges.push({ from: file, to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true); // `import('x').T` in a type position
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Import cycles (strongly connected components of more than one file, or a file importing itself). */
function cyclesOf(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

/**
 * Imports that must not exist: `from` files may not import `to` files (both repo-relative path
 * patterns). Add a layering rule here, with the reason, and docs/architecture.md beside it.
 */
const FORBIDDEN: { from: RegExp; to: RegExp; why: string }[] = [
  { from: /^src\/(?!cli\/)/, to: /^src\/cli\//, why: 'the CLI is the top layer: features return data and the CLI renders it' },
  { from: /^src\/core\//, to: /^src\/(?!core\/|errors\.ts|version\.ts)/, why: 'core is the bottom layer (errors.ts and version.ts sit beside it)' },
  { from: /^src\/serve\//, to: /^src\/train\//, why: 'serve reads models through src/model, never training internals' },
  { from: /^src\/model\//, to: /^src\/(train|serve|cli)\//, why: 'src/model is shared by train and serve and imports neither' },
];

/** Cycles through `import type` only (erased at run time) that are known and left to their owners: none. */
const KNOWN_TYPE_CYCLES: string[] = [];

/** YAML libraries and the one module allowed to import each (reading with js-yaml, writing with yaml). */
const ONLY_IMPORTER: Record<string, string> = {
  'js-yaml': 'src/core/formats/yaml-read.ts',
  yaml: 'src/core/formats/yaml-write.ts',
};

function violations(edges: Edge[]): string[] {
  const found: string[] = [];
  for (const e of edges) {
    for (const rule of FORBIDDEN) {
      if (rule.from.test(e.from) && rule.to.test(e.to)) found.push(`${e.from} imports ${e.to}: ${rule.why}`);
    }
    const only = ONLY_IMPORTER[e.to];
    if (only !== undefined && e.from !== only) found.push(`${e.from} imports ${e.to}: only ${only} may (one YAML reader, one writer)`);
  }
  return found;
}

const FILES = sourceFiles('src');
const EDGES = FILES.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8')));

describe('architecture of src/ (docs/architecture.md)', () => {
  it('reads the import graph, dynamic imports included', () => {
    expect(FILES.length).toBeGreaterThan(100);
    // bin/mlpipe.js -> cli/main.ts -> commands: a command's library code is loaded with import()
    expect(EDGES).toContainEqual({ from: 'src/cli/commands/validate.ts', to: 'src/data/validate.ts', typeOnly: false });
    expect(EDGES).toContainEqual({ from: 'src/serve/serve.ts', to: 'src/model/load.ts', typeOnly: false });
  });

  it('has no import cycle', () => {
    const internal = EDGES.filter((e) => e.to.startsWith('src/'));
    // Runtime imports (what Node loads, dynamic ones included): none at all.
    expect(cyclesOf(internal.filter((e) => !e.typeOnly))).toEqual([]);
    // Counting `import type` too, only the known ones below may remain (and none may be added).
    const typeCycles = cyclesOf(internal).map((c) => c.join(' <-> '));
    expect(typeCycles.filter((c) => !KNOWN_TYPE_CYCLES.includes(c))).toEqual([]);
  });

  it('keeps the layers: nothing outside src/cli imports it, core imports no feature, serve and model import no training code', () => {
    expect(violations(EDGES.filter((e) => e.to.startsWith('src/')))).toEqual([]);
  });

  it('has exactly one module importing a YAML library for reading and one for writing', () => {
    const importers = (pkg: string) => [...new Set(EDGES.filter((e) => e.to === pkg).map((e) => e.from))];
    expect([importers('js-yaml'), importers('yaml')]).toEqual([['src/core/formats/yaml-read.ts'], ['src/core/formats/yaml-write.ts']]);
    expect(violations(EDGES.filter((e) => e.to in ONLY_IMPORTER))).toEqual([]);
  });
});

describe('the checks themselves fail on a broken rule', () => {
  it('finds a cycle, a dynamic import of the CLI and a second YAML reader', () => {
    const a = importsOf('src/data/a.ts', "import { b } from './b.js';\nexport const a = 1;\n");
    const b = importsOf('src/data/b.ts', "export const b = async () => (await import('./a.js')).a;\n");
    expect(cyclesOf([...a, ...b])).toEqual([['src/data/a.ts', 'src/data/b.ts']]);
    const upward = importsOf('src/pipeline/x.ts', "// import '../cli/main.js' in a comment does not count\nconst m = await import('../cli/output.js');\n");
    expect(violations(upward)).toEqual(['src/pipeline/x.ts imports src/cli/output.ts: the CLI is the top layer: features return data and the CLI renders it']);
    const yaml = importsOf('src/data/schema.ts', "import { parse } from 'yaml';\nimport type { Document } from 'yaml';\n");
    expect(violations(yaml)).toHaveLength(2);
    expect(importsOf('src/core/x.ts', "import type { Stage } from '../pipeline/stage.js';\n")).toEqual([
      { from: 'src/core/x.ts', to: 'src/pipeline/stage.ts', typeOnly: true },
    ]);
  });
});
