import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../config/paths';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { SHUTDOWN_MARGIN_MS } from '../workers/signals';

// What docker-compose.yml and the Helm chart promise, read from their sources. The Compose CLI,
// helm lint/template and kubeconform check them as tools in CI (scripts/validate-deploy.sh).
const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  env_file?: { path: string; required: boolean }[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }> | string[];
}
const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const arbiter = Object.entries(services).filter(([name]) => name.startsWith('arbiter-'));

describe('docker-compose.yml', () => {
  it('runs Temporal on temporalio/server with admin-tools jobs, not the retired auto-setup and tctl', () => {
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-setup']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(composeText).not.toMatch(/auto-setup|tctl/);
    expect(services.temporal?.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
  });

  it('has every part of the stack', () => {
    const parts = ['postgresql', 'temporal-ui', 'redis', 'kafka', 'prometheus', 'grafana'];
    const processes = ['worker', 'model-pool', 'api', 'ingest', 'codec-server'];
    expect(Object.keys(services)).toEqual(expect.arrayContaining(parts));
    expect(services.postgresql?.image).toMatch(/^pgvector\/pgvector:/);
    expect(arbiter.map(([, s]) => s.command?.[0]).sort()).toEqual([...processes].sort());
  });

  it('writes no password: secrets come from the env file, required ones with ${VAR:?}', () => {
    for (const line of composeText.split('\n').filter((l) => /PASSWORD|_KEYS|postgres:\/\//.test(l))) {
      if (/^\s*#/.test(line)) continue;
      expect(line, line).toMatch(/\$\{[A-Z_]+:\?[^}]+\}|PASSWORD_FILE|^\s*[A-Z_]+: \$\{/);
    }
    for (const [name, s] of arbiter)
      expect(s.env_file, name).toEqual([{ path: '${ARBITER_ENV_FILE:-.env}', required: true }]);
  });

  it('names in .env.example every variable it requires', () => {
    const required = new Set([...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]));
    const example = new Set([...read('.env.example').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    expect([...required].filter((v) => !example.has(v))).toEqual([]);
    expect(read('.gitignore').split('\n')).toContain('.env');
  });

  it('checks the health of the worker, the model pool and the API', () => {
    for (const name of ['arbiter-worker', 'arbiter-model-pool', 'arbiter-api']) {
      expect(services[name]?.healthcheck?.test, name).toEqual(['CMD', 'node', 'bin/arbiter.js', 'health']);
    }
    expect(services['arbiter-api']?.environment?.ARBITER_HEALTH_URL).toMatch(/\/healthz$/);
  });

  it("creates every one of Arbiter's search attributes in the namespace job", () => {
    const script = read('deploy/temporal/setup-namespace.sh');
    const attrs = /for attr in ([^;]+);/.exec(script)?.[1]?.split(' ') ?? [];
    const cliType: Record<string, string> = { KEYWORD: 'Keyword', DOUBLE: 'Double', BOOL: 'Bool' };
    expect(attrs.sort()).toEqual(SEARCH_ATTRIBUTES.map((k) => `${k.name}=${cliType[k.type]}`).sort());
  });

  it("sets up both of Temporal's databases with its sql tool", () => {
    const script = read('deploy/temporal/setup-schema.sh');
    expect(script).toMatch(/temporal-sql-tool --plugin postgres12/);
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d']) expect(script).toContain(step);
    expect(script).toMatch(/temporal_visibility\}:visibility/);
  });
});

interface Values {
  shutdownGraceSeconds: number;
  preStopSleepSeconds: number;
  secrets: { existingSecret: string };
  config: Record<string, string>;
  modelPools: { name: string; models: string[] }[];
}
const values = parse(read('deploy/helm/arbiter/values.yaml')) as Values;

describe('the Helm chart', () => {
  it("gives a pod the worker's whole drain before the kubelet kills it", () => {
    // terminationGracePeriodSeconds = grace + margin + preStop + slack (templates/_helpers.tpl)
    expect(read('deploy/helm/arbiter/templates/_helpers.tpl')).toContain(
      `add .Values.shutdownGraceSeconds ${SHUTDOWN_MARGIN_MS / 1000} .Values.preStopSleepSeconds 5`,
    );
    expect(read('deploy/helm/arbiter/templates/_helpers.tpl')).toMatch(/name: ARBITER_SHUTDOWN_GRACE/);
    expect(values.shutdownGraceSeconds).toBeGreaterThanOrEqual(10); // ARBITER_SHUTDOWN_GRACE's default
  });

  it('references its secrets and commits none', () => {
    expect(values.secrets.existingSecret).toBeTruthy();
    expect(Object.keys(values.config).filter((k) => /PASSWORD|SECRET|_KEY|DATABASE_URL/.test(k))).toEqual([]);
    expect(read('deploy/helm/arbiter/templates/_helpers.tpl')).toMatch(
      /secretRef:\s+name: \{\{ \$root\.Values\.secrets\.existingSecret \}\}/,
    );
  });

  it('runs one model-pool Deployment per entry of modelPools', () => {
    expect(read('deploy/helm/arbiter/templates/model-pools.yaml')).toMatch(/range \$pool := \.Values\.modelPools/);
    expect(values.modelPools.map((p) => p.name)).toEqual(['default']);
  });
});
