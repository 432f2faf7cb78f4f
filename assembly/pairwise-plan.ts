// The memory layout of a BPR/BCE training run (assembly/pairwise.ts): the plan every thread
// shares and each thread's own state, both written by ts/train/pairwise-plan.ts. Also the early
// loads that the training loops use in place of a prefetch instruction.

/**
 * The shared plan of a training run, written by ts/train/pairwise-plan.ts (the same fields in the
 * same order: 4 bytes each). Pointers are byte offsets; a 0 pointer means "absent".
 */
@unmanaged export class Plan {
  userTable: usize;
  itemTable: usize;
  dim: i32;
  nUsers: i32;
  nItems: i32;
  /** byUser CSR: indptr (nUsers + 1) and each user's items sorted (for rejection). */
  indptr: usize;
  sortedItems: usize;
  /** The epoch's interactions in their shuffled order: user and item of each (sequential reads). */
  epochUsers: usize;
  epochItems: usize;
  /** 0 = BPR, 1 = BCE, 2 = CCL (the cosine contrastive loss on unit-norm rows). */
  loss: i32;
  negatives: i32;
  /** Draws per negative, the best-scored kept (1 = plain sampling). */
  candidates: i32;
  /** Rejection tries against the user's own items before a draw is kept anyway. */
  maxTries: i32;
  /** Popularity proposal: alias table (f32 probabilities, i32 aliases); 0 = uniform. */
  aliasProb: usize;
  aliasIndex: usize;
  /** IPS weight per item (applied to positives), or 0. */
  ipsWeights: usize;
  /** 0 = SGD, 1 = Adagrad, 2 = Adam, 3 = none (gradients only: the caller steps, e.g. with ReSN). */
  optimizer: i32;
  userState1: usize;
  userState2: usize;
  itemState1: usize;
  itemState2: usize;
  learningRate: f32;
  l2: f32;
  beta1: f32;
  beta2: f32;
  eps: f32;
  /** Adam's global step (one i32), advanced once per mini-batch. */
  stepCounter: usize;
  normalizeUsers: i32;
  normalizeItems: i32;
  /** Ren et al.'s Algorithm 1 sums (full tables like P and Q), or 0; scaled by accScale (−lr). */
  accUsers: usize;
  accItems: usize;
  accScale: f32;
  batchSize: i32;
  /** CCL (loss 2): the negatives' margin m and the weight w of their mean hinge. */
  margin: f32;
  negativeWeight: f32;
  /**
   * Adam with dense updates (see adam_catch_up_rows): each table's row stamps, and the step table
   * (f32, horizonLength entries); userStamps = 0: lazy Adam.
   */
  userStamps: usize;
  itemStamps: usize;
  horizon: usize;
  horizonLength: i32;
}

/** One thread's state: its random stream, its run of positions, and its batch buffers. */
@unmanaged export class ThreadState {
  rng0: u32;
  rng1: u32;
  rng2: u32;
  rng3: u32;
  start: i32;
  end: i32;
  /** Slot maps: a row's slot is valid while its stamp equals `generation`. */
  userStamp: usize;
  userSlot: usize;
  itemStamp: usize;
  itemSlot: usize;
  generation: i32;
  /** Row ids of the batch's slots, and the compact gradient rows. */
  userRows: usize;
  itemRows: usize;
  gradUsers: usize;
  gradItems: usize;
  /** Slots used by the last batch (read by the caller in "none" mode). */
  usedUsers: i32;
  usedItems: i32;
  /** The batch's negatives (batchSize × negatives) and, with candidates > 1, every draw (× candidates). */
  batchNegatives: usize;
  batchCandidates: usize;
  /** Where the early loads land (see touch): written so that they are never optimised away. */
  sink: i32;
}

// How far ahead the loops load the rows they will need next: random rows of tables far larger
// than the caches are the whole cost of this kernel, and wasm has no prefetch instruction. An
// early load of each cache line of row n + AHEAD lets the out-of-order core keep the misses of
// several rows in flight instead of one at a time (measured on Gowalla, d = 64: see the README).
export const AHEAD: i32 = 8;
export const STEP_AHEAD: i32 = 4;

/** Loads one word from every 64-byte line of `bytes` at p (bringing them towards the core); returns their xor. */
// @ts-ignore: decorator
@inline export function touch(p: usize, bytes: usize): i32 {
  let x = 0;
  for (let o: usize = 0; o < bytes; o += 64) x ^= load<i32>(p + o);
  return x;
}

