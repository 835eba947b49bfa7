import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseSchema } from '../../../src/data/schema.js';
import { validate } from '../../../src/data/validate.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

// Reference and current samples with the scipy results (python3-scipy 1.10, /usr/bin/python3):
//   a = [1,2,2,3,4,5,5,5,6,8,9,12]; b = [2,3,3,4,6,7,7,8,10,11,13,14,15,15]
//   stats.ks_2samp(a, b).statistic = 0.39285714285714285
//   stats.kstwobign.sf(sqrt(12*14/26) * D) = 0.27147605850290946   (asymptotic p-value)
//   stats.wasserstein_distance(a, b) = 3.2619047619047614; np.std(a) = 3.0776975521032313
//   categories ref [30,50,20] / cur [25,40,35]: chi2_contingency(correction=False) = 5.656565656565656,
//   p = 0.05911427592751336; jensenshannon = 0.11949662207437343; PSI = 0.11537280116143206
const a = [1, 2, 2, 3, 4, 5, 5, 5, 6, 8, 9, 12];
const b = [2, 3, 3, 4, 6, 7, 7, 8, 10, 11, 13, 14, 15, 15];
const cats = (counts: number[]) => ['x', 'y', 'z'].flatMap((k, i) => Array<string>(counts[i]!).fill(k));
const csv = (xs: number[], ks: string[]) => `x,k\n${ks.map((k, i) => `${xs[i % xs.length]},${k}`).join('\n')}\n`;

const dir = tempDir();
writeTree(dir, { 'ref.csv': csv(a, cats([30, 50, 20])), 'cur.csv': csv(b, cats([25, 40, 35])) });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Validates cur.csv against ref.csv (100 rows each) with drift settings for x and k. */
async function driftWith(x: object | false, k: object) {
  const schema = parseSchema(stringify({ version: 1, columns: { x: { type: 'float', drift: x }, k: { type: 'category', drift: k } } }));
  return validate({ data: join(dir, 'cur.csv'), schema, reference: join(dir, 'ref.csv') });
}

describe('drift against a reference, verified against scipy', () => {
  it('KS statistic and p-value, Wasserstein normed by the reference std (exact, in SQL)', async () => {
    writeTree(dir, { 'ref-x.csv': `x\n${a.join('\n')}\n`, 'cur-x.csv': `x\n${b.join('\n')}\n` });
    const run = (drift: object) =>
      validate({
        data: join(dir, 'cur-x.csv'),
        schema: parseSchema(stringify({ version: 1, columns: { x: { type: 'float', drift } } })),
        reference: join(dir, 'ref-x.csv'),
      });
    const ks = (await run({ method: 'ks' })).drift!.columns[0]!;
    expect(ks.method).toBe('ks');
    expect(ks.statistic).toBeCloseTo(0.39285714285714285, 12);
    expect(ks.pValue).toBeCloseTo(0.27147605850290946, 12);
    expect(ks.drifted).toBe(false);
    const w = (await run({})).drift!.columns[0]!; // 12 reference rows <= 1000: the default is KS
    expect(w.method).toBe('ks');
    const wd = (await run({ method: 'wasserstein', threshold: 1 })).drift!;
    expect(wd.columns[0]!.statistic).toBeCloseTo(3.2619047619047614 / 3.0776975521032313, 12);
    expect(wd.drifted).toEqual(['x']);
    expect(wd.issues.map((i) => [i.code, i.column, i.rule, i.severity])).toEqual([['drift', 'x', 'drift.wasserstein', 'warning']]);
  });

  it('chi-square (default for a small reference), Jensen-Shannon and PSI on category counts', async () => {
    const chi = (await driftWith({ method: 'ks' }, {})).drift!.columns.find((c) => c.column === 'k')!;
    expect(chi.method).toBe('chisquare');
    expect(chi.statistic).toBeCloseTo(5.656565656565656, 12);
    expect(chi.pValue).toBeCloseTo(0.05911427592751336, 12);
    expect(chi.drifted).toBe(false);
    expect(chi.bins).toEqual([
      { label: 'y', reference: 0.5, current: 0.4 },
      { label: 'x', reference: 0.3, current: 0.25 },
      { label: 'z', reference: 0.2, current: 0.35 },
    ]);
    const js = (await driftWith({ method: 'ks' }, { method: 'jensenshannon' })).drift!.columns.find((c) => c.column === 'k')!;
    expect(js.statistic).toBeCloseTo(0.11949662207437343, 12);
    expect(js.drifted).toBe(true); // > 0.1
    const psi = (await driftWith(false, { method: 'psi', threshold: 0.2 })).drift!;
    expect(psi.columns.map((c) => [c.column, c.method])).toEqual([['k', 'psi']]);
    expect(psi.columns[0]!.statistic).toBeCloseTo(0.11537280116143206, 12);
    expect(psi.drifted).toEqual([]);
  });

  it('drift: false skips a column; a drifted column is a warning unless the schema says error', async () => {
    const schema = parseSchema(
      stringify({ version: 1, columns: { x: { type: 'float', drift: false }, k: { type: 'category', drift: { method: 'jensenshannon' } } }, drift: { severity: 'error' } }),
    );
    const report = await validate({ data: join(dir, 'cur.csv'), schema, reference: join(dir, 'ref.csv') });
    expect(report.drift!.columns.map((c) => c.column)).toEqual(['k']);
    expect(report.valid).toBe(false);
    expect(report.issues.map((i) => [i.code, i.severity])).toEqual([['drift', 'error']]);
  });
});
