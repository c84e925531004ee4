import CHDF5
import TensorCore

/// An open HDF5 file, with the few operations Keras weight files need: groups, `float32`
/// datasets and string attributes.
///
/// Paths are slash-separated from the root (`layers/conv2d/vars/0`). Datasets are read as
/// `float32` whatever their stored floating type (HDF5 converts) and written as little-endian
/// `float32`, the type Keras writes.
///
/// - Note: Debian's serial HDF5 is built thread-safe (one lock inside the library), so files may
///   be used from several threads; calls are serialized there.
final class HDF5File {
  /// The file's path, for messages.
  let path: String
  private let id: hid_t

  private init(path: String, id: hid_t) {
    self.path = path
    self.id = id
  }

  deinit {
    H5Fclose(id)
  }

  /// Opens an existing file for reading.
  /// - Throws: ``KerasError/invalidFile(path:problem:)`` when it is not an HDF5 file.
  static func open(path: String) throws(KerasError) -> HDF5File {
    // Note: this switches off HDF5's automatic error printing for the whole process. Failures
    // still come back as negative return values, which every call here checks.
    chdf5_silence_errors()
    let id = H5Fopen(path, chdf5_read_only(), chdf5_default())
    guard id >= 0 else { throw .invalidFile(path: path, problem: "not a valid HDF5 file") }
    return HDF5File(path: path, id: id)
  }

  /// Creates (or truncates) a file for writing.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)`` when it cannot be created.
  static func create(path: String) throws(KerasError) -> HDF5File {
    chdf5_silence_errors()
    let id = H5Fcreate(path, chdf5_truncate(), chdf5_default(), chdf5_default())
    guard id >= 0 else { throw .hdf5(path: path, object: "/", operation: "create") }
    return HDF5File(path: path, id: id)
  }

  // MARK: - Reading

  /// Whether a link exists at `object`, checking each level so a missing parent is no error.
  func exists(_ object: String) -> Bool {
    var prefix = ""
    for part in object.split(separator: "/") {
      prefix += prefix.isEmpty ? String(part) : "/\(part)"
      guard H5Lexists(id, prefix, chdf5_default()) > 0 else { return false }
    }
    return true
  }

  /// The names of a group's members, in HDF5's name order.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)`` when `group` is not a group.
  func members(of group: String) throws(KerasError) -> [String] {
    var info = H5G_info_t()
    guard H5Gget_info_by_name(id, group, &info, chdf5_default()) >= 0 else {
      throw .hdf5(path: path, object: group, operation: "group listing")
    }
    var names: [String] = []
    for index in 0..<info.nlinks {
      let length = H5Lget_name_by_idx(
        id, group, H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_default())
      guard length >= 0 else {
        throw .hdf5(path: path, object: group, operation: "member name")
      }
      var buffer = [CChar](repeating: 0, count: Int(length) + 1)
      H5Lget_name_by_idx(
        id, group, H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, chdf5_default())
      names.append(
        String(
          decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) },
          as: UTF8.self))
    }
    return names
  }

  /// The dimensions of a dataset as stored, without reading its data.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)`` when it is missing.
  func shape(of object: String) throws(KerasError) -> [UInt64] {
    let dataset = H5Dopen2(id, object, chdf5_default())
    guard dataset >= 0 else { throw .hdf5(path: path, object: object, operation: "dataset open") }
    defer { H5Dclose(dataset) }
    return try dimensions(of: dataset, object: object)
  }

  private func dimensions(of dataset: hid_t, object: String) throws(KerasError) -> [UInt64] {
    let space = H5Dget_space(dataset)
    defer { H5Sclose(space) }
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0 else { throw .hdf5(path: path, object: object, operation: "shape query") }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    H5Sget_simple_extent_dims(space, &dims, nil)
    return dims.map { UInt64($0) }
  }

  /// Reads a floating-point dataset of shape `expected` as a tensor (a scalar has shape `[]`).
  ///
  /// The stored dimensions are checked against `expected` before anything is allocated, so a
  /// file cannot ask for more memory than the caller's shape needs.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)`` when it is missing, not numeric or
  ///   of another shape; ``KerasError/weights(path:object:problem:)`` when `expected` has more
  ///   elements than `Int` holds.
  func readTensor(_ object: String, expected: [Int]) throws(KerasError) -> Tensor {
    let dataset = H5Dopen2(id, object, chdf5_default())
    guard dataset >= 0 else { throw .hdf5(path: path, object: object, operation: "dataset open") }
    defer { H5Dclose(dataset) }
    let dims = try dimensions(of: dataset, object: object)
    guard dims.elementsEqual(expected, by: { $1 >= 0 && $0 == UInt64($1) }) else {
      throw .hdf5(path: path, object: object, operation: "read as shape \(expected)")
    }
    let count = try Self.elementCount(expected, path: path, object: object)
    var scalars = [Float](repeating: 0, count: count)
    let status = scalars.withUnsafeMutableBytes { buffer in
      H5Dread(
        dataset, chdf5_native_float(), chdf5_all(), chdf5_all(), chdf5_default(),
        buffer.baseAddress)
    }
    guard status >= 0 else { throw .hdf5(path: path, object: object, operation: "read") }
    return Tensor(shape: expected, scalars: scalars)
  }

  /// The product of `shape`, checked for overflow.
  /// - Throws: ``KerasError/weights(path:object:problem:)`` when it overflows `Int`.
  static func elementCount(_ shape: [Int], path: String, object: String) throws(KerasError)
    -> Int
  {
    var count = 1
    for dimension in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow, dimension >= 0 else {
        throw .weights(
          path: path, object: object, problem: "shape \(shape) has too many elements")
      }
      count = product
    }
    return count
  }

  // MARK: - Writing

  /// Creates a group; its parent must exist.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)``.
  func createGroup(_ object: String) throws(KerasError) {
    let group = H5Gcreate2(id, object, chdf5_default(), chdf5_default(), chdf5_default())
    guard group >= 0 else { throw .hdf5(path: path, object: object, operation: "group create") }
    H5Gclose(group)
  }

  /// Writes a tensor as a contiguous little-endian `float32` dataset of its shape.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)``.
  func write(_ tensor: Tensor, at object: String) throws(KerasError) {
    let dims = tensor.shape.map { hsize_t($0) }
    let space = H5Screate_simple(Int32(dims.count), dims, nil)
    guard space >= 0 else { throw .hdf5(path: path, object: object, operation: "space create") }
    defer { H5Sclose(space) }
    let dataset = H5Dcreate2(
      id, object, chdf5_float32_le(), space, chdf5_default(), chdf5_default(), chdf5_default())
    guard dataset >= 0 else {
      throw .hdf5(path: path, object: object, operation: "dataset create")
    }
    defer { H5Dclose(dataset) }
    let status = tensor.scalars.withUnsafeBytes { buffer in
      H5Dwrite(
        dataset, chdf5_native_float(), chdf5_all(), chdf5_all(), chdf5_default(),
        buffer.baseAddress)
    }
    guard status >= 0 else { throw .hdf5(path: path, object: object, operation: "write") }
  }

  /// Sets a scalar variable-length UTF-8 string attribute on an object, as h5py writes them.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)``.
  func setAttribute(_ name: String, to value: String, on object: String) throws(KerasError) {
    let type = H5Tcopy(chdf5_c_string())
    defer { H5Tclose(type) }
    H5Tset_size(type, chdf5_variable_size())
    H5Tset_cset(type, H5T_CSET_UTF8)
    let space = H5Screate(H5S_SCALAR)
    defer { H5Sclose(space) }
    let attribute = H5Acreate_by_name(
      id, object, name, type, space, chdf5_default(), chdf5_default(), chdf5_default())
    guard attribute >= 0 else {
      throw .hdf5(path: path, object: "\(object)@\(name)", operation: "attribute create")
    }
    defer { H5Aclose(attribute) }
    let status = value.withCString { text in
      var pointer: UnsafePointer<CChar>? = text
      return H5Awrite(attribute, type, &pointer)
    }
    guard status >= 0 else {
      throw .hdf5(path: path, object: "\(object)@\(name)", operation: "attribute write")
    }
  }
}
