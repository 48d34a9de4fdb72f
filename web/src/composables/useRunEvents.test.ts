// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import type { Run } from '../api/types';
import { MAX_LOG_LINES, useRunEvents } from './useRunEvents';

/** A stand-in for the browser's EventSource that lets the test push messages. */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static readonly CLOSED = 2;
  readyState = 1;
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  emit(data: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(data) }));
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
}

const running: Run = {
  id: 'run-1',
  kind: 'backup',
  status: 'running',
  trigger: 'manual',
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
};

/** Serves `run`, and its log as text, or `log` itself when it is a whole response. */
function stubServer(run: Run, log: string | Response): void {
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) =>
      Promise.resolve(
        url.endsWith('/log')
          ? typeof log === 'string'
            ? new Response(log, { status: 200, headers: { 'content-type': 'text/plain' } })
            : log
          : Response.json(run),
      ),
    ),
  );
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
  await nextTick();
}

afterEach(() => {
  FakeEventSource.instances = [];
  vi.unstubAllGlobals();
});

describe('useRunEvents', () => {
  it('loads the run and its log, then applies progress, log and status events', async () => {
    stubServer(running, 'first line\nsecond line\n');
    const scope = effectScope();
    const events = scope.run(() => useRunEvents(ref('run-1')))!;
    await settle();

    expect(events.run.value?.status).toBe('running');
    expect(events.logLines.value).toEqual(['first line', 'second line']);
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe('/api/runs/run-1/events');

    source.emit({ type: 'progress', progress: { originalBytes: 5, files: 2, bytesPerSecond: 1 } });
    source.emit({ type: 'log', line: 'third line' });
    expect(events.progress.value?.files).toBe(2);
    expect(events.logLines.value.at(-1)).toBe('third line');

    source.emit({ type: 'status', run: { ...running, status: 'succeeded' } });
    expect(events.run.value?.status).toBe('succeeded');
    expect(source.readyState).toBe(FakeEventSource.CLOSED);
    scope.stop();
  });

  it('loads the run without its log when the log fails, and says why', async () => {
    stubServer(
      running,
      Response.json(
        { error: { code: 'INTERNAL', message: 'The log store is unreachable.' } },
        { status: 500 },
      ),
    );
    const scope = effectScope();
    const events = scope.run(() => useRunEvents(ref('run-1')))!;
    await settle();

    expect(events.run.value?.status).toBe('running');
    expect(events.error.value).toBeNull();
    expect(events.logError.value?.message).toContain('The log store is unreachable.');
    expect(FakeEventSource.instances).toHaveLength(1);
    scope.stop();
  });

  it('does not open a stream for a run that already finished', async () => {
    stubServer({ ...running, status: 'failed' }, '');
    const scope = effectScope();
    const events = scope.run(() => useRunEvents(ref('run-1')))!;
    await settle();
    expect(events.run.value?.status).toBe('failed');
    expect(FakeEventSource.instances).toHaveLength(0);
    scope.stop();
  });

  it('keeps only the newest log lines', async () => {
    stubServer(running, '');
    const scope = effectScope();
    const events = scope.run(() => useRunEvents(ref('run-1')))!;
    await settle();
    for (let i = 0; i < MAX_LOG_LINES + 10; i += 1) events.apply({ type: 'log', line: `l${i}` });
    expect(events.logLines.value).toHaveLength(MAX_LOG_LINES);
    expect(events.logLines.value[0]).toBe('l10');
    scope.stop();
  });

  it('closes the stream when its scope ends', async () => {
    stubServer(running, '');
    const scope = effectScope();
    scope.run(() => useRunEvents(ref('run-1')));
    await settle();
    scope.stop();
    expect(FakeEventSource.instances[0].readyState).toBe(FakeEventSource.CLOSED);
  });
});
