import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import type { ProgressOptions, ProgressReporter, ProgressTask } from '../core/progress.js';
import { formatBytes, formatDuration } from './format.js';

const require = createRequire(import.meta.url);
/** Redraws at most this often: a tick per file of a 10,000-file add must not format 10,000 payloads. */
const REDRAW_MS = 100;

/**
 * Progress bars on stderr with counts, bytes, rate and ETA. Drawn only when stderr is a TTY and the
 * user did not ask for --quiet (the caller decides; see createProgress). Never touches stdout, so it
 * cannot corrupt --json output.
 */
class TtyTask implements ProgressTask {
  private readonly bar: cliProgress.SingleBar;
  private units = 0;
  private bytes = 0;
  private totalBytes: number | undefined;
  private readonly started = Date.now();
  private finished = false;
  private text = '';
  private drawn = 0;

  constructor(
    private readonly label: string,
    private readonly options: ProgressOptions,
  ) {
    this.totalBytes = options.totalBytes;
    // Loaded on first use: only a TTY run draws bars, and the module costs start-up time.
    const { SingleBar, Presets } = require('cli-progress') as typeof cliProgress;
    this.bar = new SingleBar(
      {
        stream: process.stderr,
        format: '{label} {bar} {percentage}% | {value}/{total} {unit}{bytes} | {rate} | ETA {eta_h} {status}',
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    this.bar.start(options.total ?? 0, 0, this.payload());
  }

  private payload(): Record<string, string> {
    const seconds = Math.max((Date.now() - this.started) / 1000, 1e-3);
    const unit = this.options.unit ?? 'items';
    const rate =
      this.totalBytes !== undefined || this.bytes > 0
        ? `${formatBytes(this.bytes / seconds)}/s`
        : `${(this.units / seconds).toFixed(1)} ${unit}/s`;
    const bytes =
      this.totalBytes !== undefined
        ? ` | ${formatBytes(this.bytes)}/${formatBytes(this.totalBytes)}`
        : this.bytes > 0
          ? ` | ${formatBytes(this.bytes)}`
          : '';
    return { label: this.label, unit, bytes, rate, status: this.text, eta_h: this.eta() };
  }

  private eta(): string {
    const total = this.bar.getTotal();
    if (!total || this.units === 0) return '?';
    const elapsed = (Date.now() - this.started) / 1000;
    return formatDuration((elapsed / this.units) * (total - this.units));
  }

  tick(units = 1, bytes = 0): void {
    this.units += units;
    this.bytes += bytes;
    const now = Date.now();
    if (now - this.drawn < REDRAW_MS) return;
    this.drawn = now;
    this.bar.update(this.units, this.payload());
  }

  setTotal(units: number, bytes?: number): void {
    if (bytes !== undefined) this.totalBytes = bytes;
    this.bar.setTotal(units);
    this.bar.update(this.units, this.payload());
  }

  status(text: string): void {
    this.text = text;
    this.bar.update(this.units, this.payload());
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.bar.update(this.units, this.payload());
    this.bar.stop();
  }
}

export function createProgress(enabled: boolean): ProgressReporter | undefined {
  if (!enabled) return undefined;
  return { task: (label, options = {}) => new TtyTask(label, options) };
}
