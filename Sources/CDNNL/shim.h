#include <dnnl.h>

// GNU OpenMP, which Debian's oneDNN is built on. Declared here because omp.h
// lives in GCC's private include folder, which Swift's Clang does not search.
void omp_set_num_threads(int count);
int omp_get_max_threads(void);
