// The inner loops of inverted dropout: drawing a keep mask and applying it, in C so that they can
// be compiled for AVX-512 and AVX2 besides the baseline x86-64 and picked when the program loads.
//
// Swift code is compiled for the baseline instruction set only, where these loops run on 128-bit
// vectors and rotate 64-bit words one at a time. Every version computes exactly the same bits.
#ifndef DROPOUT_KERNELS_H
#define DROPOUT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Writes `count` keep bytes (1 keep, 0 drop) for one chunk of a dropout mask.
///
/// Eight xoshiro256++ generators run side by side, their 32 state words seeded from `seed`
/// through SplitMix64 (lane 0's four words first, then lane 1's, and so on). Each step of the
/// eight gives 16 elements: the first eight test bits 40-63 of each lane's word, the next eight
/// bits 16-39, as 24-bit uniforms `u`; an element is kept when `u < threshold`.
/// `threshold` is at most 2^24.
void dropout_draw(uint64_t seed, uint8_t *keep, size_t count, uint64_t threshold);

/// `to[i] = from[i] * (keep[i] ? scale : +0.0f)` for `count` floats; `to` is either `from` or
/// does not overlap it.
void dropout_apply_f32(
    const float *from, float *to, const uint8_t *keep, size_t count, float scale);

/// The same on bfloat16 bit patterns: each element widened exactly to a float, multiplied in
/// float, and rounded back to the nearest bfloat16 (ties to even; a NaN stays a quiet NaN).
void dropout_apply_bf16(
    const uint16_t *from, uint16_t *to, const uint8_t *keep, size_t count, float scale);

#ifdef __cplusplus
}
#endif

#endif
