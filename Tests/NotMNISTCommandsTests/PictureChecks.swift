import Foundation
import Testing

import TestSupport

extension Tag {
  /// Tests that read the real notMNIST files in `../shared/notmnist`.
  @Tag static var dataset: Self
  /// Tests that render pages in headless Chromium.
  @Tag static var chromium: Self
}

/// Decoding checks for the pictures the commands write, done by Pillow from `.venv`, which is
/// independent of the libpng encoder under test.
enum PictureChecks {
  /// What Pillow found in one PNG.
  struct Facts: Equatable {
    /// Pillow's format name: "PNG".
    var format: String
    /// The decoded width in pixels.
    var width: Int
    /// The decoded height in pixels.
    var height: Int
    /// The number of distinct colours (1 for a flat picture).
    var colours: Int
  }

  /// Decodes PNG files.
  /// - Returns: one entry per file, or `nil` (with a recorded issue) when one does not decode.
  static func decode(files: [String], sourceLocation: SourceLocation = #_sourceLocation)
    -> [Facts]?
  {
    let rows =
      Python.json(
        """
        import json, sys
        from PIL import Image
        out = []
        for path in sys.argv[1:]:
            image = Image.open(path); image.load()
            rgb = image.convert("RGB")
            out.append([image.format, image.width, image.height,
                        len(rgb.getcolors(maxcolors=rgb.width * rgb.height))])
        print(json.dumps(out))
        """, arguments: files, sourceLocation: sourceLocation) as? [[Any]]
    return rows?.map(facts)
  }

  /// Decodes every `data:image/png;base64` URI of an HTML file.
  /// - Returns: per `<img>`, in page order, what Pillow decoded and the `width` and `height`
  ///   attributes; `nil` (with a recorded issue) when one does not decode.
  static func decodeDataURIs(
    inHTML path: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> [(facts: Facts, statedWidth: Int, statedHeight: Int)]? {
    let rows =
      Python.json(
        """
        import base64, io, json, re, sys
        from PIL import Image
        page = open(sys.argv[1], encoding="utf-8").read()
        out = []
        for tag in re.findall(r"<img\\b[^>]*>", page):
            attributes = dict(re.findall(r'(\\w+)="([^"]*)"', tag))
            data = attributes["src"].split("data:image/png;base64,", 1)[1]
            image = Image.open(io.BytesIO(base64.b64decode(data, validate=True))); image.load()
            rgb = image.convert("RGB")
            out.append([image.format, image.width, image.height,
                        len(rgb.getcolors(maxcolors=rgb.width * rgb.height)),
                        int(attributes["width"]), int(attributes["height"])])
        print(json.dumps(out))
        """, arguments: [path], sourceLocation: sourceLocation) as? [[Any]]
    return rows?.map { row in (facts(row), row[4] as? Int ?? -1, row[5] as? Int ?? -1) }
  }

  private static func facts(_ row: [Any]) -> Facts {
    Facts(
      format: row[0] as? String ?? "", width: row[1] as? Int ?? -1, height: row[2] as? Int ?? -1,
      colours: row[3] as? Int ?? -1)
  }

  /// The real notMNIST files beside the package (`../shared/notmnist`).
  static let dataFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/notmnist").path

  /// Whether the real data is there.
  static let hasData = FileManager.default.fileExists(
    atPath: dataFolder + "/notMNIST_large_sample.tar.gz")
}
