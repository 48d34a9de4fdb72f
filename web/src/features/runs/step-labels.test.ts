import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepLabel, stepStatusLabel } from './step-labels';

const WORKFLOWS = path.resolve(import.meta.dirname, '../../../../workflows');

/** The step names the workflows record: `run.step('name', …)` and `run.markStep('name', …)`. */
async function recordedStepNames(): Promise<string[]> {
  const names = new Set<string>();
  const files = (await readdir(WORKFLOWS)).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const source = await readFile(path.join(WORKFLOWS, file), 'utf8');
    for (const match of source.matchAll(/run\.(?:step|markStep)\(\s*'([^']+)'/g)) {
      names.add(match[1]);
    }
  }
  return [...names];
}

describe('stepLabel', () => {
  it('names the backup steps in plain words', () => {
    expect(stepLabel('create')).toBe('Create archive');
    expect(stepLabel('prune')).toBe('Prune old archives');
    expect(stepLabel('compact')).toBe('Compact');
    expect(stepLabel('check')).toBe('Check');
    expect(stepLabel('refresh')).toBe('Refresh archive list');
  });

  it('names restore steps', () => {
    expect(stepLabel('prepare target')).toBe('Prepare restore folder');
    expect(stepLabel('extract')).toBe('Extract files');
  });

  it('names a hook by the name the plan gave it', () => {
    expect(stepLabel('hook: dump database')).toBe('Hook dump database');
    expect(stepLabel('hook:pg_dump')).toBe('Hook pg_dump');
  });

  it('shows a name it does not know as it is', () => {
    expect(stepLabel('defragment')).toBe('defragment');
  });

  it('has a plain name for every step a workflow records', async () => {
    const names = await recordedStepNames();
    // Guards the scan itself: a regex that matches nothing would make this test pass vacuously.
    expect(names).toEqual(expect.arrayContaining(['create', 'extract', 'retire old key']));
    const unnamed = names.filter((name) => stepLabel(name) === name);
    expect(unnamed).toEqual([]);
  });
});

describe('stepStatusLabel', () => {
  it('says how a step ended', () => {
    expect(stepStatusLabel('succeeded')).toBe('Done');
    expect(stepStatusLabel('failed')).toBe('Failed');
    expect(stepStatusLabel('skipped')).toBe('Skipped');
    expect(stepStatusLabel('something-new')).toBe('something-new');
  });
});
