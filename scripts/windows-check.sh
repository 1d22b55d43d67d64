#!/usr/bin/env bash
# Check both release archives the way an office uses them: unpack into a temporary folder, run
# `check`, `build` and `package` on the shipped examples there; the Linux archive natively, the
# Windows archive under Wine (prefix from scripts/wine-prefix.sh). Every output file of the
# Windows program must have the same bytes as the Linux program's.
#
#   bash scripts/dist.sh && bash scripts/dist.sh x86_64-pc-windows-gnu
#   bash scripts/windows-check.sh [LINUX_ARCHIVE [WINDOWS_ARCHIVE]]
#
# Needs wine64, gcc-mingw-w64-x86-64 (for the prefix), unzip. Prints the time of each run.
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
