import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { clusterState, startCluster, stopCluster } from '../../scripts/cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real Temporal server's frontend and the PostgreSQL it runs on (admin URL). */
    cluster: { address: string; pgUrl: string };
  }
}

/**
 * The cluster for the whole run: the one `node scripts/cluster.js start --dir D` recorded when
 * ARBITER_CLUSTER_DIR=D is set, else a fresh one (built first if need be) stopped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const attachTo = process.env.ARBITER_CLUSTER_DIR;
  if (attachTo) {
    const state = clusterState(attachTo);
    if (!state)
      throw new Error(
        `ARBITER_CLUSTER_DIR=${attachTo} holds no running cluster (node scripts/cluster.js start --dir ${attachTo})`,
      );
    project.provide('cluster', { address: state.address, pgUrl: state.pgUrl });
    return () => Promise.resolve();
  }
  const dir = await mkdtemp(join(tmpdir(), 'arbiter-cluster-'));
  const state = await startCluster({ dir });
  project.provide('cluster', { address: state.address, pgUrl: state.pgUrl });
  return async () => {
    await stopCluster(dir);
    await rm(dir, { recursive: true, force: true });
  };
}
