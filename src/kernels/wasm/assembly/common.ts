// Shared helpers for the kernels: the one work-splitting rule, and 1-4 lane loads and stores so
// that every element of a row, tail or not, goes through the same vector arithmetic (results then
// never depend on where a thread's range starts).

/** x in all four lanes. */
// @ts-ignore: decorator
@inline export function sp(x: f32): v128 { return f32x4.splat(x); }

/** [start, end) of the `ith` of `nth` shares of n items, cut at multiples of `align`. Every op
 *  splits its output with this, so each output element has exactly one owner. */
// @ts-ignore: decorator
@inline export function rangeStart(n: i32, ith: i32, nth: i32, align: i32): i32 {
  const blocks = (n + align - 1) / align;
  return min(n, <i32>((<i64>blocks * ith) / nth) * align);
}
// @ts-ignore: decorator
@inline export function rangeEnd(n: i32, ith: i32, nth: i32, align: i32): i32 {
  return rangeStart(n, ith + 1, nth, align);
}

/** Load `n` (1..4) floats at p into lanes 0..n-1, zeros above. */
// @ts-ignore: decorator
@inline export function loadN(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Store lanes 0..n-1 (n in 1..4) of v at p. */
// @ts-ignore: decorator
@inline export function storeN(p: usize, v: v128, n: i32): void {
  if (n >= 4) { v128.store(p, v); return; }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// @ts-ignore: decorator
@inline export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}
