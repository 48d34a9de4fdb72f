import { computed, ref } from 'vue';

export type ThemePreference = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'borgflow.theme';

function readPreference(): ThemePreference {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark') return stored;
  } catch {
    // Storage can be blocked by privacy settings; the OS preference still applies.
  }
  return 'system';
}

const preference = ref<ThemePreference>(readPreference());
const media =
  typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia('(prefers-color-scheme: dark)')
    : null;
const systemIsDark = ref(media?.matches ?? false);
media?.addEventListener('change', (event) => (systemIsDark.value = event.matches));

export function useTheme() {
  const isDark = computed(() =>
    preference.value === 'system' ? systemIsDark.value : preference.value === 'dark',
  );
  function setPreference(next: ThemePreference): void {
    preference.value = next;
    try {
      if (next === 'system') localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered across visits, but the choice holds for this one.
    }
  }
  return {
    preference,
    isDark,
    error: ref<Error | null>(null),
    setPreference,
    toggle: () => setPreference(isDark.value ? 'light' : 'dark'),
  };
}
