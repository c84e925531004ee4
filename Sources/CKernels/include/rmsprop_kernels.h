// RMSprop's update loop in C, so that it runs on AVX-512 or AVX2 vectors and on the OpenMP
// threads that oneDNN uses, with results bit-identical to a plain float32 loop.
#ifndef RMSPROP_KERNELS_H
#define RMSPROP_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The float32 constants of one RMSprop step.
typedef struct rmsprop_coefficients {
  float learning_rate;
  float rho;
  /// `1 - rho` rounded to float32 from double precision, as Keras forms it.
  float one_minus_rho;
  float epsilon;
  float momentum;
} rmsprop_coefficients;

/// One RMSprop step over `count` weights in Keras 3's operation order, every operation rounded
/// to float32 (no fused multiply-adds):
///
///     v = rho * v + one_minus_rho * (g * g)
///     a = rho * a + one_minus_rho * g                  (centered: `average` not NULL)
///     increment = (learning_rate * g) / sqrt(v + epsilon)        (v - a * a + epsilon centered)
///     m = momentum * m + increment; w = w - m           (`momentum_slot` not NULL)
///     w = w - increment                                 (otherwise)
///
/// Large arrays are split over the OpenMP team; every element is computed the same way.
void rmsprop_update(
    float *weights, const float *gradient, float *velocity, float *momentum_slot, float *average,
    size_t count, rmsprop_coefficients coefficients);

#ifdef __cplusplus
}
#endif

#endif
