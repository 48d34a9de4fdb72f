import { describe, expect, it } from 'vitest';
import { authorizedKeysLineIn } from './waiting-instructions';

describe('authorizedKeysLineIn', () => {
  const line =
    'command="borg serve --restrict-to-path \'/srv/borg/my repo\'",restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE borgflow-01J';

  it('finds the line at the end of a rotation waiting reason', () => {
    const reason = `step "authorise new key" failed: The current key may only run borg on the server, so Borgflow cannot add the new key itself. Add this line to .ssh/authorized_keys on the server, then resume: ${line}`;

    expect(authorizedKeysLineIn(reason)).toBe(line);
  });

  it('finds nothing in other waiting reasons', () => {
    expect(authorizedKeysLineIn('waiting for backup-1 on this repository')).toBeUndefined();
    expect(authorizedKeysLineIn(undefined)).toBeUndefined();
  });
});
