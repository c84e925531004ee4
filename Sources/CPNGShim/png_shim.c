// libpng's classic reading API behind one call that never longjmps into its caller.
#include "png_shim.h"

#include <png.h>
#include <setjmp.h>
#include <string.h>

/// The file being read and where the messages go.
typedef struct png_shim_reader {
  const uint8_t *data;
  size_t size;
  size_t offset;
  /// Set when libpng asked for bytes past the end of `data`.
  int ran_out;
  png_shim_image *image;
} png_shim_reader;

static void copy_message(char *target, const char *message) {
  size_t length = strlen(message);
  if (length >= PNG_SHIM_MESSAGE_CAPACITY) length = PNG_SHIM_MESSAGE_CAPACITY - 1;
  memcpy(target, message, length);
  target[length] = '\0';
}

/// libpng's error callback: keeps the message and jumps back to the `setjmp` in `read_png`.
static void on_error(png_structp png, png_const_charp message) {
  png_shim_reader *reader = png_get_error_ptr(png);
  copy_message(reader->image->message, message);
  png_longjmp(png, 1);
}

/// libpng's warning callback: keeps the first message and lets the read go on.
static void on_warning(png_structp png, png_const_charp message) {
  png_shim_reader *reader = png_get_error_ptr(png);
  if (reader->image->warning[0] == '\0') copy_message(reader->image->warning, message);
}

/// libpng's read callback: copies the next `count` bytes of the file.
static void read_bytes(png_structp png, png_bytep target, size_t count) {
  png_shim_reader *reader = png_get_io_ptr(png);
  if (count > reader->size - reader->offset) {
    reader->ran_out = 1;
    png_error(png, "file ends early");
  }
  memcpy(target, reader->data + reader->offset, count);
  reader->offset += count;
}

/// Reads the header, then the rows, then everything up to IEND. Every libpng error lands at
/// the `setjmp` below, which is why no local variable is changed after it.
static png_shim_status read_png(
    png_structp png, png_infop info, png_shim_reader *reader, uint32_t required_width,
    uint32_t required_height, uint8_t *samples, size_t capacity) {
  static const png_byte transparency_chunk[] = "tRNS";
  png_shim_image *image = reader->image;

  if (setjmp(png_jmpbuf(png))) {
    return reader->ran_out ? PNG_SHIM_TRUNCATED : PNG_SHIM_CORRUPT;
  }

  png_set_read_fn(png, reader, read_bytes);
  png_set_sig_bytes(png, 8);
  // A CRC error in an ancillary chunk before the image data stops the read, as in Pillow
  // (libpng's default is to warn and drop the chunk). Critical chunks always stop it.
  png_set_crc_action(png, PNG_CRC_DEFAULT, PNG_CRC_ERROR_QUIT);
  // Skip every ancillary chunk unread (after checking its CRC): gAMA, sRGB, iCCP, tRNS and the
  // rest do not change Pillow's convert("L") pixels, and libpng must not act on them.
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, transparency_chunk, 1);
  // Palette indices beyond the palette are read as they are; the caller maps them (Pillow
  // gives black).
  png_set_check_for_invalid_index(png, 0);
  png_read_info(png, info);

  image->width = png_get_image_width(png, info);
  image->height = png_get_image_height(png, info);
  image->bit_depth = png_get_bit_depth(png, info);
  image->color_type = png_get_color_type(png, info);
  image->is_interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
  image->channels = png_get_channels(png, info);
  png_colorp palette = NULL;
  int palette_count = 0;
  if (png_get_PLTE(png, info, &palette, &palette_count) == PNG_INFO_PLTE) {
    image->palette_count = palette_count;
    for (int i = 0; i < palette_count; i++) {
      image->palette[3 * i] = palette[i].red;
      image->palette[3 * i + 1] = palette[i].green;
      image->palette[3 * i + 2] = palette[i].blue;
    }
  }
  if ((required_width != 0 && image->width != required_width) ||
      (required_height != 0 && image->height != required_height)) {
    return PNG_SHIM_WRONG_SIZE;
  }

  if (image->bit_depth < 8) png_set_packing(png);
  int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  image->row_bytes = png_get_rowbytes(png, info);
  if (image->row_bytes == 0 || image->height > capacity / image->row_bytes) {
    return PNG_SHIM_BUFFER_TOO_SMALL;
  }

  // While the rows are read, benign errors are errors: the last row's read checks the zlib
  // stream's end and Adler-32, which libpng otherwise only warns about (Pillow rejects them).
  // Note: libpng reports zlib data left over after the last row ("Extra compressed data", "Too
  // much image data") through the same benign-error path as a wrong Adler-32, so such files are
  // rejected too, although Pillow decodes them. Telling the two apart would mean matching
  // libpng's message text; no notMNIST file has leftover data, so strictness costs nothing there.
  png_set_benign_errors(png, 0);
  for (int pass = 0; pass < passes; pass++) {
    for (uint32_t y = 0; y < image->height; y++) {
      png_read_row(png, samples + (size_t)y * image->row_bytes, NULL);
    }
  }
  png_set_benign_errors(png, 1);

  // Pillow does not check the chunks after the image data; an ancillary one with a bad CRC is
  // dropped here with a warning. IEND must still arrive intact.
  png_set_crc_action(png, PNG_CRC_NO_CHANGE, PNG_CRC_WARN_DISCARD);
  png_read_end(png, info);
  return PNG_SHIM_OK;
}

png_shim_status png_shim_decode(
    const void *data, size_t size, uint32_t required_width, uint32_t required_height,
    uint8_t *samples, size_t capacity, png_shim_image *image) {
  memset(image, 0, sizeof *image);
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) return PNG_SHIM_NOT_PNG;

  png_shim_reader reader = {
      .data = data, .size = size, .offset = 8, .ran_out = 0, .image = image};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
  if (png == NULL) return PNG_SHIM_OUT_OF_MEMORY;
  png_infop info = png_create_info_struct(png);
  if (info == NULL) {
    png_destroy_read_struct(&png, NULL, NULL);
    return PNG_SHIM_OUT_OF_MEMORY;
  }

  png_shim_status status =
      read_png(png, info, &reader, required_width, required_height, samples, capacity);
  png_destroy_read_struct(&png, &info, NULL);
  return status;
}
