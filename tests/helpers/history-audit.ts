import { Client, Connection } from '@temporalio/client';
import { encodeHistory } from '../../core/temporal/proto';

/**
 * What no workflow history may ever hold. Every test passphrase ends in `passphrase-<hex>` or
 * `-never-in-history`/`-do-not-leak`; SSH private keys carry their PEM armour.
 */
const SECRET_PATTERNS = [
  /PRIVATE KEY-----/,
  /passphrase-[0-9a-f]{4}/,
  /-never-in-history/,
  /-do-not-leak/,
];

export interface HistoryAudit {
  checked: number;
  leaks: string[];
}

/**
 * Reads the full history of every workflow the suite ran on this Temporal server (inputs,
 * results, failures, memos, search attributes) and names those holding anything secret-looking.
 * Payloads are stored as their JSON bytes, so the encoded history is searched directly.
 */
export async function auditWorkflowHistories(address: string): Promise<HistoryAudit> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const leaks: string[] = [];
    let checked = 0;
    for await (const execution of client.workflow.list()) {
      const history = await client.workflow
        .getHandle(execution.workflowId, execution.runId)
        .fetchHistory();
      const text = Buffer.from(encodeHistory(history));
      const readable = text.toString('latin1');
      checked += 1;
      const pattern = SECRET_PATTERNS.find((candidate) => candidate.test(readable));
      if (pattern) leaks.push(`${execution.workflowId} (${String(pattern)})`);
    }
    return { checked, leaks };
  } finally {
    await connection.close();
  }
}
