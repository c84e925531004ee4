#!/usr/bin/env bash
# Installs what swift-notmnist needs on a Debian machine: the C libraries it
# links against (HDF5 among them, for Keras weight files), the fonts
# `notmnist data render` draws from, headless Chromium (which the report check
# renders pages in), and a Python virtual environment (.venv) holding the
# ecosystem's own readers (tensorboard, safetensors, scikit-learn, Pillow) that
# the tests use to check the files the tool writes. Safe to run again: it only
# adds what is missing. Run it as root (or with sudo available).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(
  libdnnl-dev libpng-dev zlib1g-dev libarchive-dev libfreetype-dev libhdf5-dev pkg-config
  fonts-dejavu-core
  python3 python3-venv python3-pip
  # Headless Chromium renders the HTML report in scripts/check_report.sh and its test.
  chromium
)
# Fonts for `notmnist data render`, which renders the letters A-J of every installed face the
# way notMNIST was made: a broad set of Latin text, display, monospace and handwriting families
# (about 330 MB installed, about 1,800 distinct faces). Symbol fonts are included on purpose;
# the renderer skips and counts them.
fonts=(
  fonts-dejavu fonts-dejavu-extra fonts-liberation fonts-liberation2 fonts-freefont-ttf
  fonts-noto-core fonts-noto-ui-core fonts-noto-mono fonts-urw-base35 fonts-texgyre fonts-cantarell
  fonts-crosextra-carlito fonts-crosextra-caladea fonts-linuxlibertine fonts-ebgaramond
  fonts-ebgaramond-extra fonts-open-sans fonts-roboto-unhinted fonts-lato fonts-inter
  fonts-croscore fonts-go fonts-hack fonts-firacode fonts-jetbrains-mono fonts-inconsolata
  fonts-anonymous-pro fonts-mononoki fonts-courier-prime fonts-cmu fonts-lmodern fonts-junicode
  fonts-stix fonts-sil-gentiumplus fonts-sil-charis fonts-sil-andika fonts-sil-doulos
  fonts-vollkorn fonts-paratype fonts-oldstandard fonts-clear-sans fonts-oxygen fonts-cabin
  fonts-comfortaa fonts-dosis fonts-jura fonts-karla fonts-manrope fonts-league-spartan
  fonts-bebas-neue fonts-sora fonts-play fonts-tuffy fonts-averia-gwf fonts-averia-sans-gwf
  fonts-averia-serif-gwf fonts-comic-neue fonts-humor-sans fonts-dkg-handwriting
  fonts-dancingscript fonts-kaushanscript fonts-lobster fonts-lobstertwo fonts-isabella
  fonts-kristi fonts-rufscript fonts-blankenburg fonts-breip fonts-femkeklaver fonts-beteckna
  fonts-yanone-kaffeesatz fonts-quattrocento fonts-arapey fonts-century-catalogue
  fonts-goudybookletter fonts-prociono fonts-fanwood fonts-radisnoir fonts-f500 fonts-junction
  fonts-creep2 fonts-dustin fonts-mph-2b-damase fonts-ocr-a fonts-ocr-b fonts-adf-accanthis
  fonts-adf-berenis fonts-adf-gillius fonts-adf-universalis fonts-adf-baskervald fonts-adf-ikarius
  fonts-adf-irianis fonts-adf-libris fonts-adf-mekanus fonts-adf-oldania fonts-adf-romande
  fonts-adf-switzera fonts-adf-tribun fonts-adf-verana fonts-gfs-didot fonts-gfs-artemisia
  fonts-gfs-baskerville fonts-gfs-bodoni-classic fonts-gfs-complutum fonts-gfs-didot-classic
  fonts-gfs-gazis fonts-gfs-neohellenic fonts-gfs-olga fonts-gfs-porson fonts-gfs-solomos
  fonts-gfs-theokritos fonts-ecolier-court fonts-ecolier-lignes-court fonts-opendyslexic
  fonts-hermit fonts-fantasque-sans fonts-dseg fonts-font-awesome fonts-fork-awesome fonts-symbola
  fonts-stick fonts-linex fonts-uralic fonts-klaudia-berenika fonts-wine fonts-oflb-asana-math
  fonts-3270 fonts-adf-solothurn fonts-aenigma fonts-agave fonts-allerta fonts-b612
  fonts-cabinsketch fonts-campania fonts-cardo fonts-cherrybomb fonts-compagnon fonts-dclfonts
  fonts-elstob fonts-engadget fonts-essays1743 fonts-eurofurence fonts-fantasma fonts-gamaliel
  fonts-georgewilliams fonts-glasstty fonts-gnutypewriter fonts-gotico-antiqua fonts-havana
  fonts-inter-variable fonts-johnsmith-induni fonts-joscelyn fonts-karmilla fonts-le-murmure
  fonts-league-mono fonts-leckerli-one fonts-lemonada fonts-levien-museum fonts-levien-typoscript
  fonts-libfinal fonts-lindenhill fonts-millimetre fonts-monofur fonts-monoid fonts-national-park
  fonts-oflb-euterpe fonts-okolaks fonts-opendin fonts-osifont fonts-pc fonts-povray
  fonts-quicksand fonts-roadgeek fonts-roboto-slab fonts-routed-gothic fonts-sixtyfour
  fonts-sjfonts fonts-staypuft fonts-summersby fonts-tiresias fonts-tomsontalks
  fonts-triod-postnaja fonts-ubuntu-title fonts-uniol fonts-yrsa-rasa fonts-sil-gentium-basic
  fonts-sil-galatia fonts-tlwg-kinnari-ttf fonts-tlwg-typewriter-ttf fonts-tlwg-purisa-ttf
  fonts-tlwg-sawasdee-ttf fonts-tlwg-umpush-ttf fonts-tlwg-norasi-ttf fonts-tlwg-loma-ttf
  fonts-tlwg-laksaman-ttf fonts-tlwg-waree-ttf fonts-tlwg-mono-ttf fonts-tlwg-typist-ttf
  fonts-tlwg-typo-ttf fonts-tlwg-garuda-ttf
)
packages+=("${fonts[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6.3 from swift.org first" >&2
  exit 1
fi

# Python readers used only by tests, never by the tool itself.
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import tensorboard, safetensors, numpy, sklearn, PIL" 2>/dev/null; then
  echo "setup: installing Python test readers into .venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/scripts/requirements-test.txt"
fi
echo "setup: ok"
