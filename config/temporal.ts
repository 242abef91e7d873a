import type { DataConverter } from '@temporalio/common';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { arbiterDataConverter } from '../codec/data-converter';
import type { EncryptionKeys } from '../codec/keys';

/** Where and how to reach Temporal, from TEMPORAL_* variables and profiles (the SDK's envconfig). */
export interface TemporalTarget {
  /** envconfig's own shape (a worker's NativeConnection and a client's Connection both take it). */
  connectionOptions: ClientConnectConfig['connectionOptions'];
  namespace: string;
  /** Every client and worker Arbiter creates takes this one (payload encryption when keys are given). */
  dataConverter: DataConverter;
}

/**
 * Reads TEMPORAL_ADDRESS and friends; `address` overrides them (the embedded dev server).
 * @param keys payload encryption keys (config/encryption.ts `encryptionKeysOf`) @default none: payloads in plain JSON
 */
export function temporalTarget(address?: string, keys?: EncryptionKeys): TemporalTarget {
  const config = loadClientConnectConfig();
  const connectionOptions = address ? { ...config.connectionOptions, address } : config.connectionOptions;
  return { connectionOptions, namespace: config.namespace ?? 'default', dataConverter: arbiterDataConverter(keys) };
}
