import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';

/** A real OpenSSH server on 127.0.0.1 with its own configuration, for one test file. */
export interface TestSshd {
  port: number;
  /** `ssh-ed25519 AAAA...` of the server's host key. */
  hostPublicKey: string;
  /** The absolute path sshd reads authorized keys from. */
  authorizedKeysFile: string;
  /** Replaces the authorized_keys file, e.g. with a forced `borg serve` command. */
  setAuthorizedKeys: (lines: string[]) => Promise<void>;
  stop: () => Promise<void>;
  /** Starts a stopped server again on the same port, host key and authorized_keys. */
  start: () => Promise<void>;
}

export interface SshKeyPair {
  privateKey: string;
  /** `ssh-ed25519 AAAA... comment` */
  publicKey: string;
}

export async function generateSshKeyPair(dir: string, name: string): Promise<SshKeyPair> {
  const keyFile = path.join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', keyFile]);

  const [privateKey, publicKey] = await Promise.all([
    readFile(keyFile, 'utf8'),
    readFile(`${keyFile}.pub`, 'utf8'),
  ]);
  return { privateKey, publicKey: publicKey.trim() };
}

export interface SshdOptions {
  /**
   * Lets keys without a forced command open a shell (tests run as root). Off by default: then
   * only `command="…"` keys get in, as on a server that hosts nothing but borg repositories.
   */
  allowShellLogins?: boolean;
}

/** Starts `sshd -D -e` in the foreground; resolves once it listens. */
export async function startSshd(dir: string, options: SshdOptions = {}): Promise<TestSshd> {
  // sshd refuses to start without its privilege separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = await generateSshKeyPair(dir, 'ssh_host_ed25519_key');
  const authorizedKeysFile = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeysFile, '', { mode: 0o600 });
  const port = await freePort();
  const configFile = path.join(dir, 'sshd_config');
  await writeFile(configFile, sshdConfig({ dir, port, authorizedKeysFile, ...options }));

  const launch = async () => {
    const process = execa('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], {
      stdin: 'ignore',
      buffer: false,
      reject: false,
    });
    await waitUntilListening(process);
    // Wrapped: an execa process is a promise of its end, which `return` would wait for.
    return { process };
  };
  let sshd = (await launch()).process;

  return {
    port,
    hostPublicKey: hostKey.publicKey.split(' ').slice(0, 2).join(' '),
    authorizedKeysFile,
    setAuthorizedKeys: (lines) => writeFile(authorizedKeysFile, `${lines.join('\n')}\n`),
    stop: async () => {
      sshd.kill('SIGTERM');
      await sshd;
    },
    start: async () => {
      sshd = (await launch()).process;
    },
  };
}

function sshdConfig(
  options: { dir: string; port: number; authorizedKeysFile: string } & SshdOptions,
): string {
  return [
    `Port ${options.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(options.dir, 'ssh_host_ed25519_key')}`,
    `PidFile ${path.join(options.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${options.authorizedKeysFile}`,
    'StrictModes no',
    `PermitRootLogin ${options.allowShellLogins ? 'prohibit-password' : 'forced-commands-only'}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port found');
  return address.port;
}

function waitUntilListening(sshd: ResultPromise): Promise<void> {
  const lines = createInterface({ input: sshd.stderr! });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      output.push(line);
      if (line.includes('Server listening on')) resolve();
    });
    void sshd.then(() => reject(new Error(`sshd exited early:\n${output.join('\n')}`)));
  });
}
