import { useDialog } from 'naive-ui';
import { useToast } from './useToast';

/** Something that cannot be undone, and what to tell the person before and after. */
export interface ConfirmedAction<Result> {
  title: string;
  /** What follows from going ahead, in a sentence or two. */
  content?: string;
  /** The button that goes ahead; `Delete` unless the action has a better word. */
  confirmText?: string;
  run: () => Promise<Result>;
  /** The toast after `run` succeeded. */
  done: string;
  /** What failed, put before the server's own message. */
  failed: string;
  /** After success: reload a list, or move on to another page. */
  then?: (result: Result) => unknown;
}

/** Asks before a destructive action, runs it once confirmed, and says how it went. */
export function useConfirmedAction() {
  const dialog = useDialog();
  const toast = useToast();

  return function confirmThenRun<Result>(action: ConfirmedAction<Result>): void {
    dialog.warning({
      title: action.title,
      content: action.content,
      positiveText: action.confirmText ?? 'Delete',
      negativeText: 'Cancel',
      onPositiveClick: async () => {
        try {
          const result = await action.run();
          toast.success(action.done);
          await action.then?.(result);
        } catch (cause) {
          toast.failure(cause, action.failed);
        }
      },
    });
  };
}
