import { describe, expect, it } from 'vitest';
import { clusterConfig } from '../../scripts/cluster.js';

// The lines of the server's development-postgres12.yaml (v1.32.2) that scripts/cluster.js rewrites.
const TEMPLATE = `log:
  level: info
persistence:
  datastores:
    postgres-default:
      sql:
        databaseName: "temporal"
        connectAddr: "127.0.0.1:5432"
        user: "temporal"
        password: "temporal"
    postgres-visibility:
      sql:
        databaseName: "temporal_visibility"
        connectAddr: "127.0.0.1:5432"
        user: "temporal"
        password: "temporal"
global:
  pprof:
    port: 7936
  metrics:
    prometheus:
      listenAddress: "127.0.0.1:8000"
services:
  frontend: { rpc: { grpcPort: 7233, membershipPort: 6933, httpPort: 7243 } }
  matching: { rpc: { grpcPort: 7235, membershipPort: 6935 } }
  history: { rpc: { grpcPort: 7234, membershipPort: 6934 } }
  worker: { rpc: { grpcPort: 7239, membershipPort: 6939 } }
clusterMetadata:
  clusterInformation:
    active:
      rpcAddress: "localhost:7233"
dynamicConfigClient:
  filepath: "config/dynamicconfig/development-sql.yaml"
`;

const options = {
  ports: [21001, 21002, 21003, 21004, 21005, 21006, 21007, 21008, 21009, 21010, 21011],
  pg: new URL('postgres://arb%40iter:s3cret@10.0.0.5:6543'),
  databases: ['temporal_ab', 'temporal_visibility_ab'],
  dynamicConfig: '/run/dc.yaml',
};

describe("the cluster's server config", () => {
  it("puts this cluster's ports, PostgreSQL, databases and dynamic config into the shipped template", () => {
    const out = clusterConfig(TEMPLATE, options);
    expect(out).not.toMatch(/\b(7233|6933|7243|7235|6935|7234|6934|7239|6939|7936|8000|5432)\b/);
    expect(out).toContain('grpcPort: 21001, membershipPort: 21002, httpPort: 21003');
    expect(out).toContain('rpcAddress: "localhost:21001"');
    expect(out).toContain('listenAddress: "127.0.0.1:21011"');
    expect(out.match(/connectAddr: "10.0.0.5:6543"/g)).toHaveLength(2);
    expect(out.match(/user: "arb@iter"/g)).toHaveLength(2);
    expect(out).toContain('databaseName: "temporal_ab"');
    expect(out).toContain('databaseName: "temporal_visibility_ab"');
    expect(out).toContain('filepath: "/run/dc.yaml"');
    expect(out).toContain('level: warn');
  });

  it('refuses a template that lacks a line it must rewrite', () => {
    expect(() => clusterConfig(TEMPLATE.replace('grpcPort: 7235', 'grpcPort: 9999'), options)).toThrow(
      "the server's config template no longer contains 'grpcPort: 7235'",
    );
  });
});
