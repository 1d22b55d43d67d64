#!/usr/bin/env bash
# Prepare a Wine prefix in which the Windows build of shenbao runs, for tests and checks by hand.
#
#   bash scripts/wine-prefix.sh DIR       # then: WINEPREFIX=DIR /usr/lib/wine/wine64 shenbao.exe …
#
# Needs Debian's wine64 and gcc-mingw-w64-x86-64. It
#  - creates the prefix (wineboot, no GUI),
#  - builds scripts/process-prng-stub.c into system32/bcryptprimitives.dll: Wine 8.0 lacks
#    ProcessPrng, which Rust's standard library calls at start (test-only, never shipped),
#  - installs a CJK font as a per-user font (AppData\Local\Microsoft\Windows\Fonts), where
#    offices' own fonts usually are, for --system-fonts (WenQuanYi Micro Hei from
#    fonts-wqy-microhei, or FONT=path/to/font).
set -euo pipefail

DIR=${1:?usage: scripts/wine-prefix.sh DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WINE=${WINE:-$(command -v wine64 || echo /usr/lib/wine/wine64)}
WINESERVER=${WINESERVER:-$(command -v wineserver || echo "$(dirname "$WINE")/wineserver")}
FONT=${FONT:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
CC=${CC:-x86_64-w64-mingw32-gcc}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
export WINEPREFIX=$DIR WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
"$WINE" wineboot --init >/dev/null 2>&1
"$WINESERVER" -w

SYSTEM32=$DIR/drive_c/windows/system32
"$CC" -O2 -shared -s -o "$SYSTEM32/bcryptprimitives.dll" "$HERE/process-prng-stub.c" -ladvapi32

USER_FONTS=$(ls -d "$DIR"/drive_c/users/*/AppData/Local 2>/dev/null | grep -v /Public/ | head -n1)
test -n "$USER_FONTS" || { echo "wine-prefix.sh: no user profile in $DIR" >&2; exit 1; }
mkdir -p "$USER_FONTS/Microsoft/Windows/Fonts"
cp "$FONT" "$USER_FONTS/Microsoft/Windows/Fonts/"
echo "wine prefix ready: $DIR"
