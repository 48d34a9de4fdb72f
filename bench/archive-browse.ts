// Builds a 1,000,000-item archive, indexes it through the real `indexArchiveItems` activity into
// a real PostgreSQL, then times 200 directory listings and 60 whole-archive name searches through
// the API (`app.inject`) and prints the median and 95th percentile of each.
// Run with `npx tsx bench/archive-browse.ts`; BENCH_ITEMS changes the archive size, DATABASE_URL
// uses an existing server instead of an embedded one.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { ulid } from 'ulid';
import { createArchiveIndexActivities } from '../activities/archive-index';
import { initRepository, listArchives, type BorgRepository } from '../activities/borg';
import { borgBaseDir } from '../activities/repository-access';
import { ensureDefaultAdmin } from '../api/auth/default-admin';
import { buildServer } from '../api/server';
import { loadConfig } from '../core/config';
import { openDatabase } from '../core/db/database';
import { migrateToLatest } from '../core/db/migrate';
import { createLogger } from '../core/logger';
import { secretContexts } from '../core/secrets/contexts';
import { SecretBox } from '../core/secrets/secret-box';
import { startEmbeddedPostgres } from '../stack/embedded-postgres';
import { freePort } from '../tests/helpers/ports';
import { signIn, summarize, timed } from './support';

const ITEM_COUNT = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const FILES_PER_DIRECTORY = 1000;
const LISTINGS = 200;
const SEARCHES_PER_KIND = 20;
const PAGE_LIMIT = 200;
const ARCHIVE = 'bench';
const TAR_BLOCK = 512;
const HEADERS_PER_CHUNK = 4096;

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'borgflow-browse-bench-'));
  const logger = createLogger({ level: 'warn', name: 'bench', pretty: false });
  const postgres = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: workDir, port: await freePort(), logger });
  const database = openDatabase(process.env.DATABASE_URL ?? postgres!.url, { maxConnections: 5 });
  try {
    await migrateToLatest(database);
    const config = loadConfig({ DATA_DIR: workDir, REPOSITORY_ROOTS: workDir, LOG_LEVEL: 'warn' });
    const secrets = new SecretBox(randomBytes(32));
    const hostId = `bench@${randomUUID()}`;
    const passphrase = randomUUID();
    const repositoryId = ulid();
    const repository: BorgRepository = {
      target: { location: path.join(workDir, 'repository'), passphrase },
      environment: { baseDir: borgBaseDir(workDir), hostId },
    };
    await initRepository(repository);
    const buildSeconds = await timed(() => importEmptyFiles(repository));
    console.log(`archive with ${ITEM_COUNT} items built in ${buildSeconds.toFixed(1)} s`);

    const [archive] = await listArchives(repository);
    await database.db
      .insertInto('repositories')
      .values({
        id: repositoryId,
        name: 'bench',
        location: repository.target.location,
        encryption: 'repokey-blake2',
        passphrase_secret: secrets.encrypt(
          passphrase,
          secretContexts.repositoryPassphrase(repositoryId),
        ),
        pending_passphrase_secret: null,
        key_escrow_secret: null,
        ssh_key_id: null,
        remote_path: null,
        upload_rate_limit_kbps: null,
        host_key_fingerprint: null,
      })
      .execute();
    await database.db
      .insertInto('archives')
      .values({
        repository_id: repositoryId,
        name: ARCHIVE,
        borg_id: archive.id,
        started_at: archive.start,
      })
      .execute();

    // Nothing here talks to Temporal: a lazy connection that is never used satisfies the types.
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const activities = createArchiveIndexActivities({
      db: database.db,
      config,
      logger,
      secrets,
      hostId,
      temporal,
      borgVersion: null,
    });
    let itemCount = 0;
    const indexSeconds = await timed(async () => {
      const indexArchive = () =>
        activities.indexArchiveItems({ repositoryId, archiveName: ARCHIVE });
      const result = await new MockActivityEnvironment().run<
        [],
        { itemCount: number },
        typeof indexArchive
      >(indexArchive);
      itemCount = result.itemCount;
    });
    console.log(
      `indexed ${itemCount} items in ${indexSeconds.toFixed(1)} s: ${Math.round(itemCount / indexSeconds)} items/s`,
    );

    await ensureDefaultAdmin(database.db, config, logger);
    const app = await buildServer({
      config,
      logger,
      db: database.db,
      sql: database.sql,
      secrets,
      temporal,
    });
    await app.ready();
    const headers = await signIn(app);
    const durations = await timeListings(app, headers, repositoryId);

    console.log(`${LISTINGS} listings of ${PAGE_LIMIT} items: ${summarize(durations)}`);
    for (const [kind, name] of searchTexts()) {
      const searches = await timeSearches(app, headers, repositoryId, name);
      console.log(`${SEARCHES_PER_KIND} searches, ${kind}: ${summarize(searches)}`);
    }
    await app.close();
  } finally {
    await database.close();
    await postgres?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Directory listings a person would make: random directories, some pages deep via cursors. */
async function timeListings(
  app: Awaited<ReturnType<typeof buildServer>>,
  headers: Record<string, string>,
  repositoryId: string,
): Promise<number[]> {
  const directories = Math.ceil(ITEM_COUNT / FILES_PER_DIRECTORY);
  const base = `/api/repositories/${repositoryId}/archives/${ARCHIVE}/items`;
  const durations: number[] = [];
  for (let listing = 0; listing < LISTINGS; listing++) {
    const directory =
      listing % 10 === 0 ? 'data' : `data/d${Math.floor(Math.random() * directories)}`;
    let url = `${base}?path=${encodeURIComponent(directory)}&limit=${PAGE_LIMIT}`;
    // Every third listing continues from a cursor, as the UI does when scrolling.
    if (listing % 3 === 0) {
      const first = await app.inject({ method: 'GET', url, headers });
      const cursor = first.json<{ nextCursor: string | null }>().nextCursor;
      if (cursor) url += `&cursor=${cursor}`;
    }
    const started = performance.now();
    const response = await app.inject({ method: 'GET', url, headers });
    durations.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`listing failed: ${response.body}`);
  }
  return durations;
}

/**
 * Texts a person might search for: one that matches a page at once (the search stops early), one
 * that matches a single file and one that matches nothing (both read every row of the archive).
 */
function searchTexts(): [string, () => string][] {
  const random = () => Math.floor(Math.random() * ITEM_COUNT);
  return [
    ['many matches', () => `f${(random() % 9) + 1}`],
    // f + six digits stands in no other name (names run f0 to f999999).
    ['one match', () => `f${100_000 + (random() % 900_000)}`],
    ['no match', () => `missing-${random()}`],
  ];
}

async function timeSearches(
  app: Awaited<ReturnType<typeof buildServer>>,
  headers: Record<string, string>,
  repositoryId: string,
  nextText: () => string,
): Promise<number[]> {
  const base = `/api/repositories/${repositoryId}/archives/${ARCHIVE}/search`;
  const durations: number[] = [];
  for (let search = 0; search < SEARCHES_PER_KIND; search++) {
    const url = `${base}?name=${encodeURIComponent(nextText())}&limit=100`;
    const started = performance.now();
    const response = await app.inject({ method: 'GET', url, headers });
    durations.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`search failed: ${response.body}`);
  }
  return durations;
}

/** Feeds `borg import-tar` a generated tar stream of empty files: cheap to store, fast to build. */
async function importEmptyFiles({ target, environment }: BorgRepository): Promise<void> {
  await execa(
    'borg',
    ['import-tar', '--compression', 'lz4', `${target.location}::${ARCHIVE}`, '-'],
    {
      extendEnv: false,
      env: {
        PATH: process.env.PATH,
        HOME: environment.baseDir,
        BORG_BASE_DIR: environment.baseDir,
        BORG_HOST_ID: environment.hostId,
        BORG_PASSPHRASE_FD: '3',
      },
      stdio: ['pipe', 'inherit', 'inherit', Buffer.from(target.passphrase ?? '')],
      input: Buffer.concat([...emptyFileHeaders()]),
    },
  );
}

function* emptyFileHeaders(): Generator<Buffer> {
  for (let first = 0; first < ITEM_COUNT; first += HEADERS_PER_CHUNK) {
    const count = Math.min(HEADERS_PER_CHUNK, ITEM_COUNT - first);
    const chunk = Buffer.alloc(count * TAR_BLOCK);
    for (let offset = 0; offset < count; offset++) {
      const index = first + offset;
      const name = `data/d${Math.floor(index / FILES_PER_DIRECTORY)}/f${index}`;
      writeHeader(chunk.subarray(offset * TAR_BLOCK, (offset + 1) * TAR_BLOCK), name);
    }
    yield chunk;
  }
  yield Buffer.alloc(2 * TAR_BLOCK);
}

// ustar header of an empty regular file owned by root (see tar(5)); the checksum comes last.
function writeHeader(block: Buffer, name: string): void {
  const fields: [number, string][] = [
    [0, name],
    [100, '0000644\0'],
    [108, '0000000\0'],
    [116, '0000000\0'],
    [124, '00000000000\0'],
    [136, '15000000000\0'],
    [148, '        '],
    [156, '0'],
    [257, 'ustar\u000000'],
    [265, 'root'],
    [297, 'root'],
  ];
  for (const [offset, text] of fields) block.write(text, offset, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
}

await main();
