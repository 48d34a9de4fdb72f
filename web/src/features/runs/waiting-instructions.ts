/**
 * The authorized_keys line an SSH-key rotation asks a person to add on the server, when its
 * waiting reason holds one: shown apart from the sentence so it can be copied whole.
 */
export function authorizedKeysLineIn(reason: string | null | undefined): string | undefined {
  const match = /(command="[^"]*",restrict (?:ssh-ed25519|ssh-rsa) \S+(?: \S+)?)\s*$/.exec(
    reason ?? '',
  );
  return match?.[1];
}
