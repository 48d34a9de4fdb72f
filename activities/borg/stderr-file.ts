import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_INTERVAL_MS = 100;
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * A private file that receives borg's standard error in place of a pipe. A pipe breaks when the
 * worker dies, and borg 1.2 prints its progress lines with a plain `print`, so the first line
 * after the worker's death would kill borg with a BrokenPipeError before the SIGINT from
 * pdeathsig gets to write its checkpoint. A file outlives the worker.
 */
export interface StderrFile {
  /** Write descriptor handed to borg as its fd 2. */
  fd: number;
  /**
   * Calls `onLine` for every complete line borg writes, until `hasExited()` is true and the
   * file holds nothing more to read.
   */
  follow(onLine: (line: string) => void, hasExited: () => boolean): Promise<void>;
  /** Closes both ends and removes the file. */
  dispose(): Promise<void>;
}

export async function openStderrFile(): Promise<StderrFile> {
  const dir = await mkdtemp(path.join(tmpdir(), 'borgflow-borg-'));
  const file = path.join(dir, 'stderr');
  let writer: FileHandle | undefined;
  let reader: FileHandle | undefined;
  try {
    writer = await open(file, 'a', 0o600);
    reader = await open(file, 'r');
  } catch (error) {
    await writer?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const readHandle = reader;
  const writeHandle = writer;

  return {
    fd: writeHandle.fd,
    follow: (onLine, hasExited) => followLines(readHandle, onLine, hasExited),
    dispose: async () => {
      await Promise.allSettled([writeHandle.close(), readHandle.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function followLines(
  reader: FileHandle,
  onLine: (line: string) => void,
  hasExited: () => boolean,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(READ_CHUNK_BYTES);
  let position = 0;
  let pending = '';
  for (;;) {
    // Read the exit flag before reading: whatever borg wrote before it exited is then in the file.
    const isLastPass = hasExited();
    const { bytesRead } = await reader.read(buffer, 0, buffer.length, position);
    if (bytesRead > 0) {
      position += bytesRead;
      const lines = (pending + decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
      continue;
    }
    if (isLastPass) break;
    await sleep(POLL_INTERVAL_MS);
  }
  const rest = pending + decoder.end();
  if (rest) onLine(rest);
}
