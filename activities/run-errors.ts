import { ApplicationFailure } from '@temporalio/common';
import { BorgError } from './borg';

/**
 * Runs a borg step and hands Temporal a failure whose `type` is the borg error type, so the
 * retry policy can tell a dropped connection (retried) from a wrong passphrase (never retried).
 */
export async function asTemporalFailure<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BorgError) {
      if (error.type === 'CANCELLED') throw error;
      throw error.toApplicationFailure();
    }
    if (error instanceof ApplicationFailure) throw error;
    throw ApplicationFailure.create({
      message: `${step}: ${error instanceof Error ? error.message : String(error)}`,
      type: 'STEP_FAILED',
      nonRetryable: error instanceof TypeError,
    });
  }
}
