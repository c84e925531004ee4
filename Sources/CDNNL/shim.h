#include <dnnl.h>

// GNU OpenMP, which Debian's oneDNN is built on. Declared here because omp.h
// lives in GCC's private include folder, which Swift's Clang does not search.
void omp_set_num_threads(int count);
int omp_get_max_threads(void);

// What GCC compiles `#pragma omp parallel` to: runs fn(data) on every thread of a team
// (num_threads 0: the count omp_set_num_threads chose) and returns when all have finished.
// Running our own loops on oneDNN's OpenMP threads keeps them from competing with those
// threads' spin-waits for the cores.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
