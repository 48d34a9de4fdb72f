import { onScopeDispose, ref } from 'vue';
import { useResource } from './useResource';

/**
 * Calls `loader` now and every `intervalMs` while the tab is visible; a hidden tab skips ticks
 * so an idle dashboard does not keep the server busy.
 */
export function usePolling<T>(loader: () => Promise<T>, intervalMs: number) {
  const resource = useResource(loader);
  const isActive = ref(true);
  const timer = setInterval(() => {
    if (!isActive.value || resource.isLoading.value) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    void resource.reload();
  }, intervalMs);

  function stop(): void {
    isActive.value = false;
    clearInterval(timer);
  }

  onScopeDispose(stop);
  return { ...resource, isActive, stop };
}
