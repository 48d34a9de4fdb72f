const REDACTED = '[redacted]';

// Private keys and passphrase assignments are removed even when the caller did not name them as
// secrets, so a key pasted into the wrong field cannot reach a log or an error.
const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const PASSPHRASE_ASSIGNMENT = /\b(BORG_(?:NEW_)?PASSPHRASE=)\S*/g;

// Lines shorter than this are too likely to occur in ordinary output to be replaced on their own.
const MIN_SECRET_FRAGMENT_LENGTH = 12;

/** Replaces every given secret, every line of a multi-line secret, and any private key block. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let redacted = text;
  for (const fragment of secretFragments(secrets)) {
    redacted = redacted.split(fragment).join(REDACTED);
  }
  return redacted
    .replace(PRIVATE_KEY_BLOCK, REDACTED)
    .replace(PASSPHRASE_ASSIGNMENT, `$1${REDACTED}`);
}

function secretFragments(secrets: readonly (string | undefined)[]): string[] {
  const fragments = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    fragments.add(secret);
    for (const line of secret.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_SECRET_FRAGMENT_LENGTH) fragments.add(trimmed);
    }
  }
  // Longest first, so a whole secret is replaced before its own lines are.
  return [...fragments].sort((a, b) => b.length - a.length);
}
