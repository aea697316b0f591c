#!/usr/bin/env bash
# Re-creates this folder from the npm registry: for each font in SOURCES.tsv, the package @fontsource/NAME at
# its version, and from it only the regular Latin face (files/NAME-latin-400-normal.woff, which opentype.js
# reads) and the LICENSE. The project reads the fonts from here (src/samples/typed.ts); nothing downloads at
# run time. To add a font: add a line "NAME<TAB>VERSION" to SOURCES.tsv and run this.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=SOURCES.tsv.new
printf 'font\tpackage\tlicense\tsha256 of the woff\n' > "$out"
tail -n +2 SOURCES.tsv | while IFS=$'\t' read -r name package _; do
  tarball=$(cd "$tmp" && npm pack --silent "$package")
  mkdir -p "$tmp/$name" && tar -xzf "$tmp/$tarball" -C "$tmp/$name"
  cp "$tmp/$name/package/files/$name-latin-400-normal.woff" "$name.woff"
  cp "$tmp/$name/package/LICENSE" "$name.LICENSE"
  license=$(node -p "require('$tmp/$name/package/package.json').license")
  printf '%s\t%s\t%s\t%s\n' "$name" "$package" "$license" "$(sha256sum "$name.woff" | cut -d' ' -f1)" >> "$out"
done
mv "$out" SOURCES.tsv
