/** Letters, digits and a few punctuation marks that survive shells, YAML and copy-paste. */
export const PASSPHRASE_ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';

export const MIN_PASSPHRASE_LENGTH = 32;

type RandomSource = Pick<Crypto, 'getRandomValues'>;

/**
 * A random passphrase from the browser's cryptographic generator. Rejection sampling keeps
 * every character equally likely (a plain modulo would favour the first few).
 */
export function generatePassphrase(length = 40, random: RandomSource = globalThis.crypto): string {
  if (!Number.isInteger(length) || length < MIN_PASSPHRASE_LENGTH) {
    throw new RangeError(`A passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  }
  const alphabetSize = PASSPHRASE_ALPHABET.length;
  const limit = 256 - (256 % alphabetSize);
  let result = '';
  while (result.length < length) {
    const bytes = random.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte >= limit) continue;
      result += PASSPHRASE_ALPHABET[byte % alphabetSize];
      if (result.length === length) break;
    }
  }
  return result;
}
