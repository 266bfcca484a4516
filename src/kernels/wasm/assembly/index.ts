// The WASM SIMD kernel module: every export takes (ith, nth) first, so the worker pool can run any
// of them on any share of the work. Built by `npm run build` (asc) into dist/kernels/wasm/.
export { gemm, transpose } from './gemm';
export { lstmFwdStep, lstmBwdStep, gruFwdStep, gruBwdStep, rnnFwdStep, rnnBwdStep } from './cells';
export { copyRows, embedFwd, embedBwd, colSums, mul, scale, sumSq, softmaxXent, adam, sgd, rmsprop, dropoutMask } from './misc';
