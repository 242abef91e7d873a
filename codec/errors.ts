/**
 * A payload names a key id this process does not hold: add that key to ARBITER_ENCRYPTION_KEYS
 * (after the current one) and the workflow task or request that failed succeeds on its retry.
 */
export class UnknownEncryptionKeyError extends Error {
  constructor(readonly keyId: string) {
    // `arbiter dev`'s own keys are named dev-…: attached commands find them through the data dir.
    const where = keyId.startsWith('dev-')
      ? `run it with the ARBITER_DATA_DIR of the 'arbiter dev' that made it (its key is in <data dir>/encryption-keys)`
      : `add '${keyId}:<key>' to ARBITER_ENCRYPTION_KEYS (after the key that encrypts)`;
    super(`payload is encrypted with key '${keyId}', which this process does not have: ${where}`);
    this.name = 'UnknownEncryptionKeyError';
  }
}

/** The ciphertext or its tag does not check out: tampered, truncated, or encrypted under another key with this id. */
export class PayloadDecryptionError extends Error {
  constructor(
    readonly keyId: string,
    options?: ErrorOptions,
  ) {
    super(`payload encrypted with key '${keyId}' failed to decrypt (tampered, truncated or a different key)`, options);
    this.name = 'PayloadDecryptionError';
  }
}
