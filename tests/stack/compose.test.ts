import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../core/config';
import { SEARCH_ATTRIBUTES } from '../../core/temporal/search-attributes';

const root = fileURLToPath(new URL('../../', import.meta.url));
const composePath = path.join(root, 'docker-compose.yml');
const composeText = readFileSync(composePath, 'utf8');
const dockerfileText = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const entrypointPath = path.join(root, 'docker/entrypoint.sh');

/** Read by docker/entrypoint.sh before the app starts, so core/config.ts does not list them. */
const ENTRYPOINT_VARIABLES = ['PUID', 'PGID'];

type Scalar = string | number | boolean | null;

interface VolumeMount {
  type?: string;
  source?: string;
  target: string;
  read_only?: boolean;
}

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, Scalar> | string[];
  volumes?: (string | VolumeMount)[];
  ports?: (string | number | { host_ip?: string; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(composeText) as ComposeFile;
const services = Object.entries(compose.services);
/** Services built from this repository's Dockerfile: Borgflow's own processes. */
const borgflowServices = services.filter(([, service]) => service.build !== undefined);

function environmentOf(service: ComposeService): Map<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => {
        const [name, ...rest] = line.split('=');
        return [name, rest.join('=')] as const;
      })
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, String(value)]);

  return new Map(entries.map(([name, value]) => [name, value]));
}

interface Mount {
  source: string;
  target: string;
  isReadOnly: boolean;
  isNamedVolume: boolean;
}

function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((entry) => {
    if (typeof entry !== 'string') {
      const source = entry.source ?? '';
      return {
        source,
        target: entry.target,
        isReadOnly: entry.read_only === true,
        isNamedVolume: entry.type === 'volume',
      };
    }
    const [source, target, mode = ''] = entry.split(':');

    return {
      source,
      target,
      isReadOnly: mode.split(',').includes('ro'),
      isNamedVolume: !/^[./~$]/.test(source),
    };
  });
}

function rootsOf(service: ComposeService, variable: string): string[] {
  return (environmentOf(service).get(variable) ?? '').split(':').filter(Boolean);
}

function isUnder(target: string, roots: string[]): boolean {
  return roots.some((dir) => target === dir || target.startsWith(`${dir}/`));
}

function serviceNamed(name: string): ComposeService {
  const service = compose.services[name];
  if (!service) throw new Error(`docker-compose.yml has no ${name} service`);

  return service;
}

function commandOf(service: ComposeService): string[] {
  const { command = [] } = service;
  return typeof command === 'string' ? command.split(/\s+/) : command;
}

/** The tag of an image reference, or undefined when it has none (a registry port is no tag). */
function tagOf(image: string): string | undefined {
  const name = image.split('@')[0];
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? lastPart.split(':')[1] : undefined;
}

describe('docker-compose.yml', () => {
  it('pins every image to a version or builds it from a Dockerfile in this repository', () => {
    for (const [name, service] of services) {
      if (service.build !== undefined) {
        const build =
          typeof service.build === 'string' ? { context: service.build } : service.build;
        const context = path.resolve(root, build.context ?? '.');
        expect(existsSync(path.join(context, build.dockerfile ?? 'Dockerfile')), name).toBe(true);
        continue;
      }
      const image = service.image ?? '';
      const isDigestPinned = image.includes('@sha256:');
      expect(isDigestPinned || !['', undefined, 'latest'].includes(tagOf(image)), name).toBe(true);
      expect(image, name).not.toContain('${');
    }
  });

  it('runs the Temporal server and its admin tools at the same version', () => {
    const tags = services
      .map(([, service]) => service.image ?? '')
      .filter((image) => /^temporalio\/(server|admin-tools):/.test(image))
      .map(tagOf);

    expect(tags.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tags).size).toBe(1);
  });

  it('names only defined services in depends_on', () => {
    for (const [name, service] of services) {
      const dependencies = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) {
        expect(compose.services, `${name} depends on ${dependency}`).toHaveProperty([dependency]);
      }
    }
  });

  it('declares every named volume it mounts, and mounts every one it declares', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = services.flatMap(([, service]) =>
      mountsOf(service)
        .filter((mount) => mount.isNamedVolume)
        .map((mount) => mount.source),
    );

    expect(declared.sort()).toEqual([...new Set(used)].sort());
  });

  it('mounts only repository files that exist', () => {
    for (const [name, service] of services) {
      for (const mount of mountsOf(service).filter((each) => each.source.startsWith('./'))) {
        expect(existsSync(path.join(root, mount.source)), `${name}: ${mount.source}`).toBe(true);
      }
    }
  });

  it('passes Borgflow only variables that the app or its entrypoint reads', () => {
    const known = new Set([...Object.keys(CONFIG_VARIABLES), ...ENTRYPOINT_VARIABLES]);

    expect(borgflowServices.map(([name]) => name).sort()).toEqual(['api', 'worker']);
    for (const [name, service] of borgflowServices) {
      const unknown = [...environmentOf(service).keys()].filter((variable) => !known.has(variable));
      expect(unknown, name).toEqual([]);
    }
  });

  it('starts the api and the worker from entry points that exist', () => {
    const entryPoints = { api: 'bin/api.ts', worker: 'bin/worker.ts' };

    for (const [name, entryPoint] of Object.entries(entryPoints)) {
      expect(commandOf(serviceNamed(name))).toContain(entryPoint);
      expect(existsSync(path.join(root, entryPoint)), entryPoint).toBe(true);
    }
  });

  it('mounts backup sources read-only and under SOURCE_ROOTS', () => {
    const worker = serviceNamed('worker');
    const sourceRoots = rootsOf(worker, 'SOURCE_ROOTS');
    const sourceMounts = mountsOf(worker).filter((mount) => isUnder(mount.target, sourceRoots));

    expect(sourceMounts.length).toBeGreaterThan(0);
    for (const [name, service] of borgflowServices) {
      const roots = rootsOf(service, 'SOURCE_ROOTS');
      for (const mount of mountsOf(service).filter((each) => isUnder(each.target, roots))) {
        expect(mount.isReadOnly, `${name}: ${mount.target}`).toBe(true);
      }
    }
  });

  it('gives the worker writable repository and restore roots', () => {
    const worker = serviceNamed('worker');

    for (const variable of ['REPOSITORY_ROOTS', 'RESTORE_ROOTS']) {
      const roots = rootsOf(worker, variable);
      const mounts = mountsOf(worker).filter((mount) => isUnder(mount.target, roots));
      expect(mounts.length, variable).toBeGreaterThan(0);
      expect(
        mounts.every((mount) => !mount.isReadOnly),
        variable,
      ).toBe(true);
    }
  });

  it('publishes ports on the loopback interface only', () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) {
        const hostIp =
          typeof port === 'object' ? port.host_ip : String(port).split(':').slice(0, -2).join(':');
        expect(hostIp, `${name}: ${JSON.stringify(port)}`).toBe('127.0.0.1');
      }
    }
  });

  it('registers the search attributes that the workflows use', () => {
    const setup = services.filter(([, service]) =>
      environmentOf(service).has('BORGFLOW_SEARCH_ATTRIBUTES'),
    );
    expect(setup).toHaveLength(1);
    const [, job] = setup[0];
    const registered = (environmentOf(job).get('BORGFLOW_SEARCH_ATTRIBUTES') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]);

    const expected = SEARCH_ATTRIBUTES.map((key) => [key.name, String(key.type)]);
    expect(registered.map(([name, type]) => [name, type.toUpperCase()]).sort()).toEqual(
      expected.sort(),
    );
    expect(registered.map(([name]) => name).sort()).toEqual(
      ['BorgflowKind', 'BorgflowPlan', 'BorgflowRepository', 'BorgflowTrigger'].sort(),
    );
    expect(commandOf(job)).toEqual(['namespace']);
  });

  // compose-go is the library `docker compose` parses and validates files with; the install
  // script builds this small wrapper around it (no Docker engine or plugin exists here).
  it('is accepted by the compose specification parser', () => {
    const checker = path.join(root, '.tools', 'bin', 'compose-check');
    // Stand-ins for the secrets that .env supplies in a real deployment.
    const required = [...composeText.matchAll(/\$\{(\w+):\?/g)].map((match) => match[1]);
    const env = { ...process.env, ...Object.fromEntries(required.map((name) => [name, 'x'])) };
    const result = spawnSync(checker, [composePath], { cwd: root, env, encoding: 'utf8' });

    expect(result.error).toBeUndefined();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^valid: 7 services/);
  });
});

describe('Dockerfile', () => {
  it('builds every stage on a pinned glibc image, never Alpine', () => {
    const argDefaults = new Map(
      [...dockerfileText.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
    );
    const stages = new Set<string>();
    const bases: string[] = [];
    for (const match of dockerfileText.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)) {
      const image = match[1].replace(
        /\$\{(\w+)\}/g,
        (_, name: string) => argDefaults.get(name) ?? name,
      );
      if (!stages.has(image)) bases.push(image);
      if (match[2]) stages.add(match[2]);
    }

    expect(bases.length).toBeGreaterThan(0);
    for (const image of bases) {
      expect(image).not.toMatch(/alpine/i);
      expect(['', undefined, 'latest']).not.toContain(tagOf(image));
    }
  });

  it('installs the tools the worker and the entrypoint run', () => {
    for (const pkg of ['borgbackup', 'openssh-client', 'apprise', 'util-linux', 'tini']) {
      expect(dockerfileText).toMatch(new RegExp(`apt-get install[^&]*\\b${pkg}\\b`));
    }
  });

  it('starts through docker/entrypoint.sh and checks the API health', () => {
    expect(dockerfileText).toMatch(/^COPY .*docker\/entrypoint\.sh /m);
    expect(dockerfileText).toMatch(/^ENTRYPOINT .*entrypoint/m);
    expect(dockerfileText).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
  });

  it('keeps dependencies, data and history out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');

    for (const entry of ['node_modules', 'data', '.git', 'web/dist', '.env']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('docker/ scripts', () => {
  const scripts = ['entrypoint.sh', 'postgres-init.sh', 'temporal-setup.sh'].map((name) =>
    path.join(root, 'docker', name),
  );

  it('ships an executable entrypoint that reads the variables it is allowed', () => {
    const text = readFileSync(entrypointPath, 'utf8');

    expect(statSync(entrypointPath).mode & 0o111).not.toBe(0);
    for (const variable of ENTRYPOINT_VARIABLES) expect(text).toContain(`\${${variable}`);
  });

  it('parses every script with sh -n and passes shellcheck', () => {
    for (const script of scripts) {
      const result = spawnSync('sh', ['-n', script], { encoding: 'utf8' });
      expect(result.status, `${script}: ${result.stderr}`).toBe(0);
    }
    // scripts/install.sh --test installs shellcheck, so this check always runs.
    const result = spawnSync('shellcheck', ['--shell=sh', ...scripts], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.status, result.stdout).toBe(0);
  });
});
