import type { RawColumns } from '../train/model/preprocess.js';

/** Rows of a request or input file, by column: what parsers produce and validation checks. */
export interface Table {
  columns: RawColumns;
  rows: number;
}
