import { createRoute, z } from '@hono/zod-openapi';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { cors } from 'hono/cors';
import type { ApiApp } from '../deps';
import { problemResponses } from '../problems';
import { jsonBody, jsonResponse } from './openapi';

/** Where the codec endpoint is mounted: the Temporal UI and CLI are given `<base URL>/codec`. */
export const CODEC_PREFIX = '/codec';

const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
/** A payload as Temporal's codec servers speak it: proto JSON, bytes in base64. */
const JsonPayloadSchema = z.object({
  metadata: z.record(z.string(), Base64Schema).nullish(),
  data: Base64Schema.nullish(),
});
// Proto JSON leaves an empty list out: the Temporal CLI sends `{}` for an event without payloads.
const PayloadsSchema = z
  .object({ payloads: z.array(JsonPayloadSchema).default([]) })
  .meta({ description: "Temporal's remote codec wire format" });
type JsonPayload = z.infer<typeof JsonPayloadSchema>;

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: metadata && Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : undefined,
});
const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata:
    metadata &&
    Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: data ? Buffer.from(data).toString('base64') : undefined,
});

const route = (op: 'encode' | 'decode') =>
  createRoute({
    method: 'post',
    path: `${CODEC_PREFIX}/${op}`,
    tags: ['codec'],
    summary:
      op === 'decode'
        ? 'Decrypt payloads for the Temporal UI and CLI (payloads not encrypted come back unchanged)'
        : 'Encrypt payloads with the current key (the Temporal UI, e.g. to send a signal)',
    request: {
      headers: z.object({ 'x-namespace': z.string().optional() }),
      body: jsonBody(PayloadsSchema),
    },
    responses: { 200: jsonResponse(PayloadsSchema, `the ${op}d payloads`), ...problemResponses(400, 401, 403, 413) },
  });

/** CORS for the Temporal UI's calls to the codec endpoint (ARBITER_CODEC_CORS_ORIGINS). */
export function codecCors(origins: readonly string[]) {
  return cors({
    origin: [...origins],
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type', 'x-namespace'],
    credentials: true,
    maxAge: 600,
  });
}

/** The codecs applied in order on encode, in reverse on decode (as the SDK does). */
async function run(codecs: readonly PayloadCodec[], op: 'encode' | 'decode', payloads: Payload[]) {
  let out = payloads;
  for (const codec of op === 'encode' ? codecs : [...codecs].reverse()) out = await codec[op](out);
  return out;
}

/**
 * `POST /codec/encode` and `/codec/decode` (Temporal's remote codec protocol) with `codecs()`, the
 * codecs the client uses. One keyring serves every namespace, so `X-Namespace` is accepted and not consulted.
 */
export function codecRoutes(app: ApiApp, codecs: () => readonly PayloadCodec[]): void {
  for (const op of ['encode', 'decode'] as const) {
    app.openapi(route(op), async (c) => {
      // An unknown key id or a tampered payload throws: api/error-problems.ts makes it a 400.
      const payloads = await run(codecs(), op, c.req.valid('json').payloads.map(fromJson));
      return c.json({ payloads: payloads.map(toJson) }, 200);
    });
  }
}
