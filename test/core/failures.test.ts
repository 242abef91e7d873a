import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  errorChain,
  Failure,
  FAILURES,
  failureChain,
  rootApplicationFailure,
  workflowFailure,
} from '../../core/failures';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TYPES = Object.entries(Failure).flatMap(([area, names]) =>
  Object.entries(names).map(([name, type]: [string, string]) => ({ area, name, type })),
);

function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return []; // a folder this checkout does not have (yet)
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the failure vocabulary', () => {
  it('names every type Area.Name, after its own key, once', () => {
    for (const { area, name, type } of TYPES) expect(type).toBe(`${area}.${name}`);
    expect(TYPES.length).toBeGreaterThan(30);
    expect(new Set(TYPES.map((t) => t.type)).size).toBe(TYPES.length);
  });

  it('says of every type, and only of those, whether it is retried and what it means', () => {
    expect(Object.keys(FAILURES).sort()).toEqual(TYPES.map((t) => t.type).sort());
    for (const [type, { retryable, meaning }] of Object.entries(FAILURES)) {
      expect([true, false, 'depends'], type).toContain(retryable);
      expect(meaning.length, type).toBeGreaterThan(10);
    }
  });

  it('is the only place type strings are written (comments aside)', () => {
    const areas = Object.keys(Failure).join('|');
    const literal = new RegExp(`['"](?:${areas})\\.[A-Z][A-Za-z]*['"]`);
    const dirs = ['core', 'workflows', 'activities', 'models', 'stores', 'workers', 'client', 'api', 'cli', 'ingest'];
    const offenders = [...dirs, 'admin', 'config']
      .flatMap((dir) => tsFiles(join(ROOT, dir)))
      .filter((path) => !path.endsWith(join('core', 'failures.ts')))
      .filter((path) => literal.test(readFileSync(path, 'utf8')))
      .map((path) => relative(ROOT, path));
    expect(offenders).toEqual([]);
  });
});

describe('failureChain', () => {
  it('lists an error and its causes, outermost first, ending at a cause that is not an Error', () => {
    const inner = new Error('inner', { cause: 'a thrown string' });
    const outer = new Error('outer', { cause: inner });
    expect(failureChain(outer)).toEqual([outer, inner, 'a thrown string']);
    expect(errorChain(outer)).toEqual([outer, inner]);
    expect(failureChain('just a string')).toEqual(['just a string']);
    expect(failureChain(undefined)).toEqual([]);
  });

  it('stops where the chain loops', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(failureChain(a)).toEqual([a, b]);
  });
});

describe('rootApplicationFailure', () => {
  const inner = ApplicationFailure.create({ type: Failure.Model.NotFound, message: 'no such model' });
  const outer = ApplicationFailure.create({ type: Failure.Store.Unavailable, message: 'wrapped', cause: inner });
  const activity = new ActivityFailure(
    'activity failed',
    'callModel',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    undefined,
    outer,
  );

  it('finds the innermost ApplicationFailure, under wrappers and above plain errors', () => {
    const plain = new Error('socket hang up');
    const withPlain = ApplicationFailure.create({ message: 'failed', type: Failure.Model.Failed, cause: plain });
    expect(rootApplicationFailure(activity)).toBe(inner);
    expect(rootApplicationFailure(new Error('client side', { cause: activity }))).toBe(inner);
    expect(rootApplicationFailure(withPlain)).toBe(withPlain);
    expect(rootApplicationFailure(plain)).toBeUndefined();
  });

  it('leaves the outermost to errorChain', () => {
    expect(errorChain(activity).find((e) => e instanceof ApplicationFailure)).toBe(outer);
  });
});

describe('workflowFailure', () => {
  it('passes a TemporalFailure through unchanged', () => {
    const failure = ApplicationFailure.create({
      type: Failure.Decision.InvalidCase,
      message: 'bad',
      nonRetryable: true,
    });
    const cancelled = new CancelledFailure('cancelled');
    expect(workflowFailure(failure)).toBe(failure);
    expect(workflowFailure(cancelled)).toBe(cancelled);
  });

  it('wraps anything else in a non-retryable Workflow.Unexpected that keeps it as cause', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'score')");
    const failure = workflowFailure(bug);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'Workflow.Unexpected', nonRetryable: true, message: String(bug) });
    expect(failure.cause).toBe(bug);
    const thrown = workflowFailure('a string');
    expect(thrown).toMatchObject({ type: 'Workflow.Unexpected', nonRetryable: true, message: 'a string' });
    expect(thrown.cause).toBeUndefined();
  });
});
