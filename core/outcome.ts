import { z } from 'zod';

/** The three things a decision can say. */
export const OutcomeSchema = z.enum(['approve', 'decline', 'review']);
export type Outcome = z.infer<typeof OutcomeSchema>;
