import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/** Where and how to reach Temporal, from TEMPORAL_* variables and profiles (the SDK's envconfig). */
export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

/** Reads TEMPORAL_ADDRESS and friends; `address` overrides them (the embedded dev server). */
export function temporalTarget(address?: string): TemporalTarget {
  const config = loadClientConnectConfig();
  const connectionOptions = address ? { ...config.connectionOptions, address } : config.connectionOptions;
  return { connectionOptions, namespace: config.namespace ?? 'default' };
}
