import { describe, expect, it } from 'vitest';
import { redactConnectionStrings, redactedMessage } from '../../core/redact';

describe('redactConnectionStrings', () => {
  it.each([
    ['postgres://user:pass@host:5432/db', 'postgres://***'],
    ['postgresql://app@db.internal/arbiter?sslmode=require', 'postgresql://***'],
    ['postgres://host:5432/db', 'postgres://***'],
    ['redis://:pw@h', 'redis://***'],
    ['rediss://default:s3cret@cache.example.com:6380/0', 'rediss://***'],
    ['redis://h:6379', 'redis://***'],
    ['kafka://broker-1:9092', 'kafka://***'],
    ['https://user:token@models.example.com/v1/score', 'https://***@models.example.com/v1/score'],
    ['https://models.example.com/v1/score', 'https://models.example.com/v1/score'],
    [
      'similar-case search failed: connect ECONNREFUSED for postgres://arbiter:hunter2@10.0.0.7:5432/decisions.',
      'similar-case search failed: connect ECONNREFUSED for postgres://***.',
    ],
    [
      'could not reach (redis://:pw@cache:6379/0), retrying; then postgres://u@h/db failed',
      'could not reach (redis://***), retrying; then postgres://*** failed',
    ],
    [
      "connection 'host=db user=app password=hunter2 dbname=x' refused",
      "connection 'host=db user=app password=*** dbname=x' refused",
    ],
    ['no URL here: ECONNREFUSED 127.0.0.1:5432', 'no URL here: ECONNREFUSED 127.0.0.1:5432'],
    ['not a redis:// or rediss:// URL', 'not a redis:// or rediss:// URL'],
    ['', ''],
  ])('%s', (text, expected) => {
    expect(redactConnectionStrings(text)).toBe(expected);
  });

  it('reads an error or anything else as its message', () => {
    expect(redactedMessage(new Error('at postgres://u:p@h/db'))).toBe('at postgres://***');
    expect(redactedMessage('redis://:pw@h')).toBe('redis://***');
  });
});
