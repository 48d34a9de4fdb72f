import type { FastifyInstance } from 'fastify';
import { ulid } from 'ulid';
import type { ConnectionProbe } from '../../activities/repository-setup';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { checkedLocation } from '../repositories/locations';
import { repositoryResponse, requireRepository } from '../repositories/repository-records';
import { callWorker, toApiError } from '../runs/worker-calls';
import { idParamsSchema, withErrorResponses, schemaRef } from '../schemas/common';
import {
  connectionResultSchema,
  testConnectionBodySchema,
  trustHostKeyBodySchema,
} from '../schemas/repositories';

/** A person waits at the form while a worker probes or pins: at most this long. */
const PROBE_TIMEOUT_SECONDS = 45;
const tags = ['repositories'];

/** Reaching a repository's server from a worker, and pinning the ssh host key it presented. */
export async function repositoryConnectionRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { db, config, temporal } = deps;

  app.post<{ Body: { location: string; sshKeyId?: string } }>(
    '/api/repositories/test-connection',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Check from a worker that a location is reachable, and show ssh host keys',
        body: testConnectionBodySchema,
        response: withErrorResponses({ 200: connectionResultSchema }),
      },
    },
    async (request) => {
      const location = await checkedLocation(
        request.body.location,
        request.body.sshKeyId,
        config.repositoryRoots,
      );

      const probe = await callWorker<ConnectionProbe>(temporal, config, {
        workflowType: 'testRepositoryConnection',
        workflowId: `test-connection-${ulid()}`,
        args: [{ location }],
        timeoutSeconds: PROBE_TIMEOUT_SECONDS,
      }).catch((error: unknown) => {
        throw toApiError(error);
      });
      const preferred =
        probe.hostKeys.find((key) => key.keyType === 'ssh-ed25519') ?? probe.hostKeys[0];
      return {
        reachable: probe.reachable,
        hostKeyStatus: probe.hostKeyStatus,
        hostKeyFingerprints: probe.hostKeys,
        ...(preferred ? { hostKeyFingerprint: preferred.fingerprint } : {}),
        message: probe.message,
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { fingerprint: string } }>(
    '/api/repositories/:id/trust-host-key',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Pin an approved ssh host key of the repository’s server',
        params: idParamsSchema,
        body: trustHostKeyBodySchema,
        response: withErrorResponses({ 200: schemaRef('Repository') }),
      },
    },
    async (request) => {
      const repository = await requireRepository(db, request.params.id);
      if (!repository.location.startsWith('ssh://')) {
        throw new ApiError('VALIDATION_FAILED', 'Only ssh:// repositories have host keys.');
      }

      await callWorker(temporal, config, {
        workflowType: 'pinRepositoryHostKey',
        workflowId: `trust-host-key-${repository.id}-${ulid()}`,
        args: [{ repositoryId: repository.id, fingerprint: request.body.fingerprint }],
        timeoutSeconds: PROBE_TIMEOUT_SECONDS,
        repositoryId: repository.id,
      }).catch((error: unknown) => {
        throw toApiError(error);
      });

      await recordAudit(
        db,
        {
          action: 'repository.trust-host-key',
          target: `repository:${repository.id}`,
          outcome: 'success',
          details: { fingerprint: request.body.fingerprint },
        },
        request,
      );
      return await repositoryResponse(db, repository.id);
    },
  );
}
