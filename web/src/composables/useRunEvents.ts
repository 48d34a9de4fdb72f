import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import { getRun, getRunLog, runEventsUrl } from '../api/operations';
import type { Run, RunEvent, RunProgress } from '../api/types';
import { isFinished } from '../features/runs/run-status';

/** Keeps the newest lines only: a long backup logs far more than a page can render. */
export const MAX_LOG_LINES = 2000;

/**
 * Follows one run: loads it and its log, then applies the server-sent events until the run
 * finishes. EventSource reconnects on its own after a dropped connection.
 */
export function useRunEvents(runId: Ref<string | null>) {
  const run = shallowRef<Run | null>(null);
  const progress = shallowRef<RunProgress | null>(null);
  const logLines = ref<string[]>([]);
  const isConnected = ref(false);
  const error = ref<Error | null>(null);
  /** The run loads without its log when the log fails; the page says so where the log goes. */
  const logError = ref<Error | null>(null);
  let source: EventSource | null = null;

  function close(): void {
    source?.close();
    source = null;
    isConnected.value = false;
  }

  function apply(event: RunEvent): void {
    if (event.run) {
      run.value = event.run;
      if (event.run.progress) progress.value = event.run.progress;
    }
    if (event.progress) progress.value = event.progress;
    if (event.type === 'log' && event.line !== undefined) appendLog([event.line]);
    if (run.value && isFinished(run.value.status)) close();
  }

  function appendLog(lines: string[]): void {
    const next = logLines.value.concat(lines);
    logLines.value = next.length > MAX_LOG_LINES ? next.slice(-MAX_LOG_LINES) : next;
  }

  async function start(id: string): Promise<void> {
    close();
    run.value = null;
    progress.value = null;
    logLines.value = [];
    error.value = null;
    logError.value = null;
    try {
      const [loaded, log] = await Promise.all([
        getRun(id),
        getRunLog(id).catch((cause: unknown) => {
          logError.value = cause instanceof Error ? cause : new Error(String(cause));
          return '';
        }),
      ]);
      run.value = loaded;
      progress.value = loaded.progress;
      appendLog(log ? log.replace(/\n$/, '').split('\n') : []);
      if (isFinished(loaded.status)) return;
    } catch (cause) {
      error.value = cause as Error;
      return;
    }
    connect(id);
  }

  function connect(id: string): void {
    if (typeof EventSource === 'undefined') return;
    source = new EventSource(runEventsUrl(id));
    source.onopen = () => {
      isConnected.value = true;
      error.value = null;
    };
    source.onmessage = (message: MessageEvent<string>) => {
      try {
        apply(JSON.parse(message.data) as RunEvent);
      } catch {
        // A malformed event is skipped; the next one carries the full picture again.
      }
    };
    source.onerror = () => {
      isConnected.value = false;
      if (source?.readyState === EventSource.CLOSED) {
        error.value = new Error('Live updates stopped. Reload the page to follow this run.');
      }
    };
  }

  watch(runId, (id) => (id ? void start(id) : close()), { immediate: true });
  onScopeDispose(close);

  return { run, progress, logLines, isConnected, error, logError, close, apply };
}
