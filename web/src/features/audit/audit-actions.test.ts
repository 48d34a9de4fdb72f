import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OperatorDecision } from '../../../../core/runs';
import { auditActionLabel, KNOWN_AUDIT_ACTIONS } from './audit-actions';

const API = path.resolve(import.meta.dirname, '../../../../api');

/** The literal audit actions the API writes: `action: '…'` and `audit(request, '…'`. */
async function recordedActions(): Promise<string[]> {
  const actions = new Set<string>();
  const files = await readdir(API, { recursive: true });
  for (const file of files.filter((name) => name.endsWith('.ts'))) {
    const source = await readFile(path.join(API, file), 'utf8');
    const literals = source.matchAll(/(?:action: |audit\(request, )'([a-z-]+\.[a-z.-]+)'/g);
    for (const match of literals) actions.add(match[1]);
  }
  return [...actions];
}

describe('auditActionLabel', () => {
  it('names every action the API records in words', async () => {
    const actions = await recordedActions();
    // The two built from a value: repository.<mode> and run.<decision>.
    actions.push('repository.create', 'repository.import');
    const decisions: OperatorDecision[] = ['resume', 'skip', 'abort'];
    actions.push(...decisions.map((decision) => `run.${decision}`));

    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((action) => !KNOWN_AUDIT_ACTIONS.includes(action))).toEqual([]);
  });

  it('shows an action it does not know as recorded', () => {
    expect(auditActionLabel('plan.create')).toBe('Created a plan');
    expect(auditActionLabel('future.thing')).toBe('future.thing');
  });
});
