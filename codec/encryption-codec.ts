import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { PayloadDecryptionError, UnknownEncryptionKeyError } from './errors';
import type { EncryptionKeys } from './keys';

/** The metadata of every payload this codec encrypts (samples-typescript `encryption/`'s names). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * AES-256-GCM over the whole payload (its metadata too, so the JSON encoding is hidden as well):
 * data = iv (12) ‖ ciphertext ‖ tag (16), WebCrypto's layout, so the sample's codec reads it.
 * Payloads that are not encrypted decode unchanged: histories from before encryption was turned on
 * (and the replay corpus) keep working.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;

  /** Without keys it encrypts nothing, and fails on an encrypted payload naming its key (not "unknown encoding"). */
  constructor(private readonly keyring: EncryptionKeys | undefined) {
    this.keys = new Map(keyring?.all.map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    if (!this.keyring) return Promise.resolve(payloads);
    const { id, key } = this.keyring.current;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
        const plain = proto.temporal.api.common.v1.Payload.encode(payload).finish();
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: {
            [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
            [METADATA_ENCRYPTION_KEY_ID]: Buffer.from(id),
          },
          data,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // The executor's throw becomes the rejection.
    return new Promise((resolve) => resolve(payloads.map((p) => this.decodeOne(p))));
  }

  private decodeOne(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID]) ?? '';
    const key = this.keys.get(keyId);
    if (!key) throw new UnknownEncryptionKeyError(keyId);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(keyId);
    try {
      const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return proto.temporal.api.common.v1.Payload.decode(plain);
    } catch (err) {
      throw new PayloadDecryptionError(keyId, { cause: err });
    }
  }
}
