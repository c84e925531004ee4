import CZlib

/// Whole-buffer gzip decompression through zlib.
enum Gzip {
  /// Whether `bytes` start with the gzip magic number `1F 8B`.
  static func isCompressed(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  /// Decompresses a gzip file, including files made of several concatenated gzip members.
  /// - Parameters:
  ///   - bytes: the whole compressed file.
  ///   - path: the file's path, for error messages.
  /// - Returns: the decompressed bytes.
  /// - Throws: `DatasetError.gzip` when the stream is corrupt, ends early or fails its CRC.
  static func decompress(_ bytes: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
    var stream = z_stream()
    // 16 + MAX_WBITS asks zlib for the gzip wrapper, so it checks the header and the CRC-32.
    guard
      inflateInit2_(&stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        == Z_OK
    else { throw .gzip(path: path, reason: "zlib could not start") }
    defer { inflateEnd(&stream) }

    var output = [UInt8](repeating: 0, count: max(1 << 16, expectedSize(bytes)))
    var produced = 0
    var consumed = 0
    while true {
      if produced == output.count {
        output.append(contentsOf: [UInt8](repeating: 0, count: output.count))
      }
      let status = bytes.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { out in
          stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
          stream.avail_in = uInt(input.count - consumed)
          stream.next_out = out.baseAddress! + produced
          stream.avail_out = uInt(out.count - produced)
          let status = inflate(&stream, Z_NO_FLUSH)
          consumed = input.count - Int(stream.avail_in)
          produced = out.count - Int(stream.avail_out)
          return status
        }
      }
      switch status {
      case Z_STREAM_END:
        // Another gzip member may follow; anything else after the stream is an error.
        guard consumed < bytes.count else { return Array(output[0..<produced]) }
        guard bytes.count - consumed >= 2, bytes[consumed] == 0x1F, bytes[consumed + 1] == 0x8B
        else {
          throw .gzip(
            path: path, reason: "\(bytes.count - consumed) bytes of garbage after the gzip data")
        }
        inflateReset(&stream)
      case Z_OK:
        continue
      case Z_BUF_ERROR where consumed == bytes.count && produced < output.count:
        throw .gzip(
          path: path,
          reason: "gzip data ends early after \(bytes.count) bytes (\(produced) bytes unpacked)")
      case Z_BUF_ERROR:
        continue
      default:
        let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
        throw .gzip(path: path, reason: "corrupt gzip data (zlib: \(message))")
      }
    }
  }

  /// The uncompressed size that the last member's trailer claims (modulo 2^32), capped at eight
  /// times the compressed size so that a truncated file's garbage trailer cannot ask for a
  /// huge buffer; a larger output grows as it is produced.
  private static func expectedSize(_ bytes: [UInt8]) -> Int {
    guard bytes.count >= 18 else { return 0 }
    let n = bytes.count
    let size =
      Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16
      | Int(bytes[n - 1]) << 24
    return min(size + 1, 8 * n)
  }
}
