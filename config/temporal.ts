import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';

/** Where and how to reach Temporal, from TEMPORAL_* variables and profiles (the SDK's envconfig). */
export interface TemporalTarget {
  /** envconfig's own shape (a worker's NativeConnection and a client's Connection both take it). */
  connectionOptions: ClientConnectConfig['connectionOptions'];
  namespace: string;
}

/** Reads TEMPORAL_ADDRESS and friends; `address` overrides them (the embedded dev server). */
export function temporalTarget(address?: string): TemporalTarget {
  const config = loadClientConnectConfig();
  const connectionOptions = address ? { ...config.connectionOptions, address } : config.connectionOptions;
  return { connectionOptions, namespace: config.namespace ?? 'default' };
}
