import CDNNL

/// What the compute engine is: the oneDNN version, the instruction set it runs, the threads.
public struct EngineInfo: Sendable, Equatable, Codable {
  /// The oneDNN version, such as `2.6.3`.
  public var version: String
  /// The instruction set oneDNN's kernels use on this CPU, such as `avx512_core_bf16`.
  public var isa: String
  /// The OpenMP threads oneDNN computes with.
  public var threads: Int

  /// The engine of this process, as it stands now (the thread count follows
  /// ``Model/setThreadCount(_:)``).
  public static var current: EngineInfo {
    let version = dnnl_version().pointee
    return EngineInfo(
      version: "\(version.major).\(version.minor).\(version.patch)",
      isa: isaName(dnnl_get_effective_cpu_isa()), threads: Int(omp_get_max_threads()))
  }

  private static func isaName(_ isa: dnnl_cpu_isa_t) -> String {
    switch isa {
    case dnnl_cpu_isa_sse41: "sse41"
    case dnnl_cpu_isa_avx: "avx"
    case dnnl_cpu_isa_avx2: "avx2"
    case dnnl_cpu_isa_avx2_vnni: "avx2_vnni"
    case dnnl_cpu_isa_avx512_core: "avx512_core"
    case dnnl_cpu_isa_avx512_core_vnni: "avx512_core_vnni"
    case dnnl_cpu_isa_avx512_core_bf16: "avx512_core_bf16"
    case dnnl_cpu_isa_avx512_core_amx: "avx512_core_amx"
    default: "isa 0x\(String(isa.rawValue, radix: 16))"
    }
  }
}
