import type { Connection } from '@temporalio/client';
import { temporalApi } from './proto';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const { IndexedValueType } = temporalApi.enums.v1;
const INDEXED_TYPES: Record<string, temporalApi.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
};

/**
 * Registers Borgflow's search attributes on a Temporal server that does not have them yet (the dev
 * server gets them on its command line; a production server gets them here or from its setup job).
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_TYPES[key.type]])),
  });

  return missing.map((key) => key.name);
}
