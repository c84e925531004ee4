import Foundation
import Synchronization

/// Turns the first Ctrl-C (SIGINT) into a request to stop at the next consistent point; a
/// second Ctrl-C ends the process at once, as usual.
enum Interruption {
  private static let isRequested = Atomic<Bool>(false)

  /// Installs the handler.
  static func install() {
    signal(SIGINT) { _ in
      Interruption.isRequested.store(true, ordering: .relaxed)
      signal(SIGINT, SIG_DFL)
    }
  }

  /// Whether Ctrl-C was pressed since ``install()``.
  static var wasRequested: Bool { isRequested.load(ordering: .relaxed) }
}
