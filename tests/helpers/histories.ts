import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { encodeHistory } from '../../core/temporal/proto';

/** Where tests/workflows/replay.test.ts finds the histories it replays. */
export const HISTORIES_DIR = path.resolve(import.meta.dirname, '..', 'workflows', 'histories');

/** Set RECORD_HISTORIES=1 to re-record after a deliberate change to a workflow. */
const isRecordingHistories = Boolean(process.env.RECORD_HISTORIES);

/**
 * Saves a finished (or idle) workflow's history for the replay test, when recording. The file is
 * named after the workflow id unless told otherwise: replay runs the workflow under that id, and
 * the ids of its notification children derive from it. Binary protobuf: the SDK's JSON reader
 * trips over two protobufjs copies in its own dependency tree.
 */
export async function recordHistory(client: Client, workflowId: string, name = workflowId) {
  if (!isRecordingHistories) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(path.join(HISTORIES_DIR, `${name}.binpb`), encodeHistory(history));
}
