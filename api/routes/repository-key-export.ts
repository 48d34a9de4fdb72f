import type { FastifyInstance } from 'fastify';
import { secretContexts } from '../../core/secrets/contexts';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { requireRepository } from '../repositories/repository-records';
import { idParamsSchema, withErrorResponses } from '../schemas/common';
import { keyExportSchema } from '../schemas/repositories';

/** Handing out the escrowed repository key: the one repository route that decrypts a secret. */
export async function repositoryKeyExportRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { db, secrets } = deps;

  app.get<{ Params: { id: string } }>(
    '/api/repositories/:id/key',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['repositories'],
        summary: 'Export the escrowed repository key (still protected by the passphrase)',
        params: idParamsSchema,
        response: withErrorResponses({ 200: keyExportSchema }),
      },
    },
    async (request) => {
      const repository = await requireRepository(db, request.params.id);
      if (!repository.key_escrow_secret) {
        throw new ApiError('NOT_FOUND', `Borgflow holds no key of repository ${repository.name}.`);
      }
      const key = secrets.decrypt(
        repository.key_escrow_secret,
        secretContexts.repositoryKeyEscrow(repository.id),
      );

      await recordAudit(
        db,
        {
          action: 'repository.key-export',
          target: `repository:${repository.id}`,
          outcome: 'success',
        },
        request,
      );
      return { key };
    },
  );
}
