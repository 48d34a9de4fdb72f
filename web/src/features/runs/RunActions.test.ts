// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Run, RunStatus } from '../../api/types';
import { mountAs, testIds } from '../../testing/mount-with-providers';
import RunActions from './RunActions.vue';

function runWith(status: RunStatus, overrides: Partial<Run> = {}): Run {
  return {
    id: 'run-1',
    kind: 'backup',
    status,
    trigger: 'schedule',
    repositoryId: 'repo-1',
    planId: 'plan-1',
    createdAt: '2024-06-01T10:00:00Z',
    startedAt: '2024-06-01T10:00:01Z',
    finishedAt: null,
    progress: null,
    stats: null,
    error: null,
    retryOf: null,
    retriedBy: null,
    temporal: { workflowId: 'backup-p1-01', runId: null, url: 'http://127.0.0.1:8233/w' },
    ...overrides,
  };
}

const COMMANDS = ['run-cancel', 'run-retry', 'run-resume', 'run-skip', 'run-abort'];
const commandsShown = (ids: string[]) => ids.filter((id) => COMMANDS.includes(id));

afterEach(() => {
  document.body.innerHTML = '';
});

describe('RunActions', () => {
  it('shows a viewer no buttons, whatever the state', async () => {
    for (const status of ['running', 'failed', 'waiting'] as const) {
      const wrapper = await mountAs('viewer', RunActions, { run: runWith(status) });
      expect(commandsShown(testIds(wrapper))).toEqual([]);
      expect(wrapper.findAll('button')).toHaveLength(0);
      wrapper.unmount();
    }
  });

  it('offers an operator cancel while running', async () => {
    const wrapper = await mountAs('operator', RunActions, { run: runWith('running') });
    expect(commandsShown(testIds(wrapper))).toEqual(['run-cancel']);
  });

  it('offers an operator retry after a failure', async () => {
    const wrapper = await mountAs('operator', RunActions, { run: runWith('failed') });
    expect(commandsShown(testIds(wrapper))).toEqual(['run-retry']);
  });

  it('hides retry once the run was already retried', async () => {
    const wrapper = await mountAs('operator', RunActions, {
      run: runWith('failed', { retriedBy: 'run-2' }),
    });
    expect(commandsShown(testIds(wrapper))).toEqual([]);
  });

  it('offers resume, skip and abort while waiting', async () => {
    const wrapper = await mountAs('operator', RunActions, { run: runWith('waiting') });
    expect(commandsShown(testIds(wrapper))).toEqual(['run-resume', 'run-skip', 'run-abort']);
  });

  it('offers nothing for a run that succeeded', async () => {
    const wrapper = await mountAs('admin', RunActions, { run: runWith('succeeded') });
    expect(commandsShown(testIds(wrapper))).toEqual([]);
  });
});
