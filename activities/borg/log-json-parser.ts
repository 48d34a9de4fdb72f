// Borg's `--log-json` writes one JSON object per stderr line; the shapes are documented at
// https://borgbackup.readthedocs.io/en/1.2-maintenance/internals/frontends.html#logging

export interface ArchiveProgressEvent {
  type: 'archive_progress';
  originalBytes: number;
  compressedBytes: number;
  deduplicatedBytes: number;
  files: number;
  path: string;
  isFinished: boolean;
}

export interface ProgressPercentEvent {
  type: 'progress_percent';
  msgid?: string;
  message?: string;
  current?: number;
  total?: number;
  isFinished: boolean;
}

export interface ProgressMessageEvent {
  type: 'progress_message';
  msgid?: string;
  message?: string;
  isFinished: boolean;
}

export interface FileStatusEvent {
  type: 'file_status';
  /** Borg's one-letter status: `A` added, `M` modified, `U` unchanged, `E` error, `d` directory... */
  status: string;
  path: string;
}

export interface LogMessageEvent {
  type: 'log_message';
  levelname: string;
  /** Python logger name, e.g. `borg.archiver` or `borg.output.list`. */
  name: string;
  msgid?: string;
  message: string;
}

export type QuestionEventType =
  | 'question_prompt'
  | 'question_prompt_retry'
  | 'question_invalid_answer'
  | 'question_accepted_default'
  | 'question_accepted_true'
  | 'question_accepted_false'
  | 'question_env_answer';

export interface QuestionEvent {
  type: QuestionEventType;
  msgid?: string;
  message?: string;
}

/** A line that is not JSON, or JSON of a type this parser does not know. */
export interface UnparsedEvent {
  type: 'unparsed';
}

type BorgLogEventBody =
  | ArchiveProgressEvent
  | ProgressPercentEvent
  | ProgressMessageEvent
  | FileStatusEvent
  | LogMessageEvent
  | QuestionEvent
  | UnparsedEvent;

/** One parsed stderr line; `line` keeps the raw text. */
export type BorgLogEvent = BorgLogEventBody & { line: string };

type ParsedEventBody = Exclude<BorgLogEventBody, UnparsedEvent>;

type JsonObject = Record<string, unknown>;

const QUESTION_TYPES = new Set<unknown>([
  'question_prompt',
  'question_prompt_retry',
  'question_invalid_answer',
  'question_accepted_default',
  'question_accepted_true',
  'question_accepted_false',
  'question_env_answer',
]);

/** Turns one stderr line of borg into an event; never throws. */
export function parseBorgLogLine(line: string): BorgLogEvent {
  const json = parseJsonObject(line);
  if (!json) return { type: 'unparsed', line };

  const event = toEvent(json);
  return event ? { ...event, line } : { type: 'unparsed', line };
}

function parseJsonObject(line: string): JsonObject | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function toEvent(json: JsonObject): ParsedEventBody | undefined {
  const type = json.type;
  switch (type) {
    case 'archive_progress':
      return toArchiveProgress(json);
    case 'progress_percent':
      return {
        type,
        msgid: text(json.msgid),
        message: text(json.message),
        current: number(json.current),
        total: number(json.total),
        isFinished: json.finished === true,
      };
    case 'progress_message':
      return {
        type,
        msgid: text(json.msgid),
        message: text(json.message),
        isFinished: json.finished === true,
      };
    case 'file_status':
      return { type, status: text(json.status) ?? '', path: text(json.path) ?? '' };
    case 'log_message':
      return toLogMessage(json);
  }
  if (QUESTION_TYPES.has(type)) {
    return {
      type: type as QuestionEventType,
      msgid: text(json.msgid),
      message: text(json.message),
    };
  }
  return undefined;
}

function toArchiveProgress(json: JsonObject): ArchiveProgressEvent {
  return {
    type: 'archive_progress',
    originalBytes: number(json.original_size) ?? 0,
    compressedBytes: number(json.compressed_size) ?? 0,
    deduplicatedBytes: number(json.deduplicated_size) ?? 0,
    files: number(json.nfiles) ?? 0,
    path: text(json.path) ?? '',
    isFinished: json.finished === true,
  };
}

function toLogMessage(json: JsonObject): LogMessageEvent {
  return {
    type: 'log_message',
    levelname: text(json.levelname) ?? 'INFO',
    name: text(json.name) ?? '',
    msgid: text(json.msgid),
    message: text(json.message) ?? '',
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The event as a line of a run's log, or undefined for progress, which the run's progress already
 * shows and which would otherwise fill the log with a line every fraction of a second.
 */
export function logLineOf(event: BorgLogEvent): string | undefined {
  switch (event.type) {
    case 'archive_progress':
    case 'progress_percent':
    case 'progress_message':
      return undefined;
    case 'file_status':
      return `${event.status} ${event.path}`;
    case 'log_message':
      return event.levelname === 'INFO' ? event.message : `${event.levelname} ${event.message}`;
    case 'unparsed':
      return event.line;
    default:
      return event.message ?? event.line;
  }
}
