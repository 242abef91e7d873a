#!/usr/bin/env node
// @ts-check
// What kubeconform cannot know about the rendered chart (scripts/validate-deploy.sh runs this on
// `helm template` output): every Arbiter pod has its probes, resources, non-root user and secret
// reference; its grace period covers the drain (ARBITER_SHUTDOWN_GRACE + 5 s margin + preStop);
// every HPA and PDB points at a Deployment; one pool Deployment per modelPools entry; no Secret.
//   node scripts/check-manifests.js <rendered.yaml> <values.yaml>
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';

const [rendered, valuesFile] = process.argv.slice(2);
if (!rendered || !valuesFile) throw new Error('usage: node scripts/check-manifests.js <rendered.yaml> <values.yaml>');
/** @type {any[]} */
const docs = parseAllDocuments(readFileSync(rendered, 'utf8'))
  .map((d) => d.toJS())
  .filter(Boolean);
/** @type {{ modelPools?: unknown[] }} */
const values = parse(readFileSync(valuesFile, 'utf8')) ?? {};
/** @type {string[]} */
const problems = [];
const need = (/** @type {unknown} */ ok, /** @type {string} */ what) => ok || problems.push(what);

const deployments = docs.filter((d) => d.kind === 'Deployment');
const byName = new Map(deployments.map((d) => [d.metadata.name, d]));
const seconds = (/** @type {string} */ v) => Number(/^(\d+)s$/.exec(v)?.[1] ?? NaN);
for (const d of deployments) {
  const pod = d.spec.template.spec;
  const name = d.metadata.name;
  need(pod.securityContext?.runAsNonRoot === true, `${name}: runAsNonRoot`);
  for (const c of pod.containers) {
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) need(c[probe], `${name}: ${probe}`);
    need(c.resources?.requests?.cpu && c.resources?.limits?.memory, `${name}: cpu request and memory limit`);
    need(
      c.envFrom?.some((/** @type {any} */ e) => e.secretRef?.name),
      `${name}: secretRef`,
    );
    const grace = seconds(c.env?.find((/** @type {any} */ e) => e.name === 'ARBITER_SHUTDOWN_GRACE')?.value ?? '');
    const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
    need(pod.terminationGracePeriodSeconds >= grace + 5 + preStop, `${name}: terminationGracePeriodSeconds < drain`);
  }
}
for (const h of docs.filter((d) => d.kind === 'HorizontalPodAutoscaler')) {
  const target = byName.get(h.spec.scaleTargetRef.name);
  need(target, `${h.metadata.name}: HPA target missing`);
  need(target?.spec.replicas === undefined, `${h.metadata.name}: replicas set beside an HPA`);
}
for (const p of docs.filter((d) => d.kind === 'PodDisruptionBudget')) {
  const sel = Object.entries(p.spec.selector.matchLabels);
  const matched = deployments.filter((d) => sel.every(([k, v]) => d.spec.template.metadata.labels[k] === v));
  need(matched.length === 1, `${p.metadata.name}: PDB selects ${matched.length} Deployments`);
}
const pools = deployments.filter((d) => d.spec.template.spec.containers[0].args?.[0] === 'model-pool');
need(pools.length === (values.modelPools ?? [{}]).length, `model-pool Deployments: ${pools.length}`);
need(!docs.some((d) => d.kind === 'Secret'), 'the chart renders a Secret (secrets are referenced, not committed)');

if (problems.length) {
  for (const p of problems) console.error(`[deploy] ${rendered}: ${p}`);
  process.exit(1);
}
console.log(`[deploy] ${deployments.length} Deployments: probes, resources, drain and scaling as promised`);
