import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { decodeHistory } from '../../core/temporal/proto';
import { HISTORIES_DIR } from '../helpers/histories';

const WORKFLOWS = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

// Recorded runs replayed against today's workflow code: a change that would break runs in flight
// (non-determinism) fails here. They cover backup (plain, resumed by an operator, failed after an
// unanswered wait), check, prune, delete, restore, both key rotations (one settling after a failed
// step) and the repository lock, all recorded with today's patches applied. Re-record
// deliberately with RECORD_HISTORIES=1 and the test that saves the history (grep recordHistory in
// tests/workflows).
describe('workflow replay', () => {
  it('replays every recorded history without non-determinism', async () => {
    const files = (await readdir(HISTORIES_DIR)).filter((name) => name.endsWith('.binpb'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const histories = await Promise.all(
      files.map(async (name) => ({
        workflowId: name.replace(/\.binpb$/, ''),
        history: decodeHistory(await readFile(path.join(HISTORIES_DIR, name))),
      })),
    );

    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }

    expect(failures).toEqual([]);
  });
});
