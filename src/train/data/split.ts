import { Random } from '../random.js';

/**
 * Row splits. For classifiers the split is stratified (each class keeps its share in every part), so
 * a rare class cannot vanish from the test set. Indices come back sorted, which keeps memory access
 * in row order for everything downstream.
 */
export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

/** Groups row indices by class (or one group for regression), each group shuffled. */
function shuffledGroups(n: number, classes: Int32Array | null, k: number, random: Random): number[][] {
  const groups: number[][] = Array.from({ length: classes ? k : 1 }, () => []);
  for (let i = 0; i < n; i++) groups[classes ? classes[i]! : 0]!.push(i);
  for (const g of groups) random.shuffle(g);
  return groups;
}

const sorted = (a: number[]) => Uint32Array.from(a).sort();

/** Holds out `fraction` of the rows (rounded per class) as the test part. */
export function holdOut(n: number, fraction: number, seed: number, classes: Int32Array | null = null, k = 1): Split {
  if (fraction <= 0) return { train: Uint32Array.from({ length: n }, (_, i) => i), test: new Uint32Array(0) };
  const train: number[] = [];
  const test: number[] = [];
  for (const g of shuffledGroups(n, classes, k, new Random(seed))) {
    const t = Math.round(g.length * fraction);
    for (let i = 0; i < g.length; i++) (i < t ? test : train).push(g[i]!);
  }
  return { train: sorted(train), test: sorted(test) };
}

/** k folds: fold f's test part is every k-th row of each shuffled class group, starting at f. */
export function kFold(n: number, folds: number, seed: number, classes: Int32Array | null = null, k = 1): Split[] {
  const groups = shuffledGroups(n, classes, k, new Random(seed));
  return Array.from({ length: folds }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (const g of groups) for (let i = 0; i < g.length; i++) (i % folds === f ? test : train).push(g[i]!);
    return { train: sorted(train), test: sorted(test) };
  });
}

/** The values of `a` at the given rows, in the same typed-array type. */
export function takeRows<T extends Int32Array | Float64Array>(a: T, rows: Uint32Array): T {
  const Ctor = a.constructor as new (n: number) => T;
  const out = new Ctor(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]!]!;
  return out;
}
