// longtail's numeric kernels. Every export takes byte pointers into this module's memory and
// element counts; the typed TypeScript layer (ts/engine/kernels.ts) checks shapes before calling.
// The same sources build three times: with relaxed SIMD (`--target relaxed`), with SIMD
// (`--target simd`) and without (`--target scalar`); each kernel picks its path on the
// compile-time constants ASC_FEATURE_RELAXED_SIMD and ASC_FEATURE_SIMD.

export { alloc, free } from "./memory";
export { dot, rowwise_dot, gather_rows, scatter_add_rows, transpose_columns } from "./rows";
export { packed_panel_width, packed_items_length, pack_items, score_packed, score_packed_scratch_bytes, score_rows_dot } from "./scoring";
export { gemm_nn, gemm_tn, gemm_nt, gemm_scratch_bytes } from "./gemm";
export { pool_rows, pool_rows_backward_range, sum_rows, add_scaled_rows } from "./pooling";
export { blend_unit_rows, blend_unit_rows_backward } from "./history-tower";
export { softmax_xent, lse_rows, mask_matching_columns } from "./softmax";
export { sampled_softmax_rows } from "./sampled-softmax";
export { cosine_contrastive_rows } from "./contrastive";
export { topk_rows } from "./topk";
export { score_topk, score_topk_scratch_bytes } from "./score-top-k";
export {
  quantize_rows,
  pack_quantized,
  quantized_panel_bytes,
  quantized_block_items,
  score_quantized,
  score_topk_quantized,
  score_quantized_scratch_bytes,
  rescore_topk,
} from "./quantized";
export { count_above, count_above_items } from "./rank";
export { project_out, l2_normalize_rows, l2_normalize_rows_at } from "./projection";
export { sgd_rows, adagrad_rows, adam_rows, adam_catch_up_rows } from "./optimizers";
export { pairwise_train, pairwise_layout, random_u32s } from "./pairwise";
export { matvec, matvec_t, add_outer, add_to_rows } from "./matvec";
export { madd_ceiling } from "./madd-ceiling";
export { fold_in_rows, fold_in_scratch_bytes } from "./fold-in";
