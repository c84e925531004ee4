// RMSprop's update, built for AVX-512, AVX2 and baseline x86-64 (see dropout_kernels.c), run on
// the OpenMP team for large arrays.
#include "rmsprop_kernels.h"

#include "kernel_support.h"

// Keras computes each operation in float32; a contracted multiply-add would round differently.
#pragma clang fp contract(off)

KERNEL_CLONES
static void update_range(
    float *w, const float *g, float *v, float *m, float *a, size_t begin, size_t end,
    rmsprop_coefficients c) {
  if (m == NULL && a == NULL) {
    for (size_t i = begin; i < end; i++) {
      float vi = c.rho * v[i] + c.one_minus_rho * (g[i] * g[i]);
      v[i] = vi;
      w[i] = w[i] - (c.learning_rate * g[i]) / kernel_sqrt(vi + c.epsilon);
    }
  } else if (a == NULL) {
    for (size_t i = begin; i < end; i++) {
      float vi = c.rho * v[i] + c.one_minus_rho * (g[i] * g[i]);
      v[i] = vi;
      float mi = c.momentum * m[i] + (c.learning_rate * g[i]) / kernel_sqrt(vi + c.epsilon);
      m[i] = mi;
      w[i] = w[i] - mi;
    }
  } else {
    for (size_t i = begin; i < end; i++) {
      float vi = c.rho * v[i] + c.one_minus_rho * (g[i] * g[i]);
      v[i] = vi;
      float ai = c.rho * a[i] + c.one_minus_rho * g[i];
      a[i] = ai;
      float increment = (c.learning_rate * g[i]) / kernel_sqrt(vi - ai * ai + c.epsilon);
      if (m != NULL) {
        float mi = c.momentum * m[i] + increment;
        m[i] = mi;
        w[i] = w[i] - mi;
      } else {
        w[i] = w[i] - increment;
      }
    }
  }
}

typedef struct update_job {
  float *w;
  const float *g;
  float *v;
  float *m;
  float *a;
  size_t count;
  rmsprop_coefficients c;
} update_job;

static void update_part(void *data) {
  const update_job *job = data;
  size_t begin, end;
  kernel_thread_range(job->count, &begin, &end);
  update_range(job->w, job->g, job->v, job->m, job->a, begin, end, job->c);
}

void rmsprop_update(
    float *weights, const float *gradient, float *velocity, float *momentum_slot, float *average,
    size_t count, rmsprop_coefficients coefficients) {
  if (count < KERNEL_PARALLEL_THRESHOLD) {
    update_range(weights, gradient, velocity, momentum_slot, average, 0, count, coefficients);
    return;
  }
  update_job job = {weights, gradient, velocity, momentum_slot, average, count, coefficients};
  GOMP_parallel(update_part, &job, 0, 0);
}
