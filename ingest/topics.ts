import { Admin } from '@platformatic/kafka';
import type { KafkaSecurity } from './consumer';
import { KafkaUnavailableError } from './errors';

/**
 * Creates whichever of `topics` do not exist yet, with the broker's defaults for partitions and
 * replicas (`num.partitions`, `default.replication.factor`): create them beforehand for other
 * settings. Safe to run from several instances at once.
 * @param security TLS and SASL, as for startIngest @default {} (PLAINTEXT)
 * @returns the topics it created
 * @throws KafkaUnavailableError when the brokers cannot be reached or refuse
 */
export async function ensureTopics(
  brokers: string[],
  topics: string[],
  security: KafkaSecurity = {},
): Promise<string[]> {
  const admin = new Admin({ ...security, clientId: 'arbiter-ingest-admin', bootstrapBrokers: brokers });
  try {
    const missing = await missingTopics(admin, topics);
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({ topics: missing });
    } catch (err) {
      // Another instance may have created them in between: that is as good.
      if ((await missingTopics(admin, missing)).length > 0) throw err;
    }
    return missing;
  } catch (err) {
    throw new KafkaUnavailableError(brokers, 'create topics on', { cause: err });
  } finally {
    await admin.close();
  }
}

async function missingTopics(admin: Admin, topics: string[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  return [...new Set(topics)].filter((t) => !existing.has(t));
}
