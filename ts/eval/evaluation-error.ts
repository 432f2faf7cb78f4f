/** Evaluation that cannot run as asked: data that does not match the model, or invalid options. */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvaluationError";
  }
}
