// One training step of a Keras model, for the training-mode parity check in
// scripts/keras_interop_check.sh (never used by the tests or the `notmnist` program).
//
//     KerasTrainStep MODEL.keras BATCH.json OUT.keras
//
// Reads MODEL.keras, turns every Dropout off (rate 0), runs one training step on the batch
// (`{"images": {"shape": [N, H, W, C], "values": [...]}, "labels": [...]}`) with batch
// statistics, categorical cross-entropy plus the L2 penalties, and RMSprop with Keras's
// defaults, writes the updated model (weights and moving statistics) to OUT.keras and prints
// `{"loss": L}` on standard output.
import Foundation
import KerasInterop
import NeuralNet
import Optimizers
import TensorCore

struct Batch: Decodable {
  struct Images: Decodable {
    var shape: [Int]
    var values: [Float]
  }
  var images: Images
  var labels: [Int32]
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("error: \(message)\n".utf8))
  exit(1)
}

/// The same model with every Dropout rate set to zero and the same weights.
func withoutDropout(_ model: Model) throws -> Model {
  var architecture = model.architecture
  for index in architecture.layers.indices {
    if case .dropout = architecture.layers[index].kind {
      architecture.layers[index].kind = .dropout(rate: 0)
    }
  }
  let copy = try Model(architecture: architecture)
  for (target, source) in zip(copy.parameters, model.parameters) {
    target.setKerasValue(source.kerasValue)
  }
  return copy
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else { fail("usage: KerasTrainStep MODEL.keras BATCH.json OUT.keras") }
do {
  let model = try withoutDropout(KerasModelFile.read(from: URL(fileURLWithPath: arguments[1])))
  let data = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
  let batch = try JSONDecoder().decode(Batch.self, from: data)
  guard batch.images.shape.count == 4, batch.images.shape[0] == batch.labels.count,
    Array(batch.images.shape.dropFirst()) == model.inputShape
  else {
    fail("\(arguments[2]): images \(batch.images.shape) do not fit the model's input")
  }

  var generator = SeededGenerator(seed: 0)
  let (loss, _) = try batch.images.values.withUnsafeBufferPointer { pointer in
    guard let base = pointer.baseAddress else { fail("\(arguments[2]): no images") }
    return try model.trainStep(images: base, labels: batch.labels, generator: &generator)
  }
  RMSprop().update(model.parameters)
  try KerasModelFile.write(model, to: URL(fileURLWithPath: arguments[3]))
  print("{\"loss\": \(loss)}")
} catch {
  fail("\(error)")
}
