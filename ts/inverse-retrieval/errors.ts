/** Bad input to inverse retrieval (N, slots, orderings, item lists): the message says what to change. */
export class InverseRetrievalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InverseRetrievalError";
  }
}
