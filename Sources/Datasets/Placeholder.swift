import CPNG
import CZlib
import CArchive
func libs() -> String { String(cString: zlibVersion()) + String(cString: archive_version_string()) + "\(png_access_version_number())" }
