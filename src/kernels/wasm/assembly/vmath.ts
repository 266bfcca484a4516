// Vector transcendental functions on f32x4, Cephes-style (exp: range reduction by ln 2 and a
// degree-6 polynomial; tanh: odd polynomial below 0.625, 1 - 2/(e^{2|x|}+1) above). Relative error
// about 1e-7, which the reference comparisons (1e-5) leave room for.

import { sp } from './common';


/** e^x, lanewise; inputs clamped to [-87.3, 88] so results stay finite and normal. */
// @ts-ignore: decorator
@inline export function vexp(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, sp(-87.33654)), sp(88.0));
  const fx = f32x4.nearest(f32x4.mul(x, sp(1.44269504088896341)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(fx, sp(0.693359375))), f32x4.mul(fx, sp(-2.12194440e-4)));
  const z = f32x4.mul(r, r);
  let y = sp(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), sp(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), sp(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), sp(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), sp(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), sp(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), sp(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, e);
}

/** 1 / (1 + e^-x). */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(sp(1.0), f32x4.add(sp(1.0), vexp(f32x4.neg(x))));
}

/** tanh x. */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(sp(1.0), f32x4.div(sp(2.0), f32x4.add(e, sp(1.0))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  const z = f32x4.mul(x, x);
  let p = sp(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), sp(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), sp(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), sp(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), sp(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, signed, f32x4.lt(ax, sp(0.625)));
}
