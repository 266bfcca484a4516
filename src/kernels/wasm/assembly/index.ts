// The WASM SIMD kernel module: every export takes (ith, nth) first, so the worker pool can run any
// of them on any share of the work. Built by `npm run build` (asc) into dist/kernels/wasm/.
// src/kernels/wasm/ops.ts numbers the ops the pool dispatches, by these names.
export { gemm, transpose, copyRows, colSums } from './gemm';
export { lstmFwdStep, lstmBwdStep, gruFwdStep, gruBwdStep, rnnFwdStep, rnnBwdStep } from './cells';
export { embedFwd, embedBwd } from './embedding';
export { softmaxXent } from './softmax-xent';
export { sumSq, scale, adam, sgd, rmsprop } from './optim';
export { dropoutMask, mul } from './dropout-mask';

/** 1 in the relaxed-SIMD build (fused multiply-add tiles), 0 in the plain one: read by
 *  src/kernels/wasm/module.ts variantOf, so an engine names the build it actually runs. */
export const RELAXED_SIMD: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
