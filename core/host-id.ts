import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A stable identity for this worker host, kept in `DATA_DIR/host-id`. Borg records it in its
 * repository locks (`BORG_HOST_ID`), which is how it can tell a stale lock of a dead process on
 * this host from a lock held by another machine.
 */
export async function loadHostId(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'host-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const hostname = os.hostname().replace(/[^\w.-]/g, '-');
  const hostId = `${hostname}@${randomBytes(6).toString('hex')}`;
  await writeFile(file, hostId + '\n', { flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );

  return (await readFile(file, 'utf8')).trim();
}
