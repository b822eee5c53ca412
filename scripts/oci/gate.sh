#!/bin/sh
# make check-oci's verdict on homo-runtime: every "not ok" line and every
# program without a TAP plan in $OUT must be one scripts/oci/known.txt
# allows (each there with its reason); anything else fails, as does a run
# with no results. Prints each unexpected line.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(pwd)/build/oci-check/homo-runtime}
KNOWN=$HERE/known.txt
ls "$OUT"/*.tap >/dev/null 2>&1 || {
	echo "check-oci: no results in $OUT" >&2
	exit 1
}
bad=0
for f in "$OUT"/*.tap; do
	name=$(basename "$f" .tap)
	res=$(awk -v p="$name" '$1 == p { $1 = ""; sub(/^ /, ""); print }' "$KNOWN")
	if ! grep -q '^1\.\.[0-9]' "$f" &&
		! printf '%s\n' "$res" | grep -qx noplan; then
		echo "check-oci: $name: no TAP plan ($(tail -n 1 "$OUT/$name.err" 2>/dev/null))"
		bad=1
	fi
	grep '^not ok' "$f" | while IFS= read -r line; do
		printf '%s\n' "$res" | while IFS= read -r re; do
			[ "$re" != noplan ] && [ -n "$re" ] &&
				printf '%s\n' "$line" | grep -Eq -- "$re" && echo hit
		done | grep -q hit || echo "check-oci: $name: $line"
	done
done >"$OUT/unexpected.txt"
cat "$OUT/unexpected.txt"
[ ! -s "$OUT/unexpected.txt" ] && [ "$bad" = 0 ]
