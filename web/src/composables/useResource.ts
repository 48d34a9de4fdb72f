import { onScopeDispose, ref, shallowRef, type Ref } from 'vue';

/** Loads data once (and on `reload`), keeping the last good value when a reload fails. */
export function useResource<T>(loader: () => Promise<T>, options: { immediate?: boolean } = {}) {
  const data = shallowRef<T | null>(null) as Ref<T | null>;
  const error = ref<Error | null>(null);
  const isLoading = ref(false);
  let generation = 0;
  let isDisposed = false;

  async function reload(): Promise<void> {
    const current = ++generation;
    isLoading.value = true;
    try {
      const value = await loader();
      if (current !== generation || isDisposed) return;
      data.value = value;
      error.value = null;
    } catch (cause) {
      if (current !== generation || isDisposed) return;
      error.value = cause instanceof Error ? cause : new Error(String(cause));
    } finally {
      if (current === generation) isLoading.value = false;
    }
  }

  onScopeDispose(() => {
    isDisposed = true;
  });
  if (options.immediate !== false) void reload();
  return { data, error, isLoading, reload };
}
