#!/usr/bin/env bash
# Checks that an HTML report written by `notmnist report` or `notmnist train` renders: it opens
# the page in headless Chromium and fails when the page is blank or a picture is missing.
#
#   bash scripts/check_report.sh REPORT.html [SCREENSHOT.png]
#
# 1. The page has pictures, and every <img> is a data:image/png;base64 URI that decodes as a PNG
#    of the size its width and height attributes state (checked with Pillow from the
#    repository's .venv).
# 2. Chromium loads a copy of the page with a probe script appended; after the load event the
#    probe records, for every image, whether the browser decoded it (naturalWidth > 0) and where
#    it sits. Any image the browser could not decode fails the check.
# 3. Chromium takes a screenshot of the whole page at 1280 px wide. The check fails when the
#    screenshot is blank (under 1% of pixels differ from the background) or when the area of
#    any image is a single flat colour.
#
# Exit status: 0 the page renders, 1 a check failed, 2 the check could not run (no Chromium, no
# .venv: run `bash scripts/setup.sh`). It touches nothing but a temporary folder, and Chromium
# only reads the local file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  echo "usage: bash scripts/check_report.sh REPORT.html [SCREENSHOT.png]" >&2
  exit 2
fi
browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$browser" ]; then
  echo "check_report: chromium is not installed; run bash scripts/setup.sh" >&2
  exit 2
fi
python="$root/.venv/bin/python"
if ! "$python" -c "import PIL" 2>/dev/null; then
  echo "check_report: $python with Pillow is missing; run bash scripts/setup.sh" >&2
  exit 2
fi

exec "$python" - "$browser" "$@" <<'PY'
import base64, html, io, json, os, re, subprocess, sys, tempfile
from PIL import Image

browser, report = sys.argv[1], os.path.abspath(sys.argv[2])
keep = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
name = os.path.basename(report)
WIDTH, MAX_HEIGHT = 1280, 16000
PROBE = """<script>
window.addEventListener('load', function () {
  var height = document.documentElement.scrollHeight;
  var images = Array.prototype.map.call(document.images, function (img) {
    var box = img.getBoundingClientRect();
    return {alt: img.alt, decoded: img.complete && img.naturalWidth > 0,
      x: box.left + window.scrollX, y: box.top + window.scrollY,
      width: box.width, height: box.height};
  });
  var out = document.createElement('pre');
  out.id = 'report-check';
  out.textContent = JSON.stringify({height: height, images: images,
    text: document.body ? document.body.innerText.length : 0});
  document.body.appendChild(out);
});
</script>"""


def fail(message):
    print(f"check_report: FAILED: {name}: {message}", file=sys.stderr)
    sys.exit(1)


def chromium(arguments, folder):
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", "--mute-audio",
               "--disable-dev-shm-usage", f"--user-data-dir={folder}/profile",
               "--virtual-time-budget=10000"] + arguments
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        fail("chromium did not finish within 120 s")
    if result.returncode != 0:
        fail(f"chromium exited with {result.returncode}: {result.stderr[-500:]}")
    return result.stdout


try:
    page = open(report, encoding="utf-8").read()
except OSError as error:
    fail(f"cannot read: {error}")

# 1. The data URIs themselves; a report always has pictures.
tags = re.findall(r"<img\b[^>]*>", page)
if not tags:
    fail("the page has no <img> at all")
for index, tag in enumerate(tags):
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
    label = html.unescape(attributes.get("alt", f"image {index + 1}"))
    source = attributes.get("src", "")
    prefix = "data:image/png;base64,"
    if not source.startswith(prefix):
        fail(f"image '{label}' is not an embedded PNG: src starts '{source[:40]}'")
    try:
        picture = Image.open(io.BytesIO(base64.b64decode(source[len(prefix):], validate=True)))
        picture.load()
    except Exception as error:
        fail(f"image '{label}' does not decode as PNG: {error}")
    stated = (int(attributes.get("width", -1)), int(attributes.get("height", -1)))
    if picture.format != "PNG" or picture.size != stated:
        fail(f"image '{label}' is a {picture.format} of {picture.size}, the page says {stated}")

with tempfile.TemporaryDirectory(prefix="check-report-") as folder:
    # 2. What the browser decoded, and the page's height.
    probe = os.path.join(folder, "probe.html")
    with open(probe, "w", encoding="utf-8") as file:
        file.write(page.replace("</body>", PROBE + "</body>") if "</body>" in page
                   else page + PROBE)
    dom = chromium([f"--window-size={WIDTH},4000", "--dump-dom", "file://" + probe], folder)
    found = re.search(r'<pre id="report-check">(.*?)</pre>', dom, re.S)
    if not found:
        fail("the probe did not run: the page did not finish loading in chromium")
    facts = json.loads(html.unescape(found.group(1)))
    if len(facts["images"]) != len(tags):
        fail(f"chromium sees {len(facts['images'])} images, the file has {len(tags)} <img> tags")
    broken = [image["alt"] for image in facts["images"] if not image["decoded"]]
    if broken:
        fail("chromium could not show " + ", ".join(f"'{alt}'" for alt in broken))

    # 3. The screenshot of the whole page.
    height = max(200, min(int(facts["height"]), MAX_HEIGHT))
    shot = keep or os.path.join(folder, "screenshot.png")
    chromium([f"--window-size={WIDTH},{height}", f"--screenshot={shot}",
              "file://" + report], folder)
    screen = Image.open(shot).convert("RGB")
    colours = screen.getcolors(maxcolors=WIDTH * height) or []
    background = max(colours)[0] if colours else 0
    inked = 1 - background / (screen.width * screen.height)
    if inked < 0.01:
        fail(f"the page is blank: {inked:.2%} of a {screen.width}x{screen.height} screenshot"
             " differs from the background")
    checked = 0
    for image in facts["images"]:
        left, top = round(image["x"]) + 2, round(image["y"]) + 2
        right = round(image["x"] + image["width"]) - 2
        bottom = round(image["y"] + image["height"]) - 2
        if bottom > screen.height or right <= left or bottom <= top:
            continue
        extrema = screen.crop((left, top, right, bottom)).getextrema()
        if all(low == high for low, high in extrema):
            fail(f"image '{image['alt']}' is one flat colour on screen at ({left}, {top})")
        checked += 1

print(f"check_report: ok: {name}: {len(tags)} images decoded, {checked} seen on a "
      f"{screen.width}x{screen.height} screenshot, {inked:.1%} of it inked")
PY
