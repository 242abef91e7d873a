/** A required JSON request body of `schema`. */
export const jsonBody = <S>(schema: S) => ({ required: true, content: { 'application/json': { schema } } });

/** A JSON response of `schema`. */
export const jsonResponse = <S>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
