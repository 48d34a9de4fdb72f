import type { FastifyInstance } from 'fastify';
import { auditEntrySchema } from './audit';
import type { SharedSchemaId } from './common';
import { maintenanceScheduleSchema } from './maintenance-schedules';
import { notificationChannelSchema } from './notifications';
import { planSchema } from './plans';
import { archiveItemSchema, archiveSchema, repositorySchema } from './repositories';
import { runSchema } from './runs';
import { sshKeySchema } from './ssh-keys';
import { tokenSchema } from './tokens';
import { userSchema } from './users';

const sharedSchemas: Record<SharedSchemaId, object> = {
  ApiToken: tokenSchema,
  Archive: archiveSchema,
  ArchiveItem: archiveItemSchema,
  AuditEntry: auditEntrySchema,
  MaintenanceSchedule: maintenanceScheduleSchema,
  NotificationChannel: notificationChannelSchema,
  Plan: planSchema,
  Repository: repositorySchema,
  Run: runSchema,
  SshKey: sshKeySchema,
  User: userSchema,
};

/**
 * Registers the shared response shapes before any route refers to them (`schemaRef`): the
 * serializer resolves them, and the OpenAPI document lists them by name for client generators.
 */
export function registerSharedSchemas(app: FastifyInstance): void {
  for (const [id, schema] of Object.entries(sharedSchemas)) app.addSchema({ $id: id, ...schema });
}

/** Names each shared shape in the OpenAPI document after its id instead of `def-<n>`. */
export function sharedSchemaName(json: { $id?: string }, index: number): string {
  return json.$id ?? `def-${index}`;
}
