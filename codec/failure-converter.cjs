// The failure converter of every Arbiter worker and client when payloads are encrypted: error
// messages and stack traces go into an encoded payload (so the codec encrypts them) instead of
// plain text in the history. CommonJS on purpose: the SDK loads it with require() (worker and
// client) and bundles it into the workflow sandbox, and neither can load TypeScript or ESM here.
const { DefaultFailureConverter } = require('@temporalio/common'); // eslint-disable-line @typescript-eslint/no-require-imports

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
