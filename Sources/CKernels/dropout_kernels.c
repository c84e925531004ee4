// Dropout's mask and scaling loops, built three times where the compiler and C library allow
// (AVX-512, AVX2, baseline) and chosen once, at load time, for the CPU that runs them.
#include "dropout_kernels.h"

#include <string.h>

#include "kernel_support.h"

enum { LANES = 8 };

static uint64_t splitmix64(uint64_t *state) {
  *state += 0x9E3779B97F4A7C15ull;
  uint64_t z = *state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

KERNEL_CLONES
void dropout_draw(uint64_t seed, uint8_t *keep, size_t count, uint64_t threshold) {
  uint64_t s0[LANES], s1[LANES], s2[LANES], s3[LANES];
  uint64_t mixer = seed;
  for (int lane = 0; lane < LANES; lane++) {
    s0[lane] = splitmix64(&mixer);
    s1[lane] = splitmix64(&mixer);
    s2[lane] = splitmix64(&mixer);
    s3[lane] = splitmix64(&mixer);
  }
  uint8_t group[2 * LANES];
  for (size_t g = 0; g < count; g += 2 * LANES) {
    for (int lane = 0; lane < LANES; lane++) {
      uint64_t bits = rotl(s0[lane] + s3[lane], 23) + s0[lane];
      uint64_t t = s1[lane] << 17;
      s2[lane] ^= s0[lane];
      s3[lane] ^= s1[lane];
      s1[lane] ^= s2[lane];
      s0[lane] ^= s3[lane];
      s2[lane] ^= t;
      s3[lane] = rotl(s3[lane], 45);
      // For 24-bit u and threshold <= 2^24, u - threshold wraps to a value with the top bit set
      // exactly when u < threshold.
      group[lane] = (uint8_t)(((bits >> 40) - threshold) >> 63);
      group[LANES + lane] = (uint8_t)((((bits >> 16) & 0xFFFFFF) - threshold) >> 63);
    }
    if (count - g >= 2 * LANES) {
      memcpy(keep + g, group, 2 * LANES);  // a constant size: one 16-byte store
    } else {
      memcpy(keep + g, group, count - g);
    }
  }
}

// Each element is read before it is written, so `to == from` is safe for vectors too; without
// the pragma, clang's overlap check sends the in-place case to a scalar loop.
KERNEL_CLONES
void dropout_apply_f32(
    const float *from, float *to, const uint8_t *keep, size_t count, float scale) {
#pragma clang loop vectorize(assume_safety)
  for (size_t i = 0; i < count; i++) to[i] = from[i] * (keep[i] ? scale : 0.0f);
}

KERNEL_CLONES
void dropout_apply_bf16(
    const uint16_t *from, uint16_t *to, const uint8_t *keep, size_t count, float scale) {
#pragma clang loop vectorize(assume_safety)
  for (size_t i = 0; i < count; i++) {
    uint32_t wide = (uint32_t)from[i] << 16;
    float value;
    memcpy(&value, &wide, sizeof value);
    value *= keep[i] ? scale : 0.0f;
    uint32_t b;
    memcpy(&b, &value, sizeof b);
    uint32_t rounded = (b + 0x7FFFu + ((b >> 16) & 1u)) >> 16;
    uint32_t quieted = (b >> 16) | 0x40u;
    to[i] = (uint16_t)((b & 0x7FFFFFFFu) > 0x7F800000u ? quieted : rounded);
  }
}
