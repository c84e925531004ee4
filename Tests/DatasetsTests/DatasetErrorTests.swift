import Testing

import Datasets

@Suite struct DatasetErrorTests {
  @Test(arguments: [
    (
      DatasetError.idxMagic(path: "train-images-idx3-ubyte", found: 0x1F8B_0808, expected: 0x0803),
      "train-images-idx3-ubyte: magic 0x1F8B0808, expected 0x00000803\n"
        + "hint: the file still looks gzip-compressed"
    ),
    (
      .idxMagic(path: "t-images-idx3-ubyte", found: 0x0801, expected: 0x0803),
      "t-images-idx3-ubyte: magic 0x00000801, expected 0x00000803\n"
        + "hint: this is an idx1 labels file; pass the images file"
    ),
    (
      .idxMagic(path: "t-labels-idx1-ubyte", found: 0x0803, expected: 0x0801),
      "t-labels-idx1-ubyte: magic 0x00000803, expected 0x00000801\n"
        + "hint: this is an idx3 images file; pass the labels file"
    ),
    (
      .idxMagic(path: "x", found: 0x8950_4E47, expected: 0x0803),
      "x: magic 0x89504E47, expected 0x00000803\nhint: this is a PNG file, not an idx file"
    ),
    (
      .idxMagic(path: "x", found: 0x0D03, expected: 0x0803),
      "x: magic 0x00000D03, expected 0x00000803"
    ),
    (.idxDimensions(path: "x", found: 2, expected: 3), "x: 2 dimensions, expected 3"),
    (.idxImageSize(path: "x", rows: 32, columns: 30), "x: images are 32x30, expected 28x28"),
    (
      .idxLength(path: "x", found: 100, expected: 800),
      "x: 100 bytes, expected 800 from the header\nhint: the file is truncated"
    ),
    (
      .idxLength(path: "x", found: 900, expected: 800),
      "x: 900 bytes, expected 800 from the header\nhint: the file is longer than its header says"
    ),
    (.idxLabelOutOfRange(path: "l", index: 4, value: 12), "l: label 12 at index 4, expected 0...9"),
    (
      .idxCountMismatch(imagesPath: "i", imageCount: 10, labelsPath: "l", labelCount: 9),
      "i: 10 images, but l has 9 labels\nhint: the images and labels files must come from the same set"
    ),
    (
      .labelsNotFound(
        imagesPath: "d/t-images-idx3-ubyte",
        tried: ["d/t-labels-idx1-ubyte", "d/t-labels-idx1-ubyte.gz"]),
      "d/t-images-idx3-ubyte: no labels file found beside it (tried d/t-labels-idx1-ubyte, d/t-labels-idx1-ubyte.gz)\n"
        + "hint: name it *-labels-idx1-ubyte[.gz] or pass the labels path explicitly"
    ),
    (.fileNotFound(path: "nope.tar"), "nope.tar: no such file or folder"),
    (.unreadable(path: "p", reason: "Permission denied"), "p: cannot be read (Permission denied)"),
    (
      .archive(path: "a.tar.gz", reason: "Truncated tar archive"),
      "a.tar.gz: cannot read archive: Truncated tar archive\n"
        + "hint: the archive may be truncated or corrupt; check its size and checksum"
    ),
    (
      .gzip(path: "g.gz", reason: "corrupt gzip data (zlib: invalid distance too far back)"),
      "g.gz: corrupt gzip data (zlib: invalid distance too far back)\n"
        + "hint: the file may be truncated; check its size and checksum"
    ),
    (
      .noImages(path: "folder"),
      "folder: no files found in letter folders A..J\n"
        + "hint: the source must hold one folder per letter, e.g. A/xyz.png"
    ),
  ])
  func messageNamesFileExpectationAndFinding(error: DatasetError, message: String) {
    #expect(error.description == message)
  }

  @Test(arguments: [
    (SkipReason.empty, "empty file"),
    (.notPNG, "not a PNG file"),
    (.truncated, "truncated PNG"),
    (
      .corrupt("CRC mismatch in IDAT chunk at byte 33"),
      "corrupt PNG: CRC mismatch in IDAT chunk at byte 33"
    ),
    (.wrongSize(width: 32, height: 28), "image is 32x28, expected 28x28"),
    (.noLetterFolder, "not inside a letter folder A..J"),
  ])
  func skipReasonReadsAsAShortPhrase(reason: SkipReason, text: String) {
    #expect(reason.description == text)
  }
}
