import Foundation

/// What the kernel reports about this process's memory (`/proc/self/status`, Linux).
enum ProcessMemory {
  /// The peak resident set size so far (`VmHWM`), in bytes; nil where the file or the line is
  /// missing (not Linux).
  static func peakResidentBytes() -> Int? {
    value(of: "VmHWM", in: (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)))
  }

  /// The value of a `Name:   123 kB` line of a status text, in bytes.
  static func value(of name: String, in status: String?) -> Int? {
    guard let status else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
      let fields = line.dropFirst(name.count + 1).split { $0 == " " || $0 == "\t" }
      guard let number = fields.first.flatMap({ Int($0) }) else { return nil }
      return fields.count > 1 && fields[1] == "kB" ? number * 1024 : number
    }
    return nil
  }
}
