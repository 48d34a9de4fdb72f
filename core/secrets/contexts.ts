// The context each stored secret is sealed under (see SecretBox): one place, so sealing, opening
// and master-key rotation always agree.
export const secretContexts = {
  repositoryPassphrase: (repositoryId: string) => `repository:${repositoryId}:passphrase`,
  repositoryPendingPassphrase: (repositoryId: string) =>
    `repository:${repositoryId}:pending-passphrase`,
  repositoryKeyEscrow: (repositoryId: string) => `repository:${repositoryId}:key-escrow`,
  sshPrivateKey: (sshKeyId: string) => `ssh-key:${sshKeyId}:private`,
  notificationUrl: (channelId: string) => `notification:${channelId}:url`,
  planPingUrl: (planId: string) => `plan:${planId}:ping-url`,
};
