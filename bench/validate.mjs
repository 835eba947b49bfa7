// Issue 6: `mlpipe validate` with ~30 rules against the same checks written with pandas
// (Debian python3-pandas, eager read_csv: what pandera / Great Expectations do), side by side.
// Measures wall time and peak RSS (GNU time) on a seeded 1,000,000 x 20 CSV (~180 MB) and on the
// same data as Parquet (pandas here has no Parquet engine: no pyarrow/fastparquet on Debian 12, so
// its side reads the CSV), then mlpipe alone on 5,000,000 rows for the flat-memory goal (< 300 MB).
// Before timing, both sides' issue counts are compared, so a benchmark of wrong answers fails.
// Env: BENCH_ROWS (default 1000000), BENCH_BIG_ROWS (default 5000000, 0 to skip), BENCH_RUNS (3).
// Generated files live in bench/work/ (gitignored) and are reused while their size matches.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { mulberry32 } from './lib/synthetic.mjs';
import { BENCH_DIR, MLPIPE, compare, save, timeCommand } from './lib/harness.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 5_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORK = join(BENCH_DIR, 'work');
mkdirSync(WORK, { recursive: true });



const COUNTRIES = ['DE', 'FR', 'IT', 'ES', 'NL', 'BE', 'AT', 'PL', 'SE', 'DK', 'FI', 'PT'];
const CHANNELS = ['web', 'app', 'store', 'phone', 'partner'];
const HEADER = 'id,user_id,age,income,score,f1,f2,f3,f4,f5,f6,n_items,country,channel,email,active,signup,last_seen,amount,label';
const DAY = 86_400_000;
const EPOCH = Date.UTC(2015, 0, 1);

/** One row; about 0.1% of ages are 17 and 1% of amounts are empty: planted warning-level faults. */
function row(i, r) {
  const gauss = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  const signup = Math.floor(r() * 3000);
  const seen = signup + Math.floor(r() * 400);
  const date = (d) => new Date(EPOCH + d * DAY).toISOString().slice(0, 10);
  const age = r() < 0.001 ? 17 : 18 + Math.floor(r() * 70);
  return [
    i + 1,
    1 + Math.floor(r() * 100_000),
    age,
    (20_000 + Math.exp(10 + gauss() * 0.5)).toFixed(2),
    r().toFixed(6),
    gauss().toFixed(6),
    (gauss() * 2 + 5).toFixed(6),
    (r() * 100).toFixed(4),
    gauss().toFixed(6),
    (gauss() * 10).toFixed(5),
    r().toFixed(6),
    Math.floor(r() * 51),
    COUNTRIES[Math.floor(r() * COUNTRIES.length)],
    CHANNELS[Math.floor(r() * CHANNELS.length)],
    `user${1 + Math.floor(r() * 100_000)}@example.com`,
    r() < 0.5 ? 'true' : 'false',
    date(signup),
    date(seen),
    r() < 0.01 ? '' : (r() * 500).toFixed(2),
    r() < 0.3 ? 'yes' : 'no',
  ].join(',');
}

async function generateCsv(path, rows) {
  const marker = `${path}.rows`;
  if (existsSync(path) && existsSync(marker) && readFileSync(marker, 'utf8') === String(rows)) return;
  const r = mulberry32(42);
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  for (let start = 0; start < rows; start += 10_000) {
    const lines = [];
    for (let i = start; i < Math.min(rows, start + 10_000); i++) lines.push(row(i, r));
    if (!out.write(`${lines.join('\n')}\n`)) await new Promise((res) => out.once('drain', res));
  }
  await new Promise((res) => out.end(res));
  writeFileSync(marker, String(rows));
}

async function toParquet(csv, parquet) {
  if (existsSync(parquet) && statSync(parquet).mtimeMs > statSync(csv).mtimeMs) return;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  // Typed as the schema says (DuckDB's sniffer would read the yes/no label as BOOLEAN).
  await conn.run(
    `COPY (SELECT * FROM read_csv('${csv}', header=true, types={'label': 'VARCHAR', 'signup': 'VARCHAR', 'last_seen': 'VARCHAR'})) TO '${parquet}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
}

// The ~30 rules (besides one type check per column), in the schema and again in pandas below.
const SCHEMA = `version: 1
csv: {delimiter: ",", header: true, nullMarkers: [""]}
rows: {min: 1000, max: 100000000}
columns:
  id: {type: int, nullable: false, unique: true}
  user_id: {type: int, min: 1, max: 100000}
  age: {type: int, min: {value: 18, severity: warning}, max: 120}
  income: {type: float, min: 0, mean: {min: 20000, max: 60000}}
  score: {type: float, min: 0, max: 1}
  f1: {type: float, mean: {min: -0.1, max: 0.1}, std: {min: 0.9, max: 1.1}}
  f2: {type: float, quantiles: {"0.5": {min: 4.5, max: 5.5}}}
  f3: {type: float, min: 0, max: 100}
  f4: {type: float}
  f5: {type: float}
  f6: {type: float, max: 1}
  n_items: {type: int, min: 0, max: 50}
  country: {type: category, allowed: [DE, FR, IT, ES, NL, BE, AT, PL, SE, DK, FI, PT]}
  channel: {type: category, allowed: [web, app, store, phone, partner]}
  email: {type: string, pattern: "^user[0-9]+@example\\\\.com$", maxLength: 40}
  active: {type: bool, nullable: false}
  signup: {type: date, format: "%Y-%m-%d", min: "2015-01-01"}
  last_seen: {type: date, format: "%Y-%m-%d", max: "2030-01-01"}
  amount: {type: float, maxNullFraction: 0.05, nullable: {value: false, severity: warning}, min: 0}
  label: {type: category}
rules:
  - {name: seen_after_signup, check: "last_seen >= signup"}
label: {column: label, classes: ["yes", "no"], minClassFraction: 0.1}
`;

// The same checks with pandas: eager read_csv (C parser, dtype inference), then one vectorised
// expression per rule; counts and the first 5 offending row numbers of failing rules, as mlpipe.
const PANDAS = String.raw`
import json, sys
import numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1], keep_default_na=False, na_values=[''])
n = len(df)
out = {}
def rule(name, mask):
    mask = np.asarray(mask, dtype=bool)
    c = int(mask.sum())
    if c: out[name] = [c, (np.flatnonzero(mask)[:5] + 1).tolist()]
def num(col):
    s = df[col]
    if pd.api.types.is_numeric_dtype(s): return s
    v = pd.to_numeric(s, errors='coerce'); rule(col + '.type', v.isna() & s.notna()); return v
def integer(col):
    s = num(col); rule(col + '.type', s.notna() & (s != np.floor(s))) if s.dtype.kind == 'f' else None; return s
def date(col):
    d = pd.to_datetime(df[col], format='%Y-%m-%d', errors='coerce'); rule(col + '.type', d.isna() & df[col].notna()); return d
ids = integer('id'); rule('id.nullable', ids.isna()); rule('id.unique', ids.duplicated(keep='first') & ids.notna())
u = integer('user_id'); rule('user_id.min', u < 1); rule('user_id.max', u > 100000)
a = integer('age'); rule('age.min', a < 18); rule('age.max', a > 120)
inc = num('income'); rule('income.min', inc < 0)
if not 20000 <= inc.mean() <= 60000: out['income.mean'] = inc.mean()
s = num('score'); rule('score.min', s < 0); rule('score.max', s > 1)
f1 = num('f1')
if not (-0.1 <= f1.mean() <= 0.1 and 0.9 <= f1.std() <= 1.1): out['f1.stats'] = [f1.mean(), f1.std()]
f2 = num('f2')
if not 4.5 <= f2.quantile(0.5) <= 5.5: out['f2.q50'] = f2.quantile(0.5)
f3 = num('f3'); rule('f3.min', f3 < 0); rule('f3.max', f3 > 100)
num('f4'); num('f5'); f6 = num('f6'); rule('f6.max', f6 > 1)
ni = integer('n_items'); rule('n_items.min', ni < 0); rule('n_items.max', ni > 50)
rule('country.allowed', ~df.country.isin(['DE','FR','IT','ES','NL','BE','AT','PL','SE','DK','FI','PT']) & df.country.notna())
rule('channel.allowed', ~df.channel.isin(['web','app','store','phone','partner']) & df.channel.notna())
e = df.email.astype('string')
rule('email.pattern', ~e.str.contains(r'^user[0-9]+@example\.com$', regex=True).fillna(True))
rule('email.maxLength', e.str.len() > 40)
act = df.active
if act.dtype != bool: rule('active.type', ~act.astype('string').str.lower().isin(['true', 'false']) & act.notna())
rule('active.nullable', act.isna())
su = date('signup'); rule('signup.min', su < pd.Timestamp('2015-01-01'))
ls = date('last_seen'); rule('last_seen.max', ls > pd.Timestamp('2030-01-01'))
am = num('amount')
if am.isna().mean() > 0.05: out['amount.maxNullFraction'] = am.isna().mean()
rule('amount.nullable', am.isna()); rule('amount.min', am < 0)
rule('rules.seen_after_signup', (ls < su) & ls.notna() & su.notna())
rule('label.classes', ~df.label.isin(['yes', 'no']) & df.label.notna())
frac = df.label.value_counts(normalize=True)
if (frac < 0.1).any(): out['label.balance'] = frac.to_dict()
if not 1000 <= n <= 100000000: out['rows'] = n
print(json.dumps({'rows': n, 'issues': out}))
`;

const csv = join(WORK, `validate-${ROWS}.csv`);
const parquet = join(WORK, `validate-${ROWS}.parquet`);
const schema = join(WORK, 'validate-schema.yaml');
const pandasScript = join(WORK, 'validate_pandas.py');
writeFileSync(schema, SCHEMA);
writeFileSync(pandasScript, PANDAS);
console.log(`generating ${ROWS} rows in ${WORK} ...`);
await generateCsv(csv, ROWS);
await toParquet(csv, parquet);
console.log(`CSV ${(statSync(csv).size / 1e6).toFixed(0)} MB, Parquet ${(statSync(parquet).size / 1e6).toFixed(0)} MB`);

// pandas with the machine's BLAS tuning variables removed for that command only (they break numpy here).
const pandasEnv = { ...process.env };
delete pandasEnv.OPENBLAS_CORETYPE;
delete pandasEnv.OPENBLAS_L2_SIZE;
const python = ['/usr/bin/python3', pandasScript, csv];
const mlpipe = (data) => ['node', MLPIPE, '--json', 'validate', data, '--schema', schema];

/** Both sides must find the same failing rules with the same counts and first rows. */
function assertSameAnswers(data) {
  const ours = JSON.parse(timeCommand(mlpipe(data)).stdout);
  const theirs = JSON.parse(spawnSync(python[0], python.slice(1), { env: pandasEnv, encoding: 'utf8', maxBuffer: 1 << 26 }).stdout);
  const mine = Object.fromEntries(
    ours.issues.filter((i) => i.count !== null).map((i) => [`${i.column ?? 'rules'}.${i.rule.replace(/^rules\./, '')}`, [i.count, i.sample.map((s) => s.row)]]),
  );
  const expected = Object.fromEntries(Object.entries(theirs.issues).map(([k, v]) => [k.replace(/^rules\.rules\./, 'rules.'), v]));
  if (JSON.stringify(mine) !== JSON.stringify(expected) || ours.rows !== theirs.rows) {
    throw new Error(`mlpipe and pandas disagree on ${data}:\nmlpipe ${JSON.stringify(mine)}\npandas ${JSON.stringify(expected)}`);
  }
  console.log(`same answers on ${data}: ${JSON.stringify(mine)}`);
}
assertSameAnswers(csv);

compare({
  name: 'validate-csv',
  description: `validate ${ROWS} x 20 CSV with ~30 rules: mlpipe (DuckDB, streaming) vs pandas read_csv + checks`,
  runs: RUNS,
  subjects: { 'mlpipe validate (CSV)': mlpipe(csv), 'pandas (CSV)': python },
  env: pandasEnv,
});
compare({
  name: 'validate-parquet',
  description: `validate ${ROWS} x 20 as Parquet: mlpipe reading Parquet vs pandas (no Parquet engine on Debian: reads the CSV)`,
  runs: RUNS,
  subjects: { 'mlpipe validate (Parquet)': mlpipe(parquet), 'pandas (CSV)': python },
  env: pandasEnv,
});

if (BIG_ROWS > 0) {
  const big = join(WORK, `validate-${BIG_ROWS}.csv`);
  console.log(`generating ${BIG_ROWS} rows ...`);
  await generateCsv(big, BIG_ROWS);
  const load = [loadavg()[0]];
  const r = timeCommand(mlpipe(big));
  load.push(loadavg()[0]);
  const result = {
    name: 'validate-csv-5m-memory',
    description: `mlpipe validate on ${BIG_ROWS} rows (${(statSync(big).size / 1e6).toFixed(0)} MB CSV): peak RSS must stay under 300 MB`,
    date: new Date().toISOString(),
    runs: 1,
    commands: { mlpipe: mlpipe(big).join(' ') },
    median_seconds: { mlpipe: r.seconds },
    median_rss_mib: { mlpipe: r.rssMiB },
    median_cpu_seconds: { mlpipe: r.cpuSeconds },
    load_average: load.map((l) => Number(l.toFixed(2))),
  };
  save(result);
  console.log(`${result.name}: ${r.seconds.toFixed(2)} s, ${r.cpuSeconds?.toFixed(2)} CPU-s, peak RSS ${r.rssMiB?.toFixed(0)} MiB, load ${result.load_average.join('-')}`);
}
