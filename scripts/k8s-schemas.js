#!/usr/bin/env node
// @ts-check
// Kubernetes JSON schemas for kubeconform, made offline from the OpenAPI spec that the Go module
// k8s.io/kubernetes ships (api/openapi-spec/swagger.json, fetched into the Go module cache by
// `go mod download`): one strict, self-contained schema per kind, named as kubeconform's
// `{{ .ResourceKind }}{{ .KindSuffix }}.json` expects (deployment-apps-v1.json, service-v1.json).
//   node scripts/k8s-schemas.js <out dir>      K8S_VERSION picks the release (default below)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const K8S_VERSION = process.env.K8S_VERSION ?? 'v1.34.2';
const out = process.argv[2];
if (!out) throw new Error('usage: node scripts/k8s-schemas.js <out dir>');

const info = JSON.parse(
  execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${K8S_VERSION}`], {
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  }),
);
/** @type {{ definitions: Record<string, Record<string, unknown>> }} */
const spec = JSON.parse(readFileSync(join(info.Dir, 'api/openapi-spec/swagger.json'), 'utf8'));

// Swagger 2 spells these as plain strings; manifests may write numbers ("replicas: 1", "cpu: 2").
const LOOSE = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

/**
 * Strict: an object schema with properties admits no others (a misspelt field fails), as
 * kubeconform's own -strict schemas do. Nullable fields accept null, as the API server does.
 * @param {unknown} node
 * @returns {unknown}
 */
function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  /** @type {Record<string, unknown>} */
  const copy = {};
  for (const [k, v] of Object.entries(node)) copy[k] = strict(v);
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  if (typeof copy.type === 'string' && !copy.$ref) copy.type = [copy.type, 'null'];
  return copy;
}

const definitions = /** @type {Record<string, unknown>} */ (strict(spec.definitions));
Object.assign(definitions, LOOSE);
/**
 * The definitions a kind's schema reaches through $ref, itself included.
 * @param {string} root
 */
function reachable(root) {
  /** @type {Record<string, unknown>} */
  const found = {};
  const queue = [root];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (name in found) continue;
    found[name] = definitions[name];
    for (const m of JSON.stringify(definitions[name]).matchAll(/"#\/definitions\/([^"]+)"/g)) queue.push(m[1] ?? '');
  }
  return found;
}

mkdirSync(out, { recursive: true });
let written = 0;
for (const [name, def] of Object.entries(spec.definitions)) {
  const gvks = /** @type {{ group: string, version: string, kind: string }[] | undefined} */ (
    def['x-kubernetes-group-version-kind']
  );
  if (!gvks || !name.startsWith('io.k8s.api.')) continue;
  for (const { group, version, kind } of gvks) {
    const suffix = group ? `-${group.split('.')[0]}-${version}` : `-${version}`;
    const schema = { $schema: 'http://json-schema.org/schema#', .../** @type {object} */ (definitions[name]) };
    // Every $ref is local (#/definitions/...): the file carries the definitions it points into.
    writeFileSync(
      join(out, `${kind.toLowerCase()}${suffix}.json`),
      JSON.stringify({ ...schema, definitions: reachable(name) }),
    );
    written++;
  }
}
writeFileSync(join(out, '.done'), `${K8S_VERSION}\n`);
console.log(`[deploy] ${written} Kubernetes ${K8S_VERSION} schemas in ${out}`);
