// swift-tools-version:6.0
import PackageDescription

/// Module READMEs are documentation, not sources.
let readme: [String] = ["README.md"]

let package = Package(
  name: "swift-notmnist",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "notmnist", targets: ["notmnist"]),
    .library(name: "Training", targets: ["Training"]),
  ],
  targets: [
    // MARK: - C libraries from Debian
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
    .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
    .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive"),
    .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2"),
    .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial"),

    // MARK: - C shims over those libraries
    .target(name: "CPNGShim", dependencies: ["CPNG"], exclude: readme),

    // MARK: - C loops built for several instruction sets
    // Optimized in debug builds too, so that the tests run the vector code that ships.
    .target(
      name: "CKernels", exclude: readme, cSettings: [.unsafeFlags(["-O2"])],
      linkerSettings: [.linkedLibrary("gomp")]),

    // MARK: - Library modules
    .target(name: "TensorCore", dependencies: ["CDNNL"], exclude: readme),
    .target(
      name: "NeuralNet", dependencies: ["TensorCore", "CDNNL", "CKernels"], exclude: readme),
    .target(
      name: "Optimizers", dependencies: ["TensorCore", "NeuralNet", "CKernels"], exclude: readme),
    .target(
      name: "Datasets",
      dependencies: ["TensorCore", "CPNG", "CPNGShim", "CZlib", "CArchive", "CFreeType"],
      exclude: readme),
    .target(
      name: "Training",
      dependencies: ["TensorCore", "NeuralNet", "Optimizers", "Datasets", "CZlib"],
      exclude: readme),
    .target(
      name: "Pictures", dependencies: ["TensorCore", "CPNG", "CFreeType"], exclude: readme),
    .target(
      name: "KerasInterop",
      dependencies: ["TensorCore", "NeuralNet", "Training", "CHDF5", "CArchive"],
      exclude: readme),
    .target(
      name: "NotMNISTCommands", dependencies: ["Training", "Pictures", "KerasInterop"],
      exclude: readme),
    .executableTarget(name: "notmnist", dependencies: ["NotMNISTCommands"]),
    .executableTarget(
      name: "KerasTrainStep", dependencies: ["KerasInterop", "NeuralNet", "Optimizers"],
      exclude: readme),
    .executableTarget(
      name: "DataBenchmark", dependencies: ["Datasets"], path: "Benchmarks/DataBenchmark"),
    .target(name: "TestSupport", dependencies: ["TensorCore"], exclude: readme),

    // MARK: - Tests
    .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
    .testTarget(
      name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "OptimizersTests", dependencies: ["Optimizers", "TestSupport"]),
    .testTarget(
      name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "TestSupport"]),
    .testTarget(name: "PicturesTests", dependencies: ["Pictures", "TestSupport"]),
    .testTarget(
      name: "KerasInteropTests", dependencies: ["KerasInterop", "TestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "NotMNISTCommandsTests", dependencies: ["NotMNISTCommands", "TestSupport"]),
  ],
  cLanguageStandard: .c11
)
