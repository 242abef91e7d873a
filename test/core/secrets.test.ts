import { describe, expect, it } from 'vitest';
import { literalSecrets, redactSecrets } from '../../core/secrets';

const URI = 'https://fraud.example.com';

describe('literalSecrets: what registration refuses', () => {
  it.each<[string, Record<string, unknown>, string | undefined, string[]]>([
    [
      'an Authorization header',
      { headers: { Authorization: 'Bearer abc' } },
      undefined,
      ['config.headers.Authorization'],
    ],
    ['an *-key header', { headers: { 'x-api-key': 'k1' } }, undefined, ['config.headers.x-api-key']],
    ['a *token* header', { headers: { 'X-Auth-Token': 'anything' } }, undefined, ['config.headers.X-Auth-Token']],
    ['a *secret* header', { headers: { 'client-secret': 'x' } }, undefined, ['config.headers.client-secret']],
    [
      'a Bearer value under any name',
      { headers: { 'x-pass-through': 'Bearer abcdef123' } },
      undefined,
      ['config.headers.x-pass-through'],
    ],
    [
      'an sk- key anywhere',
      { nested: { anything: 'sk-proj-abcdefghijklmnop1234' } },
      undefined,
      ['config.nested.anything'],
    ],
    [
      'a random-looking header value',
      { headers: { 'x-custom': 'q8ZfT2mVb7Lx9KcW4nRjA1sYe6Ud' } },
      undefined,
      ['config.headers.x-custom'],
    ],
    ['a literal apiKey field', { model: 'gpt', apiKey: 'whatever' }, undefined, ['config.apiKey']],
    [
      'a JWT',
      { headers: { 'x-id': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig' } },
      undefined,
      ['config.headers.x-id'],
    ],
    ['user info in the URI', {}, 'https://user:pw@fraud.example.com', ['uri']],
    ['a key in the URI query', {}, 'https://fraud.example.com/score?api_key=abc', ['uri']],
  ])('refuses %s', (_, config, uri, paths) => {
    expect(literalSecrets({ uri: uri ?? URI, config }).map((s) => s.path)).toEqual(paths);
  });

  it.each<[string, Record<string, unknown>]>([
    ['headers by name', { headers: { authorization: { env: 'FRAUD_API_TOKEN' }, 'x-api-key': { env: 'K' } } }],
    ['ordinary headers', { headers: { 'content-type': 'application/json', accept: 'application/vnd.api+json;v=2' } }],
    [
      'an OpenAI key by name',
      { model: 'gpt-4o-mini', apiKey: { env: 'OPENAI_API_KEY' }, apiKeyEnv: 'OTHER', maxTokens: 20 },
    ],
    ['a kserve-v2 config', { model: 'fraud', features: ['amount', 'token_count'], outputName: 'predict_proba' }],
    ['prompts and expressions', { prompt: 'Is {text} phishing? Answer as JSON.', request: '{"instances": inputs}' }],
    ['an empty key', { headers: { 'x-api-key': '' } }],
  ])('accepts %s', (_, config) => {
    expect(literalSecrets({ uri: URI, config })).toEqual([]);
  });

  it('says why, in words an operator can act on', () => {
    const [found] = literalSecrets({ uri: URI, config: { headers: { authorization: 'Bearer abc' } } });
    expect(found?.why).toBe("the 'authorization' header carries a credential");
  });
});

describe('redactSecrets: what reads return', () => {
  it('replaces literal credentials with *** and keeps names and everything else', () => {
    const version = {
      name: 'fraud-api',
      uri: 'https://svc:pw@fraud.example.com/score?token=t0k&v=2',
      config: {
        headers: { authorization: 'Bearer live-secret', 'x-trace': 'on', 'x-api-key': { env: 'FRAUD_KEY' } },
        apiKey: 'sk-abcdefghijklmnopqrstuv',
        response: 'body.score',
      },
    };
    const shown = redactSecrets(version);
    expect(shown).toEqual({
      name: 'fraud-api',
      uri: 'https://***:***@fraud.example.com/score?token=***&v=2',
      config: {
        headers: { authorization: '***', 'x-trace': 'on', 'x-api-key': { env: 'FRAUD_KEY' } },
        apiKey: '***',
        response: 'body.score',
      },
    });
    expect(JSON.stringify(shown)).not.toMatch(/live-secret|sk-abc|t0k|svc:pw/);
    // The stored version is left as it is: the worker still uses it.
    expect(version.config.headers.authorization).toBe('Bearer live-secret');
  });
});
