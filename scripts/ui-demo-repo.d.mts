/** Types of ui-demo-repo.mjs for the TypeScript tests. */
export function expValues(i: number): { lr: number; depth: number; acc: number; loss: number[] };
/** Writes a repository with `n` experiments on its last baseline commit; returns that commit's sha. */
export function makeExperimentsRepo(dir: string, n: number, options?: { commits?: number }): string;
