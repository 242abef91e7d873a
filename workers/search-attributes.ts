import { Connection, type ConnectionOptions } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';

/**
 * Registers Arbiter's search attributes on a self-hosted cluster where they are missing, so a
 * fresh docker-compose stack needs no admin step. Returns the names it added. On Temporal Cloud
 * they are managed per namespace outside the SDK; a refusal there is reported, not fatal.
 */
export async function ensureSearchAttributes(options: ConnectionOptions, namespace: string): Promise<string[]> {
  const connection = await Connection.connect(options);
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
    if (missing.length === 0) return [];
    const searchAttributes = Object.fromEntries(
      missing.map((key) => [key.name, proto.temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
    );
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    return missing.map((key) => key.name);
  } finally {
    await connection.close();
  }
}
