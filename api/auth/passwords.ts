import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { ApiError } from '../errors';
import { isCommonPassword } from './common-passwords';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
// The containment rule would reject nearly every password for a one- or two-letter username.
const MIN_USERNAME_LENGTH_FOR_CONTAINMENT = 3;

// `Algorithm` is an ambient const enum, which isolated modules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against a throwaway hash when the user does not exist keeps both answers equally slow.
let decoyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoyHash ??= hashPassword('borgflow decoy password for timing');
  await verifyPassword(await decoyHash, password);
}

/** Throws a 400 naming `field` with the first rule the new password breaks. */
export function assertAcceptablePassword(password: string, username: string, field: string): void {
  const refuse = (message: string) => {
    throw new ApiError('VALIDATION_FAILED', message, { field });
  };
  if (password.length < MIN_PASSWORD_LENGTH) {
    refuse(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    refuse(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
  }
  const lowered = password.toLowerCase();
  const name = username.toLowerCase();
  if (lowered === name) refuse('The password must not be the username.');
  if (name.length >= MIN_USERNAME_LENGTH_FOR_CONTAINMENT && lowered.includes(name)) {
    refuse('The password must not contain the username.');
  }
  if (isCommonPassword(password)) {
    refuse('This password is on the list of the most common passwords; choose another one.');
  }
}
