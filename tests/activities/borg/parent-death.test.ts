import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { supervisedArgv } from '../../../activities/borg/borg-process';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from './fixtures';

const makeDir = useTempDirs('borg-parent-death-');

// Counts the SIGINTs it receives for two seconds, as borg would see them, then writes the count.
const COUNT_SIGINTS = `
import signal, sys, time
count = 0
def on_sigint(number, frame):
    global count
    count += 1
signal.signal(signal.SIGINT, on_sigint)
open(sys.argv[1] + '.started', 'w').close()
deadline = time.time() + 2
while time.time() < deadline:
    time.sleep(0.01)
open(sys.argv[1], 'w').write(str(count))
`;

// A Node process with busy threads starts the command, then is killed outright. Busy pool threads
// (as in a worker doing real work) die a little after the main thread, and each one the command
// is handed to on the way sends it another parent-death signal.
const SPAWN_THEN_DIE = `
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pbkdf2 } from 'node:crypto';
const [marker, ...argv] = process.argv.slice(1);
for (let i = 0; i < 4; i++) pbkdf2(marker, 'salt', 50_000_000, 64, 'sha512', () => {});
spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: true });
const timer = setInterval(() => {
  if (existsSync(marker + '.started')) process.kill(process.pid, 'SIGKILL');
}, 10);
setTimeout(() => clearInterval(timer), 10_000);
`;

async function sigintsAfterParentDeath(): Promise<number> {
  const countFile = path.join(await makeDir('count'), 'sigints');
  const argv = supervisedArgv(['python3', '-c', COUNT_SIGINTS, countFile]);
  await execa('node', ['--input-type=module', '-e', SPAWN_THEN_DIE, countFile, ...argv], {
    reject: false,
  });
  expect(await waitFor(() => existsSync(countFile), 10_000)).toBe(true);
  return Number(await readFile(countFile, 'utf8'));
}

describe('borg when the worker dies', () => {
  it('gets exactly one SIGINT, the one that makes borg 1.2 write a checkpoint', async () => {
    // Run a few times: how many threads the dying worker hands borg through varies.
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await sigintsAfterParentDeath()).toBe(1);
    }
  });
});
