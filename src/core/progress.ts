/**
 * How long-running library code reports progress without knowing about terminals. The CLI passes a
 * reporter that draws bars on stderr (src/cli/progress.ts); library callers and tests get the silent
 * one by default.
 */
export interface ProgressTask {
  /** Advance by `units` items (default 1) and `bytes` bytes (default 0). */
  tick(units?: number, bytes?: number): void;
  /** Set or correct the totals once they are known. */
  setTotal(units: number, bytes?: number): void;
  /** Replace the free-text status shown next to the bar (for example "iter 40 loss 0.312"). */
  status(text: string): void;
  /** Finish the bar (idempotent). */
  done(): void;
}

export interface ProgressOptions {
  /** Total number of units, when known up front. */
  total?: number;
  /** Total bytes, when the work is byte-sized (hashing, transfer): shows size and rate. */
  totalBytes?: number;
  /** Name of a unit, plural: "files", "objects", "rows", "iterations". */
  unit?: string;
}

export interface ProgressReporter {
  task(label: string, options?: ProgressOptions): ProgressTask;
}

const silentTask: ProgressTask = {
  tick() {},
  setTotal() {},
  status() {},
  done() {},
};

export const silentProgress: ProgressReporter = {
  task: () => silentTask,
};
