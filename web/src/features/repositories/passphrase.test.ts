import { describe, expect, it, vi } from 'vitest';
import { generatePassphrase, MIN_PASSPHRASE_LENGTH, PASSPHRASE_ALPHABET } from './passphrase';

describe('generatePassphrase', () => {
  it('makes at least 32 characters from the alphabet', () => {
    const passphrase = generatePassphrase();
    expect(passphrase.length).toBeGreaterThanOrEqual(MIN_PASSPHRASE_LENGTH);
    expect([...passphrase].every((char) => PASSPHRASE_ALPHABET.includes(char))).toBe(true);
  });

  it('draws from crypto.getRandomValues', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    generatePassphrase(40);
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });

  it('never repeats across calls', () => {
    const seen = new Set(Array.from({ length: 50 }, () => generatePassphrase(32)));
    expect(seen.size).toBe(50);
  });

  it('skips bytes that would bias the first characters', () => {
    // 66 characters: bytes from 198 up would wrap around onto the first 58 and must be skipped.
    const bytes = [255, 198, 0, 65, ...Array.from({ length: 60 }, () => 1)];
    const fake = {
      getRandomValues: <T extends ArrayBufferView | null>(array: T) => {
        const view = array as unknown as Uint8Array;
        view.set(bytes.slice(0, view.length));
        return array;
      },
    };
    const passphrase = generatePassphrase(32, fake);
    expect(passphrase.slice(0, 3)).toBe(`A${PASSPHRASE_ALPHABET[65]}B`);
  });

  it('refuses a length under 32', () => {
    expect(() => generatePassphrase(16)).toThrow(RangeError);
  });
});
