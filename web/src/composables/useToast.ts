import { useMessage } from 'naive-ui';
import { ref } from 'vue';
import { errorMessage } from '../api/client';

/** One readable toast per failure; the last one stays available as `error` for inline display. */
export function useToast() {
  const message = useMessage();
  const error = ref<string | null>(null);
  return {
    error,
    success: (text: string) => message.success(text),
    info: (text: string) => message.info(text),
    failure(cause: unknown, context?: string) {
      const text = context ? `${context}: ${errorMessage(cause)}` : errorMessage(cause);
      error.value = text;
      message.error(text, { duration: 8000, closable: true });
    },
  };
}
