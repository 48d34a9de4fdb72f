// Fills the `runs` mirror with BENCH_RUNS rows (many sharing one created_at, as a busy schedule
// makes them) and pages through all of them with the API's keyset cursor, timing each page; then
// times the dashboard, the repository list and /metrics, which read the whole table.
// Run with `npx tsx bench/run-listing.ts`; DATABASE_URL uses an existing server instead of an
// embedded one.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { ulid } from 'ulid';
import { ensureDefaultAdmin } from '../api/auth/default-admin';
import { buildServer } from '../api/server';
import { loadConfig } from '../core/config';
import { openDatabase } from '../core/db/database';
import { migrateToLatest } from '../core/db/migrate';
import { createLogger } from '../core/logger';
import { SecretBox } from '../core/secrets/secret-box';
import { startEmbeddedPostgres } from '../stack/embedded-postgres';
import { freePort } from '../tests/helpers/ports';
import { signIn, summarize, timed } from './support';

const RUN_COUNT = Number(process.env.BENCH_RUNS ?? 100_000);
const PAGE_LIMIT = 200;
const RUNS_PER_SECOND = 7;

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'borgflow-runs-bench-'));
  const logger = createLogger({ level: 'warn', name: 'bench', pretty: false });
  const postgres = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: workDir, port: await freePort(), logger });
  const database = openDatabase(process.env.DATABASE_URL ?? postgres!.url, { maxConnections: 5 });
  try {
    await migrateToLatest(database);
    const config = loadConfig({ DATA_DIR: workDir, REPOSITORY_ROOTS: workDir, LOG_LEVEL: 'warn' });
    const repositoryId = ulid();
    await database.db
      .insertInto('repositories')
      .values({
        id: repositoryId,
        name: 'bench',
        location: path.join(workDir, 'repository'),
        encryption: 'none',
      })
      .execute();
    const fillSeconds = await timed(async () => {
      await sql`
        insert into runs (id, kind, status, trigger, repository_id, created_at, started_at,
                          finished_at)
        select 'check-' || ${repositoryId} || '-' || lpad(n::text, 26, '0'), 'check',
               'succeeded', 'schedule', ${repositoryId}, at, at,
               at + (n % 3600) * interval '1 second'
        from generate_series(1, ${RUN_COUNT}) as n,
             lateral (
               select timestamptz '2026-01-01'
                      + ((n / ${RUNS_PER_SECOND}) * interval '1 second') as at
             ) as t
      `.execute(database.db);
      await sql`analyze runs`.execute(database.db);
    });
    console.log(`${RUN_COUNT} runs written in ${fillSeconds.toFixed(1)} s`);

    await ensureDefaultAdmin(database.db, config, logger);
    const app = await buildServer({
      config,
      logger,
      db: database.db,
      sql: database.sql,
      secrets: new SecretBox(randomBytes(32)),
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    });
    await app.ready();
    const headers = await signIn(app);

    for (const filter of ['', `&repositoryId=${repositoryId}&status=succeeded`]) {
      const durations: number[] = [];
      let seen = 0;
      let cursor: string | null = null;
      do {
        const page: string = cursor ? `&cursor=${cursor}` : '';
        const started = performance.now();
        const response = await app.inject({
          method: 'GET',
          url: `/api/runs?limit=${PAGE_LIMIT}${filter}${page}`,
          headers,
        });
        durations.push(performance.now() - started);
        if (response.statusCode !== 200) throw new Error(`listing failed: ${response.body}`);
        const body = response.json<{ runs: unknown[]; nextCursor: string | null }>();
        seen += body.runs.length;
        cursor = body.nextCursor;
      } while (cursor);
      const label = filter ? 'filtered by repository and status' : 'unfiltered';
      console.log(
        `${durations.length} pages of ${PAGE_LIMIT} (${seen} runs, ${label}): ${summarize(durations)}`,
      );
    }

    // Pages that judge health or count durations over the whole table.
    for (const url of ['/api/dashboard', '/api/repositories', '/metrics']) {
      const durations: number[] = [];
      for (let round = 0; round < 20; round += 1) {
        const started = performance.now();
        const response = await app.inject({ method: 'GET', url, headers });
        durations.push(performance.now() - started);
        if (response.statusCode !== 200) throw new Error(`${url} failed: ${response.body}`);
      }
      console.log(`20 × GET ${url} over ${RUN_COUNT} runs: ${summarize(durations)}`);
    }
    await app.close();
  } finally {
    await database.close();
    await postgres?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
