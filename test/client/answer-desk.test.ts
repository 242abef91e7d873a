import { describe, expect, it } from 'vitest';
import { AnswerDesk } from '../../client/answer-desk';
import type { DecisionResult } from '../../core/decision';

const decision = { decisionId: 'decision-c1', outcome: 'approve', score: 0.1 } as unknown as DecisionResult;

describe('AnswerDesk', () => {
  it('hands a decision to the client waiting for that workflow id, once', async () => {
    const desk = new AnswerDesk();
    const wait = desk.expect('decision-c1');
    desk.deliver('decision-c1', { kind: 'decided', decision });
    desk.deliver('decision-c1', { kind: 'failed' });
    await expect(wait.within(1_000)).resolves.toEqual({ kind: 'decided', decision });
    expect(desk.handed).toBe(1);
    expect(desk.open).toBe(0);
  });

  it('says none after the wait, and forgets the wait', async () => {
    const desk = new AnswerDesk();
    const wait = desk.expect('decision-c2');
    await expect(wait.within(20)).resolves.toEqual({ kind: 'none' });
    expect(desk.open).toBe(0);
    desk.deliver('decision-c2', { kind: 'decided', decision });
    expect(desk.handed).toBe(0);
  });

  it('drops answers nobody here waits for, and answers to a cancelled wait', () => {
    const desk = new AnswerDesk();
    desk.deliver('decision-other', { kind: 'decided', decision });
    const wait = desk.expect('decision-c3');
    wait.cancel();
    desk.deliver('decision-c3', { kind: 'failed' });
    expect(desk.handed).toBe(0);
    expect(desk.open).toBe(0);
  });

  it('passes a failure on, so that the client reads the typed one from the workflow', async () => {
    const desk = new AnswerDesk();
    const wait = desk.expect('decision-c4');
    setTimeout(() => desk.deliver('decision-c4', { kind: 'failed' }), 5);
    await expect(wait.within(1_000)).resolves.toEqual({ kind: 'failed' });
  });

  it('answers every client waiting for the same id; one cancelling leaves the others waiting', async () => {
    const desk = new AnswerDesk();
    const [first, second, third] = [1, 2, 3].map(() => desk.expect('decision-c5'));
    first?.cancel();
    desk.deliver('decision-c5', { kind: 'decided', decision });
    await expect(second?.within(1_000)).resolves.toEqual({ kind: 'decided', decision });
    await expect(third?.within(1_000)).resolves.toEqual({ kind: 'decided', decision });
    await expect(first?.within(20)).resolves.toEqual({ kind: 'none' });
    expect(desk.handed).toBe(2);
    expect(desk.open).toBe(0);
  });
});
