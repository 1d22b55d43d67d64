#!/usr/bin/env bash
# Build a release archive: dist/shenbao-<version>-<target>.zip (Windows) or .tar.gz (others).
#
#   bash scripts/dist.sh                          # this machine's target (x86_64-unknown-linux-gnu)
#   bash scripts/dist.sh x86_64-pc-windows-gnu    # needs gcc-mingw-w64-x86-64 and the Rust target
#
# The archive holds one folder shenbao-<version>-<target>/ with the program (fonts compiled in),
# the licences (licenses/), the example applicants (inputs/) and the quick start 使用说明.txt.
# Nothing else: in particular not the test-only Wine DLL of scripts/wine-prefix.sh.
# Archives are reproducible: sorted entries, fixed times and owners. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

HOST=$(rustc -vV | sed -n 's/^host: //p')
TARGET=${1:-$HOST}
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
TARGET_DIR=${CARGO_TARGET_DIR:-target}
NAME=shenbao-$VERSION-$TARGET
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

if [ "$TARGET" = "$HOST" ]; then            # the ordinary build, shared with cargo test
  cargo build --release --locked
  BIN_DIR=$TARGET_DIR/release
else
  cargo build --release --locked --target "$TARGET"
  BIN_DIR=$TARGET_DIR/$TARGET/release
fi
case "$TARGET" in *windows*) EXE=shenbao.exe ;; *) EXE=shenbao ;; esac

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ROOT=$STAGE/$NAME
mkdir -p "$ROOT/licenses" dist
cp "$BIN_DIR/$EXE" "$ROOT/$EXE"
cp -r inputs "$ROOT/inputs"
cp /usr/share/common-licenses/Apache-2.0 "$ROOT/licenses/shenbao-Apache-2.0.txt"
cp fonts/fandol/LICENSE "$ROOT/licenses/Fandol-GPL-3-font-exception.txt"
cp fonts/fandol/README.fandol "$ROOT/licenses/Fandol-README.txt"
cp fonts/noto/LICENSE "$ROOT/licenses/NotoSerifCJK-OFL-1.1.txt"
cp fonts/README.md "$ROOT/licenses/fonts-README.md"
case "$TARGET" in
  *windows*) sed 's/$/\r/' scripts/使用说明.txt > "$ROOT/使用说明.txt" ;;   # CRLF for Notepad
  *) cp scripts/使用说明.txt "$ROOT/使用说明.txt" ;;
esac
find "$ROOT" -exec touch -h -d "@$EPOCH" {} +

case "$TARGET" in
  *windows*)
    OUT=dist/$NAME.zip
    rm -f "$OUT"
    ZIP_PATH=$PWD/$OUT
    (cd "$STAGE" && find "$NAME" -print | LC_ALL=C sort | TZ=UTC zip -q -X -9 -@ "$ZIP_PATH")
    ;;
  *)
    OUT=dist/$NAME.tar.gz
    tar -C "$STAGE" --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner \
      -cf - "$NAME" | gzip -9 -n > "$OUT"
    ;;
esac
echo "$OUT ($(du -h "$OUT" | cut -f1))"
