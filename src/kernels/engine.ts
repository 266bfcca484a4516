// The kernel interface: what a backend (src/kernels/ref/, src/kernels/wasm/) must provide, and the
// specs its callers pass in. A backend owns its buffers: parameters, gradients, optimizer moments,
// activations and the carried recurrent state, all allocated once at creation. Nothing in the
// step loop allocates.
//
// Layouts (all row-major):
//   params, grads      flat, in ParamLayout order (src/model/layout.ts)
//   x, y               (T, B) time-major token ids; y = -1 means "no target here" (ignored)
//   state              (L, S, B, H), S = 2 for LSTM (s = 0: h, s = 1: c), 1 otherwise
//   logits             (T, B, V) after a forward pass

import type { ModelConfig } from '../model/config.js';
import type { ParamLayout } from '../model/layout.js';

export type FloatArray = Float32Array | Float64Array;
export type TokenArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;

export interface OptimizerSpec {
  kind: 'adam' | 'sgd' | 'rmsprop';
  beta1: number;        // adam: first-moment decay; sgd: momentum
  beta2: number;        // adam: second-moment decay; rmsprop: alpha
  eps: number;
  weightDecay: number;  // decoupled (AdamW-style) weight decay
}

/** What one step's dropout masks are drawn from (src/train/dropout.ts builds it; the hash is
 *  src/kernels/ref/dropout-mask.ts): keys (a, b), the drop threshold and the kept value. */
export interface MaskSpec {
  a: number;
  b: number;
  /** Entries whose hash is below this uint32 are dropped: round(p · 2³²). */
  thr: number;
  /** 1/(1-p): inverted dropout keeps the expected activation. */
  keep: number;
  /** One (B, H) mask per layer, the same at every t, instead of one per time step. */
  variational: boolean;
}

/** The exact kernel build an engine runs: 'ts' the TypeScript reference (src/kernels/ref/), 'wasm'
 *  the plain WebAssembly SIMD build (kernels.wasm), 'wasm-fma' the relaxed-SIMD build whose GEMM
 *  tiles use fused multiply-add (kernels-fma.wasm). Results are bit-identical across thread counts
 *  within one variant, not across variants. */
export type KernelVariant = 'ts' | 'wasm' | 'wasm-fma';

export interface Engine {
  /** Which kernel build this engine runs. */
  readonly variant: KernelVariant;
  /** Threads its ops run on (1 for 'ts'); results do not depend on it. */
  readonly threads: number;
  readonly cfg: ModelConfig;
  readonly layout: ParamLayout;
  /** B: parallel streams. */
  readonly batch: number;
  /** T: BPTT window. */
  readonly seqLen: number;
  readonly params: FloatArray;
  readonly grads: FloatArray;
  /** Carried recurrent state (L, S, B, H). */
  readonly state: FloatArray;
  /** Gradient of the last forwardBackward's loss with respect to the state it started from. */
  readonly dState: FloatArray;
  /** (T, B, V) logits of the last forward pass. */
  readonly logits: FloatArray;
  /** (T, B) loss in nats of each target in the last pass; 0 where y = -1. */
  readonly rowLoss: Float64Array;
  /** Optimizer moment buffers, each in the param layout: adam [m, v], rmsprop [sq], sgd [momentum]. */
  readonly moments: FloatArray[];
  /** Dropout masks (L, T, B, H): 0 or 1/(1-p), set by fillMasks (or directly, in tests) before a
   *  training pass. */
  readonly masks: FloatArray;
  /** Fill `masks` from a step's hash keys (src/kernels/ref/dropout-mask.ts). No-op without dropout. */
  fillMasks(spec: MaskSpec): void;

  /** Training pass over one window: zero grads, forward with dropout masks (when dropout > 0),
   *  loss = mean cross-entropy over valid targets, backward. Advances `state`. Returns the loss
   *  and the number of valid targets via `lastCount`. */
  forwardBackward(x: TokenArray, y: Int32Array): number;
  /** Forward only, no dropout; returns the summed loss in nats over valid targets. Advances `state`. */
  forwardLoss(x: TokenArray, y: Int32Array): number;
  /** Valid targets of the last pass. */
  readonly lastCount: number;
  /** Squared global L2 norm of the gradients. */
  gradNormSq(): number;
  /** grads *= s. */
  scaleGrads(s: number): void;
  /** One optimizer update with learning rate lr at step t (1-based, for Adam's bias correction). */
  optimizerStep(opt: OptimizerSpec, lr: number, t: number): void;
  /** Call after writing `params` from outside (loading, copying): backends that keep packed
   *  copies of the weights rebuild them before the next pass. */
  paramsChanged(): void;
  /** Zero the carried state of every stream. */
  resetState(): void;
  /** Release threads or memory. */
  dispose(): void;
}
