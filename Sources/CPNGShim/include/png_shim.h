// Reads one PNG file from memory through libpng's classic API and hands back its raw samples.
//
// libpng reports errors by longjmp, which Swift cannot catch. The functions here catch them in C
// (setjmp around every libpng call) and return a status code and libpng's message as values.
// No transformation that changes sample values is requested: no gamma (gAMA, sRGB and iCCP are
// skipped unread), no 16-to-8 stripping, no palette or tRNS expansion. The caller converts the
// raw samples itself.
#ifndef PNG_SHIM_H
#define PNG_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What `png_shim_decode` found.
typedef enum png_shim_status {
  /// The image was read; `samples` and the header fields are filled.
  PNG_SHIM_OK = 0,
  /// The data does not start with the 8-byte PNG signature (or is shorter than it).
  PNG_SHIM_NOT_PNG = 1,
  /// The data ends before the PNG does (a chunk is cut off or IEND is missing).
  PNG_SHIM_TRUNCATED = 2,
  /// libpng rejected the file; `message` says why.
  PNG_SHIM_CORRUPT = 3,
  /// The header is valid but the size is not the required one; only the header fields are set.
  PNG_SHIM_WRONG_SIZE = 4,
  /// libpng could not allocate its structures.
  PNG_SHIM_OUT_OF_MEMORY = 5,
  /// The decoded rows need more than `capacity` bytes; only the header fields are set.
  PNG_SHIM_BUFFER_TOO_SMALL = 6,
} png_shim_status;

/// The longest message kept, terminating NUL included; longer ones are cut.
#define PNG_SHIM_MESSAGE_CAPACITY 160

/// The facts of one image and, after a successful read, the layout of its samples.
typedef struct png_shim_image {
  /// Width and height in pixels (IHDR).
  uint32_t width;
  uint32_t height;
  /// Bits per sample in the file (IHDR): 1, 2, 4, 8 or 16.
  int bit_depth;
  /// PNG colour type (IHDR): 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
  int color_type;
  /// Whether the file is Adam7-interlaced (IHDR); the samples are always de-interlaced.
  int is_interlaced;
  /// Samples per pixel: 1 (gray, palette), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).
  int channels;
  /// Bytes per decoded row. Depths below 8 are unpacked to one byte per pixel holding the raw
  /// value (0 ... 2^depth - 1, not scaled); 16-bit samples are two bytes, big-endian.
  size_t row_bytes;
  /// Entries in `palette` (PLTE), 0 when the file has none.
  int palette_count;
  /// The PLTE entries as R, G, B bytes.
  uint8_t palette[256 * 3];
  /// libpng's error message when the status is PNG_SHIM_CORRUPT or PNG_SHIM_TRUNCATED, else "".
  char message[PNG_SHIM_MESSAGE_CAPACITY];
  /// The first warning libpng gave (warnings never stop the read), or "".
  char warning[PNG_SHIM_MESSAGE_CAPACITY];
} png_shim_image;

/// Decodes one PNG file held in memory.
///
/// Checks the signature, every chunk's CRC (CRC errors in ancillary chunks before the image data
/// reject the file, those after it are ignored, as in Pillow), the IHDR fields, the zlib stream
/// and its Adler-32 checksum, and reads through IEND. Every ancillary chunk is skipped unread
/// (its CRC is still checked as above); an unknown critical chunk rejects the file.
///
/// - Parameters:
///   - data: the whole file (may be NULL when `size` is 0).
///   - size: its length in bytes.
///   - required_width, required_height: the only accepted size; 0 accepts any.
///   - samples: receives `height` rows of `row_bytes` bytes, de-interlaced, row-major.
///   - capacity: bytes available at `samples`.
///   - image: receives the header fields, the palette and the messages.
/// - Returns: the status; the fields of `image` that it names are valid.
png_shim_status png_shim_decode(
    const void *data, size_t size, uint32_t required_width, uint32_t required_height,
    uint8_t *samples, size_t capacity, png_shim_image *image);

#ifdef __cplusplus
}
#endif

#endif
