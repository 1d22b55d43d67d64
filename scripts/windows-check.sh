#!/usr/bin/env bash
# Check both release archives the way an office uses them: unpack into a temporary folder, run
# `check`, `build` and `package` on the shipped examples there; the Linux archive natively, the
# Windows archive under Wine (prefix from scripts/wine-prefix.sh). Every output file of the
# Windows program must have the same bytes as the Linux program's. Then the desk (`serve`) of
# each: its home page, an applicant's page and a preview image, fetched with curl.
#
#   bash scripts/dist.sh && bash scripts/dist.sh x86_64-pc-windows-gnu
#   bash scripts/windows-check.sh [LINUX_ARCHIVE [WINDOWS_ARCHIVE]]
#
# Needs wine64, gcc-mingw-w64-x86-64 (for the prefix), unzip, curl. Prints the time of each run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
LINUX_ARCHIVE=$(realpath "${1:-dist/shenbao-$VERSION-x86_64-unknown-linux-gnu.tar.gz}")
WINDOWS_ARCHIVE=$(realpath "${2:-dist/shenbao-$VERSION-x86_64-pc-windows-gnu.zip}")
WINE=${WINE:-$(command -v wine64 || echo /usr/lib/wine/wine64)}
WINESERVER=${WINESERVER:-$(command -v wineserver || echo "$(dirname "$WINE")/wineserver")}

for archive in "$LINUX_ARCHIVE" "$WINDOWS_ARCHIVE"; do
  test -f "$archive" || { echo "windows-check: no $archive (make it with scripts/dist.sh)" >&2; exit 1; }
done
SCRATCH=$(mktemp -d /tmp/shenbao-windows-check.XXXXXX)
cleanup() {
  WINEPREFIX=$SCRATCH/wine "$WINESERVER" -k 2>/dev/null || true
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
fail() { echo "windows-check: $*" >&2; exit 1; }

timed() { # label log command… — runs the command with its output in log, prints its wall time
  local label=$1 log=$2 start end
  shift 2
  start=$(date +%s%N)
  "$@" >"$log" 2>&1 || { cat "$log"; fail "$label failed in $PWD"; }
  end=$(date +%s%N)
  echo "  $label: $(( (end - start) / 1000000 )) ms"
}

# Runs one program (./shenbao or wine shenbao.exe) through check, build, package in its folder.
exercise() { # folder program…
  local dir=$1
  shift
  (
    cd "$dir"
    timed check check.log "$@" check
    timed build build.log "$@" build
    timed package package.log "$@" package inputs/河南省
  )
}

echo "Linux archive: $(basename "$LINUX_ARCHIVE")"
mkdir -p "$SCRATCH/linux"
tar -xzf "$LINUX_ARCHIVE" -C "$SCRATCH/linux"
LINUX_DIR=$(echo "$SCRATCH"/linux/shenbao-*)
exercise "$LINUX_DIR" ./shenbao

echo "Windows archive: $(basename "$WINDOWS_ARCHIVE")"
if unzip -Z1 "$WINDOWS_ARCHIVE" | grep -qi 'bcryptprimitives'; then
  fail "the Windows archive contains the test-only bcryptprimitives.dll"
fi
mkdir -p "$SCRATCH/windows"
unzip -q "$WINDOWS_ARCHIVE" -d "$SCRATCH/windows"
WINDOWS_DIR=$(echo "$SCRATCH"/windows/shenbao-*)
timed "wine prefix" "$SCRATCH/prefix.log" bash scripts/wine-prefix.sh "$SCRATCH/wine"
export WINEPREFIX=$SCRATCH/wine WINEDEBUG=-all DISPLAY=
exercise "$WINDOWS_DIR" "$WINE" shenbao.exe
grep -q "通过" "$WINDOWS_DIR/check.log" || fail "the Windows check printed no Chinese: $(cat "$WINDOWS_DIR/check.log")"

# A per-user font of the prefix (AppData\Local\Microsoft\Windows\Fonts), used with --system-fonts.
(
  cd "$WINDOWS_DIR"
  "$WINE" shenbao.exe check --font-role "heading-1=WenQuanYi Micro Hei" inputs/洛阳市 >fonts.log 2>&1 \
    && fail "a font that is not shipped was found without --system-fonts"
  "$WINE" shenbao.exe check --system-fonts --font-role "heading-1=WenQuanYi Micro Hei" inputs/洛阳市 \
    >>fonts.log 2>&1 || { cat fonts.log; fail "--system-fonts did not find the per-user font"; }
)

# Same files, same bytes. The run's lock file is not an output: Windows cannot remove a file that
# is open, so there it stays (empty) between runs, as the README says.
outputs() { (cd "$1" && find . -type f ! -name .shenbao.lock | LC_ALL=C sort); }
outputs "$LINUX_DIR/out" > "$SCRATCH/linux.files"
outputs "$WINDOWS_DIR/out" > "$SCRATCH/windows.files"
diff "$SCRATCH/linux.files" "$SCRATCH/windows.files" || fail "the two builds wrote different files"
different=0
while IFS= read -r file; do
  if ! cmp -s "$LINUX_DIR/out/$file" "$WINDOWS_DIR/out/$file"; then
    echo "  differs: $file" >&2
    different=$((different + 1))
  fi
done < "$SCRATCH/linux.files"
[ "$different" -eq 0 ] || fail "$different of $(wc -l < "$SCRATCH/linux.files") files differ between Linux and Windows"
echo "windows-check: $(wc -l < "$SCRATCH/linux.files") output files, byte-identical on Linux and Windows"

# The desk: serve the examples on a free port, fetch the home page, 洛阳市's page and its first
# preview image, then stop it.
serve_check() { # label folder program…
  local label=$1 dir=$2 port pid start page
  shift 2
  port=$(( 20000 + RANDOM % 20000 ))
  start=$(date +%s%N)
  (cd "$dir" && exec "$@" serve inputs --no-open --port "$port" -o out-desk) \
    >"$SCRATCH/serve-$label.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/" -o "$SCRATCH/home-$label.html" && break
    kill -0 "$pid" 2>/dev/null || { cat "$SCRATCH/serve-$label.log"; fail "$label: serve stopped"; }
    sleep 0.25
  done
  grep -q "洛阳市" "$SCRATCH/home-$label.html" \
    || { cat "$SCRATCH/serve-$label.log"; fail "$label: the desk's home page lists no applicant"; }
  page=$(curl -sf "http://127.0.0.1:$port/a/%E6%B4%9B%E9%98%B3%E5%B8%82") \
    || fail "$label: the applicant's page did not load"
  grep -q "材料1 申报函" <<<"$page" || fail "$label: the applicant's page has no letter tab"
  local image
  image=$(grep -o '/a/[^"]*/preview/1/1?v=[0-9a-f]*' <<<"$page" | head -n1)
  [ -n "$image" ] || fail "$label: the applicant's page links no preview"
  curl -sf "http://127.0.0.1:$port$image" -o "$SCRATCH/preview-$label.png" \
    || fail "$label: the preview did not load"
  head -c 4 "$SCRATCH/preview-$label.png" | grep -q "PNG" || fail "$label: the preview is not a PNG"
  curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.example" "http://127.0.0.1:$port/" \
    | grep -q '^4' || fail "$label: the desk answered a foreign Host"
  echo "  serve: home, applicant page and preview in $(( ($(date +%s%N) - start) / 1000000 )) ms"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
echo "Desk, Linux:"
serve_check linux "$LINUX_DIR" ./shenbao
echo "Desk, Windows under Wine:"
serve_check windows "$WINDOWS_DIR" "$WINE" shenbao.exe
"$WINESERVER" -k 2>/dev/null || true
