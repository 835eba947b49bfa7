import type { RawColumns } from '../model/preprocess.js';

/** Rows of a request or input file, by column: what parsers produce and validation checks. */
export interface Table {
  columns: RawColumns;
  rows: number;
}
