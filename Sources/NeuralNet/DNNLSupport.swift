import CDNNL
import TensorCore

#if canImport(Glibc)
  import Glibc
#endif

// MARK: - Context

/// The oneDNN CPU engine and its in-order stream, owned by one model, and the number format
/// its layers compute in.
final class DNNLContext {
  let engine: dnnl_engine_t
  let stream: dnnl_stream_t
  /// The number format of activations and their gradients; layers read it when they build
  /// their steps.
  let precision: Precision
  /// How training plans built from now on compute eligible convolutions.
  var convolutionAlgorithm = ConvolutionAlgorithm.direct

  /// Creates the engine and stream.
  /// - Throws: ``NeuralNetError/unsupportedPrecision(_:reason:)`` for `bf16` when oneDNN reports
  ///   no bfloat16 instructions on this CPU; ``NeuralNetError/dnnl(layer:operation:status:)``
  ///   when oneDNN cannot create the engine or stream.
  init(precision: Precision = .fp32) throws(NeuralNetError) {
    try DNNLContext.checkSupport(of: precision, isa: dnnl_get_effective_cpu_isa())
    self.precision = precision
    var engine: dnnl_engine_t?
    try check(dnnl_engine_create(&engine, dnnl_cpu, 0), "model", "engine_create")
    var stream: dnnl_stream_t?
    try check(
      dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "model",
      "stream_create")
    // Both are non-nil after a successful status.
    self.engine = engine.unsafelyUnwrapped
    self.stream = stream.unsafelyUnwrapped
  }

  deinit {
    dnnl_stream_destroy(stream)
    dnnl_engine_destroy(engine)
  }

  func wait() {
    dnnl_stream_wait(stream)
  }

  /// The element type of activations and their gradients: `dnnl_bf16` or `dnnl_f32`.
  var activationType: dnnl_data_type_t { precision == .bf16 ? dnnl_bf16 : dnnl_f32 }

  /// Whether oneDNN runs bfloat16 primitives with native instructions on this CPU (AVX-512
  /// BF16, `avx512_core_bf16` or a later ISA that includes it).
  static var supportsBF16: Bool { supportsBF16(isa: dnnl_get_effective_cpu_isa()) }

  /// Whether `isa` includes the AVX-512 BF16 instructions; oneDNN's ISA values are bit sets, and
  /// each ISA holds the bits of those it extends.
  static func supportsBF16(isa: dnnl_cpu_isa_t) -> Bool {
    let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
    return isa.rawValue & bf16 == bf16
  }

  /// oneDNN's name for an ISA value, as `ONEDNN_MAX_CPU_ISA` spells it in lowercase.
  static func isaName(_ isa: dnnl_cpu_isa_t) -> String {
    let names: [(dnnl_cpu_isa_t, String)] = [
      (dnnl_cpu_isa_all, "all"), (dnnl_cpu_isa_sse41, "sse41"), (dnnl_cpu_isa_avx, "avx"),
      (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"),
      (dnnl_cpu_isa_avx512_mic, "avx512_mic"), (dnnl_cpu_isa_avx512_mic_4ops, "avx512_mic_4ops"),
      (dnnl_cpu_isa_avx512_core, "avx512_core"),
      (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"),
      (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
      (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"),
    ]
    return names.first { $0.0 == isa }?.1 ?? "0x\(String(isa.rawValue, radix: 16))"
  }

  /// Throws unless `precision` can run on a CPU for which oneDNN reports `isa`.
  static func checkSupport(of precision: Precision, isa: dnnl_cpu_isa_t) throws(NeuralNetError) {
    guard precision == .bf16, !supportsBF16(isa: isa) else { return }
    let name = isaName(isa)
    throw .unsupportedPrecision(
      .bf16,
      reason: "oneDNN reports CPU ISA \(name), expected avx512_core_bf16 or later "
        + "(AVX-512 BF16 instructions)")
  }
}

/// Throws ``NeuralNetError/dnnl(layer:operation:status:)`` unless `status` is success.
func check(_ status: dnnl_status_t, _ layer: String, _ operation: String) throws(NeuralNetError) {
  if status != dnnl_success {
    throw .dnnl(layer: layer, operation: operation, status: Int(status.rawValue))
  }
}

// MARK: - Memory descriptors

/// Helpers over `dnnl_memory_desc_t`.
enum MemoryDesc {
  static func make(
    _ dims: [Int], _ tag: dnnl_format_tag_t, type: dnnl_data_type_t = dnnl_f32
  ) -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let d = dims.map { Int64($0) }
    let status = dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, type, tag)
    precondition(status == dnnl_success, "cannot describe dims \(dims) with tag \(tag)")
    return md
  }

  static func strided(_ dims: [Int], strides: [Int]) -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let d = dims.map { Int64($0) }
    let s = strides.map { Int64($0) }
    let status = dnnl_memory_desc_init_by_strides(&md, Int32(d.count), d, dnnl_f32, s)
    precondition(status == dnnl_success, "cannot describe dims \(dims) with strides \(strides)")
    return md
  }

  /// A descriptor that lets the primitive choose the layout, of element type `type`.
  static func any(_ dims: [Int], type: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t {
    make(dims, dnnl_format_tag_any, type: type)
  }

  /// The same layout as `md` with elements of `type` (strides count elements, so a plain or
  /// blocked layout carries over unchanged).
  static func retyped(_ md: dnnl_memory_desc_t, _ type: dnnl_data_type_t) -> dnnl_memory_desc_t {
    var md = md
    md.data_type = type
    return md
  }

  /// The plain row-major layout for dims `[N, C]` or `[N, C, H, W]` stored as NHWC.
  static func keras(_ dims: [Int]) -> dnnl_memory_desc_t {
    dims.count == 4 ? make(dims, dnnl_nhwc) : make(dims, dnnl_nc)
  }

  static func equal(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
    var a = a
    var b = b
    return dnnl_memory_desc_equal(&a, &b) != 0
  }

  static func byteCount(_ md: dnnl_memory_desc_t) -> Int {
    var md = md
    return dnnl_memory_desc_get_size(&md)
  }

  static func dims(_ md: dnnl_memory_desc_t) -> [Int] {
    var md = md
    return withUnsafeBytes(of: &md.dims) { raw in
      Array(raw.bindMemory(to: Int64.self).prefix(Int(md.ndims)).map { Int($0) })
    }
  }
}

// MARK: - Buffers

/// A 64-byte aligned host buffer wrapped by a oneDNN memory object of one descriptor.
///
/// Either owns its storage (zero-filled) or borrows a pointer owned elsewhere (a parameter's
/// value or gradient, or another buffer viewed with a different descriptor).
final class DNNLBuffer {
  let desc: dnnl_memory_desc_t
  private(set) var data: UnsafeMutablePointer<Float>
  let floatCount: Int
  let memory: dnnl_memory_t
  private var ownsData: Bool

  init(_ desc: dnnl_memory_desc_t, _ context: DNNLContext) {
    let bytes = max(MemoryDesc.byteCount(desc), 64)
    let pointer = HostMemory.allocate(bytes)
    self.desc = desc
    data = pointer.bindMemory(to: Float.self, capacity: bytes / 4)
    floatCount = MemoryDesc.byteCount(desc) / 4
    ownsData = true
    memory = DNNLBuffer.makeMemory(desc, context, pointer)
  }

  init(
    _ desc: dnnl_memory_desc_t, _ context: DNNLContext,
    borrowing pointer: UnsafeMutablePointer<Float>
  ) {
    self.desc = desc
    data = pointer
    floatCount = MemoryDesc.byteCount(desc) / 4
    ownsData = false
    memory = DNNLBuffer.makeMemory(desc, context, UnsafeMutableRawPointer(pointer))
  }

  deinit {
    dnnl_memory_destroy(memory)
    if ownsData { HostMemory.deallocate(data, bytes: byteCount) }
  }

  /// The element type of the descriptor (`dnnl_f32`, `dnnl_bf16`, ...).
  var dataType: dnnl_data_type_t { desc.data_type }

  /// The bytes the descriptor spans, padding included.
  var byteCount: Int { MemoryDesc.byteCount(desc) }

  /// The storage as untyped memory; ``data`` is meaningful only when ``dataType`` is `dnnl_f32`.
  var raw: UnsafeMutableRawPointer { UnsafeMutableRawPointer(data) }

  func zero() {
    memset(data, 0, byteCount)
  }

  /// Moves the buffer and its oneDNN memory onto `pointer`, freeing the storage it owned.
  ///
  /// `pointer` is 64-byte aligned, spans at least ``byteCount`` bytes and outlives the buffer;
  /// the contents are not carried over.
  func rebind(to pointer: UnsafeMutableRawPointer) {
    let status = dnnl_memory_set_data_handle(memory, pointer)
    precondition(status == dnnl_success, "oneDNN set_data_handle failed with status \(status)")
    if ownsData { HostMemory.deallocate(data, bytes: byteCount) }
    ownsData = false
    data = pointer.assumingMemoryBound(to: Float.self)
  }

  private static func makeMemory(
    _ desc: dnnl_memory_desc_t, _ context: DNNLContext, _ pointer: UnsafeMutableRawPointer
  ) -> dnnl_memory_t {
    var desc = desc
    var memory: dnnl_memory_t?
    let status = dnnl_memory_create(&memory, &desc, context.engine, pointer)
    precondition(status == dnnl_success, "oneDNN memory_create failed with status \(status)")
    return memory.unsafelyUnwrapped
  }
}

// MARK: - Primitives

/// A oneDNN primitive with its descriptor, executed on the context's stream.
final class DNNLPrimitive {
  let descriptor: dnnl_primitive_desc_t
  let primitive: dnnl_primitive_t
  let context: DNNLContext

  /// Creates the primitive descriptor from an operation descriptor, then the primitive.
  convenience init(
    _ opDesc: UnsafeRawPointer, _ context: DNNLContext, hint: DNNLPrimitive? = nil,
    attributes: dnnl_primitive_attr_t? = nil, layer: String, operation: String
  ) throws(NeuralNetError) {
    var pd: dnnl_primitive_desc_t?
    try check(
      dnnl_primitive_desc_create(&pd, opDesc, attributes, context.engine, hint?.descriptor),
      layer, "\(operation) primitive_desc_create")
    try self.init(descriptor: pd.unsafelyUnwrapped, context, layer: layer, operation: operation)
  }

  /// Takes ownership of a primitive descriptor and creates its primitive.
  init(
    descriptor: dnnl_primitive_desc_t, _ context: DNNLContext, layer: String, operation: String
  ) throws(NeuralNetError) {
    var primitive: dnnl_primitive_t?
    let status = dnnl_primitive_create(&primitive, descriptor)
    if status != dnnl_success {
      dnnl_primitive_desc_destroy(descriptor)
      throw .dnnl(
        layer: layer, operation: "\(operation) primitive_create", status: Int(status.rawValue))
    }
    self.descriptor = descriptor
    self.primitive = primitive.unsafelyUnwrapped
    self.context = context
  }

  /// A reorder from one layout to another.
  static func reorder(
    from source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t, _ context: DNNLContext,
    layer: String
  ) throws(NeuralNetError) -> DNNLPrimitive {
    var source = source
    var destination = destination
    var pd: dnnl_primitive_desc_t?
    try check(
      dnnl_reorder_primitive_desc_create(
        &pd, &source, context.engine, &destination, context.engine, nil), layer,
      "reorder primitive_desc_create")
    return try DNNLPrimitive(
      descriptor: pd.unsafelyUnwrapped, context, layer: layer, operation: "reorder")
  }

  deinit {
    dnnl_primitive_destroy(primitive)
    dnnl_primitive_desc_destroy(descriptor)
  }

  func md(_ query: dnnl_query_t, _ index: Int32 = 0) -> dnnl_memory_desc_t {
    guard let pointer = dnnl_primitive_desc_query_md(descriptor, query, index) else {
      return dnnl_memory_desc_t()
    }
    return pointer.pointee
  }

  /// The kind of operation, such as `dnnl_convolution` or `dnnl_reorder`.
  var kind: dnnl_primitive_kind_t {
    var kind = dnnl_undefined_primitive
    dnnl_primitive_desc_query(descriptor, dnnl_query_primitive_kind, 0, &kind)
    return kind
  }

  /// The implementation oneDNN chose, such as `jit:avx512_core` or `ref:any`.
  var implementation: String {
    var name: UnsafePointer<CChar>?
    guard
      dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name)
        == dnnl_success, let name
    else { return "unknown" }
    return String(cString: name)
  }

  func execute(_ arguments: [(Int32, DNNLBuffer)]) {
    let args = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.memory) }
    let status = args.withUnsafeBufferPointer {
      dnnl_primitive_execute(primitive, context.stream, Int32($0.count), $0.baseAddress)
    }
    precondition(status == dnnl_success, "oneDNN primitive_execute failed with status \(status)")
  }
}

/// Converts a buffer from one layout to another, or passes it through when the layouts agree.
final class LayoutConverter {
  let source: DNNLBuffer
  let destination: DNNLBuffer
  /// The reorder ``run()`` executes; nil when the layouts agree.
  let reorder: DNNLPrimitive?

  init(
    from source: DNNLBuffer, to desc: dnnl_memory_desc_t, _ context: DNNLContext, layer: String
  ) throws(NeuralNetError) {
    self.source = source
    if MemoryDesc.equal(source.desc, desc) {
      destination = source
      reorder = nil
    } else {
      destination = DNNLBuffer(desc, context)
      reorder = try DNNLPrimitive.reorder(from: source.desc, to: desc, context, layer: layer)
    }
  }

  /// Writes `destination` from `source` (nothing when they are the same buffer).
  func run() {
    reorder?.execute([(DNNL_ARG_FROM, source), (DNNL_ARG_TO, destination)])
  }
}

/// Calls `body` with a pointer to `value` when `isPresent`, else with nil (optional C arguments).
func withOptionalPointer<T, R>(
  to value: inout T, if isPresent: Bool, _ body: (UnsafeMutablePointer<T>?) -> R
) -> R {
  if isPresent {
    return withUnsafeMutablePointer(to: &value) { body($0) }
  }
  return body(nil)
}

/// Where a backward-weights primitive writes its gradient: straight into the parameter's
/// gradient when the layouts agree, else into a buffer in the primitive's layout that ``run()``
/// reorders into the parameter's layout.
final class GradientWriter {
  let chosen: DNNLBuffer
  private let storage: DNNLBuffer
  /// The reorder ``run()`` executes; nil when the layouts agree.
  let reorder: DNNLPrimitive?

  init(
    chosen desc: dnnl_memory_desc_t, storage: DNNLBuffer, _ context: DNNLContext, layer: String
  ) throws(NeuralNetError) {
    self.storage = storage
    if MemoryDesc.equal(desc, storage.desc) {
      chosen = storage
      reorder = nil
    } else {
      chosen = DNNLBuffer(desc, context)
      reorder = try DNNLPrimitive.reorder(from: desc, to: storage.desc, context, layer: layer)
    }
  }

  func run() {
    reorder?.execute([(DNNL_ARG_FROM, chosen), (DNNL_ARG_TO, storage)])
  }
}

/// Lets a primitive write a result in its own layout into a buffer of another layout given
/// later: the primitive writes into ``target(for:)``, then ``finish(into:)`` reorders when the
/// layouts differ.
final class StagedOutput {
  private let staging: DNNLBuffer?
  /// The reorder ``finish(into:)`` executes; nil when the layouts agree.
  let reorder: DNNLPrimitive?

  init(
    produced: dnnl_memory_desc_t, wanted: dnnl_memory_desc_t, _ context: DNNLContext,
    layer: String
  ) throws(NeuralNetError) {
    if MemoryDesc.equal(produced, wanted) {
      staging = nil
      reorder = nil
    } else {
      staging = DNNLBuffer(produced, context)
      reorder = try DNNLPrimitive.reorder(from: produced, to: wanted, context, layer: layer)
    }
  }

  func target(for destination: DNNLBuffer) -> DNNLBuffer { staging ?? destination }

  func finish(into destination: DNNLBuffer) {
    guard let staging, let reorder else { return }
    reorder.execute([(DNNL_ARG_FROM, staging), (DNNL_ARG_TO, destination)])
  }
}
