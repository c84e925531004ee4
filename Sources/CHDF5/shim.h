// HDF5's C API (Debian's serial build, libhdf5-dev). Its type and property-list identifiers are
// macros that call into the library, which Swift cannot import; these inline functions return
// their values instead.
#include <hdf5.h>

static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_float32_le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_c_string(void) { return H5T_C_S1; }
static inline hid_t chdf5_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_all(void) { return H5S_ALL; }
static inline unsigned chdf5_read_only(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_truncate(void) { return H5F_ACC_TRUNC; }
static inline size_t chdf5_variable_size(void) { return H5T_VARIABLE; }
// Turns off HDF5's default error printing to stderr; errors come back as return values.
static inline void chdf5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
