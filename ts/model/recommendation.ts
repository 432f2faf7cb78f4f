/** What every model's recommend and similarItems return, and the error for an id a model does not know. */
export interface Recommendation {
  /** External item ids, best first. */
  items: string[];
  /** Item indices (the model's dense ids), best first. */
  indices: Int32Array;
  scores: Float32Array;
}

export class UnknownIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownIdError";
  }
}
