/** Human renderings of validation reports and profiles (tables on stdout through Output). */
import { formatValue } from '../../data/issues.js';
import type { Profile } from '../../data/profile.js';
import type { ValidationReport } from '../../data/validate.js';
import { MlpipeError } from '../../errors.js';
import type { Output } from '../output.js';

export function renderIssues(out: Output, report: ValidationReport): void {
  const c = out.color;
  const { checks } = report;
  const verdict = report.valid ? c.green('valid') : c.red('invalid');
  out.line(`${report.data}: ${verdict}, ${report.rows} rows, ${checks.total} checks: ${checks.passed} passed, ${checks.errors} error(s), ${checks.warnings} warning(s)`);
  if (report.issues.length > 0) {
    out.line();
    out.table(
      report.issues.map((i) => ({
        severity: i.severity === 'error' ? c.red('error') : c.yellow('warning'),
        column: i.column ?? '(table)',
        rule: i.rule,
        rows: i.count,
        observed: short(formatValue(i.observed)),
        expected: short(formatValue(i.expected)),
        sample: i.sample.slice(0, 3).map((s) => `row ${s.row}: ${short(Object.values(s.values).map((v) => formatValue(v)).join(', '), 24)}`).join('; '),
      })),
      [
        { key: 'severity', header: 'severity' },
        { key: 'column', header: 'column' },
        { key: 'rule', header: 'rule' },
        { key: 'rows', header: 'rows', align: 'right' },
        { key: 'observed', header: 'observed' },
        { key: 'expected', header: 'expected' },
        { key: 'sample', header: 'sample' },
      ],
    );
  }
  if (report.drift) {
    out.line();
    out.line(`drift against ${report.drift.reference}: ${report.drift.drifted.length} of ${report.drift.columns.length} column(s) drifted${report.drift.drifted.length ? ` (${report.drift.drifted.join(', ')})` : ''}`);
    out.table(
      report.drift.columns.map((d) => ({ ...d, drifted: d.drifted ? c.red('yes') : 'no' })),
      [
        { key: 'column', header: 'column' },
        { key: 'method', header: 'test' },
        { key: 'statistic', header: 'statistic', align: 'right' },
        { key: 'pValue', header: 'p-value', align: 'right' },
        { key: 'threshold', header: 'threshold', align: 'right' },
        { key: 'drifted', header: 'drifted' },
      ],
    );
  }
}

export function validationError(report: ValidationReport): MlpipeError {
  const failed = [...new Set(report.issues.filter((i) => i.severity === 'error').map((i) => (i.column === null ? i.rule : `${i.column}.${i.rule}`)))];
  return new MlpipeError('E_VALIDATION_FAILED', `${report.data} failed ${report.checks.errors} error-level check(s): ${short(failed.join(', '), 200)}`, {
    hint: 'fix the data, or relax the rules (or set severity: warning) in the schema; --json lists every issue with sample rows',
    data: { errors: report.checks.errors, warnings: report.checks.warnings },
  });
}

export function renderProfile(out: Output, p: Profile): void {
  out.line(`${p.data}: ${p.rows} rows, ${p.columns.length} columns${p.csv ? `, delimiter ${JSON.stringify(p.csv.delimiter)}, header ${p.csv.header}, null markers ${JSON.stringify(p.csv.nullMarkers)}` : ''}`);
  out.line();
  out.table(
    p.columns.map((col) => ({
      ...col,
      min: col.min === null ? null : formatValue(col.min),
      max: col.max === null ? null : formatValue(col.max),
      top: col.top ? short(col.top.slice(0, 3).map((t) => `${t.value} (${t.count})`).join(', '), 40) : null,
    })),
    [
      { key: 'name', header: 'column' },
      { key: 'type', header: 'type' },
      { key: 'nulls', header: 'nulls', align: 'right' },
      { key: 'distinct', header: 'distinct', align: 'right' },
      { key: 'min', header: 'min', align: 'right' },
      { key: 'max', header: 'max', align: 'right' },
      { key: 'mean', header: 'mean', align: 'right' },
      { key: 'std', header: 'std', align: 'right' },
      { key: 'top', header: 'top values' },
    ],
  );
}

function short(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
