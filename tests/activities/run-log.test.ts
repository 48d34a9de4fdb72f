import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunLog, MAX_LINES_PER_LOG } from '../../activities/run-log';
import { createLogger } from '../../core/logger';
import { createTestDatabase } from '../helpers/database';

describe('run log in PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const logger = createLogger({ level: 'silent', name: 'run-log-test', pretty: false });

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.close();
  });

  async function newRun(): Promise<string> {
    const id = `backup-${ulid()}`;
    await database.db
      .insertInto('runs')
      .values({ id, kind: 'backup', trigger: 'manual', status: 'running' })
      .execute();
    return id;
  }

  async function linesOf(runId: string): Promise<string[]> {
    const rows = await database.db
      .selectFrom('run_log_lines')
      .select('line')
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    return rows.map((row) => row.line);
  }

  it('keeps lines in the order written, joining text split mid-line', async () => {
    const runId = await newRun();
    const log = createRunLog(database.db, runId, logger);

    log.write('$ borg create\nfirst ');
    log.write('half\nsecond\nunfinished');
    expect(await linesOf(runId)).toEqual([]);
    await log.flush();

    expect(await linesOf(runId)).toEqual(['$ borg create', 'first half', 'second', 'unfinished']);
  });

  it('writes on its own about a second after the last write, without a flush', async () => {
    const runId = await newRun();
    const log = createRunLog(database.db, runId, logger);

    log.write('live line\n');
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(await linesOf(runId)).toEqual(['live line']);
  });

  it('stops at the line limit and says so', async () => {
    const runId = await newRun();
    const log = createRunLog(database.db, runId, logger);

    log.write(Array.from({ length: MAX_LINES_PER_LOG + 500 }, (_, i) => `line ${i}\n`).join(''));
    await log.flush();

    const lines = await linesOf(runId);
    expect(lines).toHaveLength(MAX_LINES_PER_LOG + 1);
    expect(lines[MAX_LINES_PER_LOG - 1]).toBe(`line ${MAX_LINES_PER_LOG - 1}`);
    expect(lines.at(-1)).toMatch(/the rest is left out/);
  });

  it('loses a log it cannot write without throwing', async () => {
    const log = createRunLog(database.db, 'no-such-run', logger);

    log.write('orphan line\n');

    await expect(log.flush()).resolves.toBeUndefined();
  });
});
