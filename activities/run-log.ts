import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import type { Logger } from '../core/logger';
import type { BorgLogSink } from './borg';

/** Lines are written in batches at most this far apart, so the UI's live log lags by ~1 s. */
const FLUSH_INTERVAL_MS = 1000;
const ROWS_PER_INSERT = 1000;
/**
 * One command rarely prints more than a few hundred lines; a backup of a million unreadable files
 * would print a million. Past this many, the log keeps a note instead of the rest; the run's
 * warnings and error still carry what matters.
 */
export const MAX_LINES_PER_LOG = 10_000;

/**
 * Appends text to a run's log in PostgreSQL. Writing never throws and never waits: a log that
 * cannot be written costs a warning, not the backup. `flush` writes what is buffered.
 */
export function createRunLog(db: Kysely<Database>, runId: string, logger: Logger): BorgLogSink {
  let pending: string[] = [];
  let partialLine = '';
  let lineCount = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  function accept(line: string): void {
    lineCount += 1;
    if (lineCount <= MAX_LINES_PER_LOG) pending.push(line);
    else if (lineCount === MAX_LINES_PER_LOG + 1) {
      pending.push(`[Borgflow keeps ${MAX_LINES_PER_LOG} lines per command; the rest is left out]`);
    }
  }

  function scheduleFlush(): void {
    timer ??= setTimeout(() => void flush(), FLUSH_INTERVAL_MS);
    timer.unref();
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const lines = pending;
    pending = [];
    // One insert at a time keeps the lines in the order they were written.
    writing = writing.then(() => insert(lines));
    return writing;
  }

  async function insert(lines: string[]): Promise<void> {
    try {
      for (let start = 0; start < lines.length; start += ROWS_PER_INSERT) {
        const rows = lines
          .slice(start, start + ROWS_PER_INSERT)
          .map((line) => ({ run_id: runId, line }));
        await db.insertInto('run_log_lines').values(rows).execute();
      }
    } catch (error) {
      logger.warn({ runId, err: error, lines: lines.length }, 'run log lines lost');
    }
  }

  return {
    write(text) {
      const lines = (partialLine + text).split('\n');
      partialLine = lines.pop() ?? '';
      lines.forEach(accept);
      if (pending.length > 0) scheduleFlush();
    },
    flush() {
      if (partialLine) {
        accept(partialLine);
        partialLine = '';
      }
      return flush();
    },
  };
}
