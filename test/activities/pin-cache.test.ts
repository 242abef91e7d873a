import { describe, expect, it } from 'vitest';
import { PinCache } from '../../activities/pin-cache';

/** A registry generation the test moves, counting how often it is read. */
function registry() {
  const state = { generation: 1, reads: 0 };
  const read = () => {
    state.reads += 1;
    return Promise.resolve(String(state.generation));
  };
  return { state, read };
}

describe('PinCache', () => {
  it('reads the generation once for pins asked side by side (a pipeline and its rule set)', async () => {
    const { state, read } = registry();
    const cache = new PinCache(read);
    const [pipeline, rules] = await Promise.all([
      cache.get('pipeline demo', () => Promise.resolve('demo@1')),
      cache.get('rules demo', () => Promise.resolve('rules@1')),
    ]);
    expect([pipeline, rules, state.reads]).toEqual(['demo@1', 'rules@1', 1]);
  });

  it('reads it afresh for a pin asked after a read went out, so a promotion in between is seen', async () => {
    const { state, read } = registry();
    const cache = new PinCache(read);
    let version = 1;
    const load = () => Promise.resolve(`demo@${version}`);
    expect(await cache.get('pipeline demo', load)).toBe('demo@1');
    expect(await cache.get('pipeline demo', load)).toBe('demo@1'); // a hit: same generation
    version = 2;
    state.generation = 2; // what a promotion's trigger does
    expect(await cache.get('pipeline demo', load)).toBe('demo@2');
    expect(state.reads).toBe(3);
  });

  it('does not let a caller join a read that was sent before it asked', async () => {
    const { state, read } = registry();
    const cache = new PinCache(read);
    let version = 1;
    const load = () => Promise.resolve(`demo@${version}`);
    const first = cache.get('pipeline demo', load);
    await Promise.resolve(); // the first read has gone out (generation 1)
    version = 2;
    state.generation = 2; // a promotion lands while it is under way
    const second = cache.get('pipeline demo', load);
    await first;
    // Joined to the first read, it would have found generation 1 and the first's pin.
    expect(await second).toBe('demo@2');
    expect(state.reads).toBe(2);
  });
});
