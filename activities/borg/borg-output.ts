import { parseBorgLogLine, type BorgLogEvent } from './log-json-parser';
import type { BorgProgress, BorgWarning } from './types';

// Enough of borg's recent words to find ssh's explanation of a failure behind a long traceback.
const MAX_DIAGNOSTIC_CHARS = 64 * 1024;

const ERROR_LEVELS = new Set(['ERROR', 'CRITICAL']);

// A backup of a broken disk can warn about millions of files; the first ones tell the story.
const MAX_WARNINGS = 1000;

// Borg names the file first in per-file warnings, e.g. "src/a: [Errno 2] No such file...".
const FILE_WARNING = /^(.+?): (?:\[Errno \d+\]|stat: |open: |read: |file changed while)/;

/** Collects what one borg run prints on stderr: progress, warnings, error ids and a tail. */
export class BorgOutput {
  readonly warnings: BorgWarning[] = [];
  readonly msgids: string[] = [];
  readonly errorMessages: string[] = [];
  readonly infoMessages: string[] = [];
  /** Messages of borg's `borg.output.*` loggers, e.g. the archives `prune --list` names. */
  readonly listings: string[] = [];
  private diagnostics = '';
  private progress: BorgProgress = emptyProgress();
  private lastRateSample = { bytes: 0, atMs: Date.now() };
  private readonly failedPaths = new Set<string>();

  /** Parses and records one line; returns the event for callers that forward it. */
  accept(line: string): BorgLogEvent {
    const event = parseBorgLogLine(line);
    this.record(event);
    return event;
  }

  /** Latest progress, with the byte rate measured since the previous call. */
  sampleProgress(nowMs = Date.now()): BorgProgress {
    const elapsedSeconds = (nowMs - this.lastRateSample.atMs) / 1000;
    const bytes = this.progress.originalBytes;
    if (elapsedSeconds > 0) {
      this.progress.bytesPerSecond = Math.max(
        0,
        (bytes - this.lastRateSample.bytes) / elapsedSeconds,
      );
      this.lastRateSample = { bytes, atMs: nowMs };
    }
    return { ...this.progress };
  }

  /** Adds what a helper such as ssh reported outside borg's own output. */
  addDiagnostic(text: string): void {
    if (text.trim()) this.appendDiagnostic(text);
  }

  /** Borg's recent messages as a person would read them. */
  get text(): string {
    return this.diagnostics;
  }

  private record(event: BorgLogEvent): void {
    switch (event.type) {
      case 'archive_progress':
        if (!event.isFinished) this.recordArchiveProgress(event);
        return;
      case 'progress_percent':
        this.progress.percent = event.total
          ? (100 * (event.current ?? 0)) / event.total
          : undefined;
        this.progress.message = event.message;
        return;
      case 'progress_message':
        this.progress.message = event.message;
        return;
      case 'file_status':
        if (event.status === 'E') this.failedPaths.add(event.path);
        return;
      case 'log_message':
        this.recordLogMessage(event.levelname, event.name, event.message, event.msgid);
        return;
      case 'unparsed':
        this.appendDiagnostic(event.line);
        return;
      default:
        if (event.message) this.appendDiagnostic(event.message);
    }
  }

  private recordArchiveProgress(event: Extract<BorgLogEvent, { type: 'archive_progress' }>) {
    this.progress.originalBytes = event.originalBytes;
    this.progress.compressedBytes = event.compressedBytes;
    this.progress.deduplicatedBytes = event.deduplicatedBytes;
    this.progress.files = event.files;
    this.progress.currentPath = event.path;
  }

  private recordLogMessage(level: string, name: string, message: string, msgid?: string) {
    if (name.startsWith('borg.output.')) {
      this.listings.push(message);
      return;
    }
    if (ERROR_LEVELS.has(level)) this.recordError(message, msgid);
    if (level === 'WARNING' && this.warnings.length < MAX_WARNINGS) {
      this.warnings.push(this.toWarning(message));
    }
    if (level === 'INFO') this.infoMessages.push(message);
    this.appendDiagnostic(message);
  }

  private recordError(message: string, msgid: string | undefined): void {
    if (msgid) this.msgids.push(msgid);
    this.errorMessages.push(message);
  }

  private toWarning(message: string): BorgWarning {
    const path = FILE_WARNING.exec(message)?.[1];
    if (path) return { message, path };

    const failedPath = [...this.failedPaths].find((candidate) => message.startsWith(candidate));
    return failedPath ? { message, path: failedPath } : { message };
  }

  private appendDiagnostic(text: string): void {
    this.diagnostics += `${text.trimEnd()}\n`;
    if (this.diagnostics.length > MAX_DIAGNOSTIC_CHARS) {
      this.diagnostics = this.diagnostics.slice(-MAX_DIAGNOSTIC_CHARS);
    }
  }
}

function emptyProgress(): BorgProgress {
  return {
    originalBytes: 0,
    compressedBytes: 0,
    deduplicatedBytes: 0,
    files: 0,
    currentPath: '',
    bytesPerSecond: 0,
  };
}
