// Measures how fast `SourceLoader` reads a notMNIST_large-sized tar.gz, and its peak memory.
//
// Usage: swift run -c release DataBenchmark [--count N] [--workers W] [--repeat R] [--path FILE]
//
// The first run writes FILE (default /tmp/notmnist-bench/notMNIST_bench_<N>.tar.gz): N PNG files
// in notMNIST layout (`notMNIST_large/<letter>/<name>.png`), glyph-like strokes rendered at 28x28,
// compressed by zlib as real encoders do (about 100 to 900 bytes each), plus six broken files
// like the real archive's (five empty, one not a PNG). Later runs reuse it. The load is then
// checked (image count, skipped entries, a pixel checksum against the generated images) and
// timed R times (median and p90), and peak resident memory (VmHWM, reset after generation) is
// reported.
import CArchive
import CZlib
import Datasets
import Foundation
import TensorCore

// MARK: - Options

struct Options {
  var count = 530_000
  var workers = 2
  var repeatCount = 1
  var path: String?

  init(arguments: [String]) {
    var rest = arguments.dropFirst()
    while let flag = rest.popFirst() {
      guard let value = rest.popFirst() else { usage("missing value after \(flag)") }
      switch flag {
      case "--count": count = integer(value, flag)
      case "--workers": workers = integer(value, flag)
      case "--repeat": repeatCount = integer(value, flag)
      case "--path": path = value
      default: usage("unknown flag \(flag)")
      }
    }
  }
}

func integer(_ text: String, _ flag: String) -> Int {
  guard let value = Int(text), value > 0 else { usage("\(flag) needs a positive integer") }
  return value
}

func usage(_ message: String) -> Never {
  let text =
    "error: \(message)\n"
    + "usage: DataBenchmark [--count N] [--workers W] [--repeat R] [--path FILE]\n"
  FileHandle.standardError.write(Data(text.utf8))
  exit(64)
}

// MARK: - Synthetic glyphs

/// Renders a 28x28 glyph of 4 to 9 anti-aliased strokes and rings of varied width and
/// brightness; some images are blank or solid white, as in notMNIST.
func renderGlyph(using generator: inout SeededGenerator) -> [UInt8] {
  let kind = generator.next() % 200
  if kind == 0 { return [UInt8](repeating: 255, count: 784) }
  if kind == 1 { return [UInt8](repeating: 0, count: 784) }
  var pixels = [Float](repeating: 0, count: 784)
  let strokes = 4 + Int(generator.next() % 6)
  for _ in 0..<strokes {
    let x0 = 3 + 22 * generator.nextUnitFloat()
    let y0 = 3 + 22 * generator.nextUnitFloat()
    let x1 = 3 + 22 * generator.nextUnitFloat()
    let y1 = 3 + 22 * generator.nextUnitFloat()
    let width = 0.8 + 3.2 * generator.nextUnitFloat()
    let brightness = 0.55 + 0.45 * generator.nextUnitFloat()
    // Two strokes in five are rings (curved parts of letters), the rest straight segments.
    let isRing = generator.next() % 5 < 2
    let radius = 3 + 9 * generator.nextUnitFloat()
    let dx = x1 - x0
    let dy = y1 - y0
    let lengthSquared = max(dx * dx + dy * dy, 1e-3)
    for y in 0..<28 {
      for x in 0..<28 {
        let px = Float(x) - x0
        let py = Float(y) - y0
        let distance: Float
        if isRing {
          distance = abs((px * px + py * py).squareRoot() - radius)
        } else {
          let t = min(max((px * dx + py * dy) / lengthSquared, 0), 1)
          let ex = px - t * dx
          let ey = py - t * dy
          distance = (ex * ex + ey * ey).squareRoot()
        }
        let coverage = brightness * min(max(width - distance, 0), 1)
        pixels[y * 28 + x] = max(pixels[y * 28 + x], coverage)
      }
    }
  }
  return pixels.map { UInt8(($0 * 255).rounded()) }
}

/// An 8-bit grayscale PNG of a 28x28 image, deflated by zlib at its default level.
func encodePNG(_ pixels: [UInt8]) -> [UInt8] {
  var raw: [UInt8] = []
  raw.reserveCapacity(28 * 29)
  for y in 0..<28 {
    raw.append(0)
    raw.append(contentsOf: pixels[(y * 28)..<((y + 1) * 28)])
  }
  var compressedSize = compressBound(uLong(raw.count))
  var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
  _ = compress2(&compressed, &compressedSize, raw, uLong(raw.count), Z_DEFAULT_COMPRESSION)
  compressed.removeLast(compressed.count - Int(compressedSize))

  func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
    let typed = Array(type.utf8) + body
    let crc = UInt32(crc32(0, typed, uInt(typed.count)))
    return bigEndian(UInt32(body.count)) + typed + bigEndian(crc)
  }
  let header = bigEndian(28) + bigEndian(28) + [8, 0, 0, 0, 0]
  return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
    + chunk("IDAT", compressed) + chunk("IEND", [])
}

func bigEndian(_ value: UInt32) -> [UInt8] {
  [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }
}

/// A base64-looking file name like notMNIST's (base64 of a font file name).
func fileName(_ index: Int, using generator: inout SeededGenerator) -> String {
  let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
  let length = 16 + Int(generator.next() % 32)
  let body = String((0..<length).map { _ in alphabet[Int(generator.next() % 62)] })
  return body + "\(index)==.png"
}

// MARK: - Archive writing

struct Generated {
  var imageCount: Int
  var brokenCount: Int
  var pixelSum: UInt64
}

/// Writes the benchmark archive; returns what a correct loader must find.
func writeArchive(path: String, count: Int) -> Generated {
  guard let archive = archive_write_new() else { fatalError("libarchive could not start") }
  archive_write_add_filter_gzip(archive)
  archive_write_set_filter_option(archive, "gzip", "compression-level", "1")
  archive_write_set_format_ustar(archive)
  guard archive_write_open_filename(archive, path) == ARCHIVE_OK else {
    fatalError("cannot write \(path): \(String(cString: archive_error_string(archive)))")
  }
  var generator = SeededGenerator(seed: 2011)
  var generated = Generated(imageCount: 0, brokenCount: 0, pixelSum: 0)
  let letters = Array("ABCDEFGHIJ")
  let entry = archive_entry_new()
  for index in 0..<count {
    let letter = letters[index * 10 / count]
    let name = "notMNIST_large/\(letter)/" + fileName(index, using: &generator)
    var bytes: [UInt8]
    if index % (count / 5 + 1) == 7 {
      bytes = []
      generated.brokenCount += 1
    } else if index == count / 2 + 3 {
      bytes = Array("<html>not a png</html>".utf8)
      generated.brokenCount += 1
    } else {
      let pixels = renderGlyph(using: &generator)
      generated.pixelSum += pixels.reduce(0) { $0 + UInt64($1) }
      generated.imageCount += 1
      bytes = encodePNG(pixels)
    }
    archive_entry_clear(entry)
    archive_entry_set_pathname(entry, name)
    archive_entry_set_size(entry, la_int64_t(bytes.count))
    archive_entry_set_filetype(entry, 0o100000)
    archive_entry_set_perm(entry, 0o644)
    archive_write_header(archive, entry)
    _ = bytes.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
  }
  archive_entry_free(entry)
  archive_write_close(archive)
  archive_write_free(archive)
  return generated
}

// MARK: - Measurement

/// Peak resident memory of this process in MiB (VmHWM).
func peakResidentMiB() -> Double {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
    let kib = Double(line.split(separator: " ")[1])
  else { return .nan }
  return kib / 1024
}

/// Resets VmHWM to the current resident size (Linux 4.0 and later).
func resetPeakResident() {
  try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

func seconds(since start: DispatchTime) -> Double {
  Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

let options = Options(arguments: CommandLine.arguments)
let folder = "/tmp/notmnist-bench"
let path = options.path ?? "\(folder)/notMNIST_bench_\(options.count).tar.gz"
let expectedPath = path + ".expected"
try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

var expected: Generated
if let text = try? String(contentsOfFile: expectedPath, encoding: .utf8),
  case let fields = text.split(separator: " ").compactMap({ UInt64($0) }), fields.count == 3
{
  expected = Generated(
    imageCount: Int(fields[0]), brokenCount: Int(fields[1]), pixelSum: fields[2])
  print("reusing \(path)")
} else {
  let start = DispatchTime.now()
  expected = writeArchive(path: path, count: options.count)
  try? "\(expected.imageCount) \(expected.brokenCount) \(expected.pixelSum)"
    .write(toFile: expectedPath, atomically: true, encoding: .utf8)
  print(String(format: "generated %@ in %.1f s", path, seconds(since: start)))
}
let archiveBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

/// The sum of all pixel bytes (a function, so that the loop does not run on the main actor).
func sumOfPixels(_ pixels: [UInt8]) -> UInt64 {
  pixels.reduce(UInt64(0)) { $0 + UInt64($1) }
}

/// Loads the archive once, checks the result against `expected`, and returns the seconds taken.
func timedLoad(path: String, workers: Int, expected: Generated, shouldReport: Bool) -> Double {
  let start = DispatchTime.now()
  let loaded: LoadedSource
  do {
    loaded = try SourceLoader.load(path, workerCount: workers)
  } catch {
    print("error: \(error)")
    exit(1)
  }
  let elapsed = seconds(since: start)

  let pixelSum = sumOfPixels(loaded.images.pixels)
  let isCorrect =
    loaded.images.count == expected.imageCount && loaded.skipped.count == expected.brokenCount
    && pixelSum == expected.pixelSum
  if shouldReport || !isCorrect {
    print(
      "check: \(loaded.images.count) images (expected \(expected.imageCount)), "
        + "\(loaded.skipped.count) skipped (expected \(expected.brokenCount)), pixel sum "
        + (pixelSum == expected.pixelSum ? "matches" : "DIFFERS"))
  }
  if !isCorrect { exit(1) }
  return elapsed
}

resetPeakResident()
let residentBefore = peakResidentMiB()
var times: [Double] = []
for run in 0..<options.repeatCount {
  times.append(
    timedLoad(path: path, workers: options.workers, expected: expected, shouldReport: run == 0))
}
let peak = peakResidentMiB()
times.sort()
let median = times[times.count / 2]
let p90 = times[min(times.count - 1, Int((Double(times.count) * 0.9).rounded(.up)) - 1)]
let files = expected.imageCount + expected.brokenCount

print("")
print(
  "name                files  archive MB  workers  runs  median s  p90 s  images/s  peak RSS MiB")
print(
  String(
    format: "load tar.gz (PNG) %7d  %10.1f  %7d  %4d  %8.2f  %5.2f  %8.0f  %12.0f",
    files, Double(archiveBytes) / 1e6, options.workers, times.count, median, p90,
    Double(expected.imageCount) / median, peak))
print(String(format: "resident before the first load: %.0f MiB", residentBefore))
