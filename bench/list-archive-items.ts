// Streams the items of a 1,000,000-item archive through listArchiveItems and reports the rate and
// how much the worker's resident memory grows. Run with `npx tsx bench/list-archive-items.ts`.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { initRepository, listArchiveItems, type BorgRepository } from '../activities/borg';

const ITEM_COUNT = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const FILES_PER_DIRECTORY = 1000;
const TAR_BLOCK = 512;
const HEADERS_PER_CHUNK = 2048;
const RSS_SAMPLE_INTERVAL_MS = 100;
const MEBIBYTE = 1024 * 1024;

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'borgflow-bench-'));
  try {
    const repository: BorgRepository = {
      target: { location: path.join(workDir, 'repository'), passphrase: randomUUID() },
      environment: { baseDir: path.join(workDir, 'base'), hostId: `bench@${randomUUID()}` },
    };
    await initRepository(repository);

    const buildSeconds = await timed(() => importEmptyFiles(repository));
    console.log(`archive with ${ITEM_COUNT} items built in ${buildSeconds.toFixed(1)} s`);

    await measureListing(repository);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Feeds `borg import-tar` a tar stream of empty files, generated while borg reads it. */
async function importEmptyFiles({ target, environment }: BorgRepository): Promise<void> {
  await execa('borg', ['import-tar', '--compression', 'lz4', `${target.location}::bench`, '-'], {
    extendEnv: false,
    env: {
      PATH: process.env.PATH,
      HOME: environment.baseDir,
      BORG_BASE_DIR: environment.baseDir,
      BORG_HOST_ID: environment.hostId,
      BORG_PASSPHRASE_FD: '3',
    },
    stdio: [
      tarOfEmptyFiles(ITEM_COUNT),
      'inherit',
      'inherit',
      Buffer.from(target.passphrase ?? ''),
    ],
  });
}

function* tarOfEmptyFiles(count: number): Generator<Buffer> {
  for (let first = 0; first < count; first += HEADERS_PER_CHUNK) {
    const headers = Math.min(HEADERS_PER_CHUNK, count - first);
    const chunk = Buffer.alloc(headers * TAR_BLOCK);
    for (let offset = 0; offset < headers; offset++) {
      writeFileHeader(chunk.subarray(offset * TAR_BLOCK), first + offset);
    }
    yield chunk;
  }
  yield Buffer.alloc(2 * TAR_BLOCK);
}

// A POSIX ustar header for an empty regular file, see `man 5 tar`.
function writeFileHeader(block: Buffer, index: number): void {
  const directory = Math.floor(index / FILES_PER_DIRECTORY);
  block.write(`data/d${directory}/file-${index}`, 0, 100, 'ascii');
  block.write('0000644\0', 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  block.write('00000000000\0', 124, 'ascii');
  block.write('14700000000\0', 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write('0', 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  block.write('root', 265, 'ascii');
  block.write('root', 297, 'ascii');
  const checksum = block.subarray(0, TAR_BLOCK).reduce((sum, byte) => sum + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
}

async function measureListing(repository: BorgRepository): Promise<void> {
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, RSS_SAMPLE_INTERVAL_MS);

  let items = 0;
  const seconds = await timed(async () => {
    for await (const item of listArchiveItems(repository, { archiveName: 'bench' })) {
      if (item.path) items++;
    }
  });
  clearInterval(sampler);

  const growthMiB = (peakRss - baselineRss) / MEBIBYTE;
  console.log(
    `listed ${items} items in ${seconds.toFixed(1)} s: ${Math.round(items / seconds)} items/s`,
  );
  console.log(
    `worker RSS: baseline ${(baselineRss / MEBIBYTE).toFixed(0)} MiB, peak ${(peakRss / MEBIBYTE).toFixed(0)} MiB, growth ${growthMiB.toFixed(1)} MiB`,
  );
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();

  await work();

  return (performance.now() - started) / 1000;
}

await main();
