// What the kernels share: the instruction sets they are built for, and OpenMP's entry points.
#ifndef KERNEL_SUPPORT_H
#define KERNEL_SUPPORT_H

#include <stddef.h>

// Each kernel is built three times (AVX-512 BW, AVX2, baseline x86-64); the dynamic loader
// picks the one the CPU supports when the program starts.
#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define KERNEL_CLONES __attribute__((target_clones("avx512bw", "avx2", "default")))
#else
#define KERNEL_CLONES
#endif

// GNU OpenMP, which Debian's oneDNN runs on, called the way GCC compiles `#pragma omp
// parallel`; omp.h lives in GCC's private include folder, which this compiler does not search.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

// The correctly rounded square root without errno, so that loops of it vectorize (sqrtf must
// set errno for negative arguments).
static inline float kernel_sqrt(float x) { return __builtin_elementwise_sqrt(x); }

// Below this many elements, one thread is faster than waking the team.
enum { KERNEL_PARALLEL_THRESHOLD = 1 << 16 };

// The calling team member's share of 0..<count: contiguous ranges, multiples of 64 elements
// except the last.
static inline void kernel_thread_range(size_t count, size_t *begin, size_t *end) {
  size_t threads = (size_t)omp_get_num_threads();
  size_t thread = (size_t)omp_get_thread_num();
  size_t share = (count + threads - 1) / threads;
  share = (share + 63) / 64 * 64;
  *begin = thread * share < count ? thread * share : count;
  *end = *begin + share < count ? *begin + share : count;
}

#endif
