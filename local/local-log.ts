import { LOCAL_SETTINGS, type SettingValue } from '../lambdas/settings';
import { settingsFromEnvironment } from '../lambdas/shared/setting-values';
import type { FunctionObserver, InvocationReport } from './lambda/local-function';

/**
 * What local mode prints and keeps. Functions log structured JSON, as deployed (Powertools Logger, and EMF
 * records for metrics); locally the console shows one compact line per request plus the functions' warnings and
 * errors, in a line each. `GUICHET_LOCAL_LOG=json` prints the functions' records as they are, `quiet` nothing.
 * Everything is also kept in memory (the most recent records), where the tests read logs and metrics.
 */
export type ConsoleMode = SettingValue<typeof LOCAL_SETTINGS.guichetLocalLog>;

export interface FunctionLogRecord {
  readonly functionId: string;
  readonly line: string;
  /** The record, when the line is JSON. */
  readonly json?: Readonly<Record<string, unknown>>;
}

export interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
}

const KEPT = 5000;
const QUIET_LEVELS = new Set(['DEBUG', 'INFO', 'TRACE']);

/** GUICHET_LOCAL_LOG's mode, given its value. */
export function consoleModeFrom(value: string | undefined): ConsoleMode {
  const setting = LOCAL_SETTINGS.guichetLocalLog;
  const { values, problems } = settingsFromEnvironment({ guichetLocalLog: setting }, { [setting.envVar]: value });
  if (problems.length > 0) throw new Error(problems.join('; '));
  return values.guichetLocalLog as ConsoleMode;
}

export class LocalLog implements FunctionObserver {
  /** The last request line printed, and how many identical ones followed it unprinted. */
  private lastRequest = { text: '', repeats: 0 };
  readonly records: FunctionLogRecord[] = [];
  /** Embedded-metric-format records, as CloudWatch would receive them. */
  readonly metrics: Readonly<Record<string, unknown>>[] = [];
  readonly reports: InvocationReport[] = [];

  constructor(
    private readonly mode: ConsoleMode,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  log(functionId: string, line: string): void {
    const json = parseRecord(line);
    if (json && '_aws' in json) {
      keep(this.metrics, json);
      return;
    }
    keep(this.records, { functionId, line, json });
    if (this.mode === 'json') this.write(`${line}\n`);
    else if (this.mode === 'compact' && !(json && QUIET_LEVELS.has(String(json.level)))) {
      this.flushRepeats();
      this.lastRequest.text = '';
      this.write(`${clock()} ${functionId} ${compact(line, json)}\n`);
    }
  }

  report(report: InvocationReport): void {
    keep(this.reports, report);
  }

  /** One line per request; a run of identical requests (a page polling) is folded into a count. */
  request(line: RequestLine): void {
    if (this.mode === 'quiet') return;
    const text = `${line.method} ${line.path} ${line.status}`;
    if (text === this.lastRequest.text) {
      this.lastRequest.repeats += 1;
      return;
    }
    this.flushRepeats();
    this.lastRequest = { text, repeats: 0 };
    this.write(`${clock()} ${text} ${line.ms} ms\n`);
  }

  private flushRepeats(): void {
    if (this.lastRequest.repeats > 0) this.write(`${clock()} (${this.lastRequest.text} ${this.lastRequest.repeats} more times)\n`);
    this.lastRequest.repeats = 0;
  }

  /** Something local mode itself has to say (a start step, a warning). */
  notice(text: string): void {
    if (this.mode === 'quiet') return;
    this.flushRepeats();
    this.write(`${clock()} ${text}\n`);
  }
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `ERROR request failed code=server_error error=TypeError: …`: level, message, then the other fields. */
function compact(line: string, json: Record<string, unknown> | undefined): string {
  if (!json) return line;
  const { level, message, error, ...rest } = json;
  const fields = Object.entries(rest)
    .filter(
      ([name]) =>
        ![
          'timestamp',
          'service',
          'cold_start',
          'function_arn',
          'function_memory_size',
          'function_name',
          'function_request_id',
          'sampling_rate',
          'xray_trace_id',
        ].includes(name),
    )
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const failure =
    error && typeof error === 'object' ? `${(error as { name?: string }).name}: ${(error as { message?: string }).message}` : undefined;
  return [level, message, ...fields, failure && `error=${failure}`].filter(Boolean).join(' ');
}

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}

function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > KEPT) list.splice(0, list.length - KEPT);
}
