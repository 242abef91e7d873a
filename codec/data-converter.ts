import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { EncryptionKeys } from './keys';

/** Error messages and stack traces as encoded (so encrypted) payloads; see the file's comment. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/**
 * The data converter of every client and worker: with keys, every payload (workflow and activity
 * inputs and results, updates, queries, signals, memos, failure details, messages and stack traces)
 * is encrypted. Without, payloads stay plain JSON, and an encrypted one fails naming its key id.
 */
export function arbiterDataConverter(keys: EncryptionKeys | undefined): DataConverter {
  const payloadCodecs = [new EncryptionCodec(keys)];
  return keys ? { payloadCodecs, failureConverterPath: FAILURE_CONVERTER_PATH } : { payloadCodecs };
}
