/**
 * The public API of mlpipe. Everything a library user may import is re-exported here explicitly;
 * anything not listed is internal and may change.
 */
export { ERROR_CODES, MlpipeError, isMlpipeError } from './errors.js';
export type { ErrorCode, MlpipeErrorOptions } from './errors.js';
export { silentProgress } from './core/progress.js';
export type { ProgressOptions, ProgressReporter, ProgressTask } from './core/progress.js';
export { findRepoRoot } from './core/repo/find-root.js';
export { diagnose } from './core/doctor.js';
export type { DoctorReport } from './core/doctor.js';
export { validate, loadSchema } from './data/validate.js';
export type { ValidateOptions, ValidationReport } from './data/validate.js';
export { profile } from './data/profile.js';
export type { ColumnProfile, Profile } from './data/profile.js';
export { inferSchema, schemaFromProfile } from './data/infer.js';
export { parseSchema, serializeSchema, sourceFromSchema } from './data/schema.js';
export type { Schema, ColumnSchema, Severity, DriftMethod } from './data/schema.js';
export type { Issue, IssueCode, SampleRow } from './data/issues.js';
export type { DriftColumn, DriftReport } from './data/drift.js';
export { renderHtml } from './data/report/html.js';
export { openDatabase, openSource, typedExpr, detectFormat, DEFAULT_CSV } from './data/source.js';
export type { ColumnType, CsvOptions, DataFormat, DataSource, Database, OpenedSource, SourceColumn } from './data/source.js';
