import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../auth/services';
import { withErrorResponses } from '../schemas/common';
import { AUDIT_PAGE_DEFAULT, auditPageSchema, auditQuerySchema } from '../schemas/audit';

interface AuditQuery {
  cursor?: string;
  limit?: number;
}

/** The audit trail, newest first, paged by id so that new entries never shift a page. */
export async function auditRoutes(app: FastifyInstance, { db }: RouteDependencies): Promise<void> {
  app.get<{ Querystring: AuditQuery }>(
    '/api/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first',
        querystring: auditQuerySchema,
        response: withErrorResponses({ 200: auditPageSchema }),
      },
    },
    async (request) => {
      const { cursor, limit = AUDIT_PAGE_DEFAULT } = request.query;
      let query = db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (cursor) query = query.where('id', '<', cursor);
      const rows = await query.execute();

      const page = rows.slice(0, limit);
      const hasMore = rows.length > limit;
      return {
        entries: page.map((row) => ({
          id: String(row.id),
          at: row.at,
          userId: row.user_id,
          username: row.username,
          action: row.action,
          target: row.target,
          address: row.address,
          outcome: row.outcome,
          details: row.details,
        })),
        nextCursor: hasMore ? String(page[page.length - 1].id) : null,
      };
    },
  );
}
