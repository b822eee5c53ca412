#!/bin/bash
# The architecture, checked (docs/architecture.md, "Layers"):
#  1. includes: a file includes only headers of its own layer or of the
#     layers below it, always by its path from src/lib ("store/store.h");
#  2. the library never writes to stdout/stderr or exits: it returns errors
#     (src/lib/base/error.h names the only sinks);
#  3. sizes: no function over 100 lines, no file over 800, unless listed in
#     SIZE_EXCEPTIONS below with the reason.
# Usage: scripts/check-tree.sh [SRC_DIR]    (default: src)
#        scripts/check-tree.sh --self-test  (plants a violation of each
#        rule in a copy of src/ and fails unless each is caught)
set -u
cd "$(dirname "$0")/.."

# Which layers a layer may include, itself included.
declare -A MAY=(
	[cli]="cli base store image net runtime ops"
	[base]="base"
	[store]="base store"
	[image]="base store image"
	[net]="base store net"
	[runtime]="base store image net runtime"
	[ops]="base store image net runtime ops"
	# the exec shim has no libc and no library of ours: only the one
	# header it shares with runtime/exec_shim.c (a case below)
	[shim]="shim"
)

# Files allowed to print: progress bars and the documented sinks.
SINK_FILES="lib/base/progress.c lib/base/progress_multi.c lib/base/error.c"

# "file:function" or "file" allowed past the size limits, with why.
SIZE_EXCEPTIONS=(
	# the probe is a test program run inside containers, one check a case
	"../tests/probe/probe.c"
)

layer_of() { # src-relative path -> layer name
	case "$1" in
	cli/*) echo cli ;;
	shim/*) echo shim ;;
	lib/*/*) local d=${1#lib/}; echo "${d%%/*}" ;;
	*) echo unknown ;;
	esac
}

check_includes() { # $1: src dir
	local src=$1 may="" l
	for l in "${!MAY[@]}"; do may+="$l=${MAY[$l]};"; done
	# one awk over every file: a fork per file made this check 1 s of
	# the tree's 11 (and the self-test runs it ten times)
	find "$src" -name '*.[ch]' | sort | xargs awk -v src="$src/" -v may="$may" '
		BEGIN {
			n = split(may, ent, ";")
			for (i = 1; i <= n; i++) {
				if (ent[i] == "") continue
				split(ent[i], kv, "=")
				MAY[kv[1]] = " " kv[2] " "
			}
		}
		FNR == 1 {
			rel = FILENAME; sub("^" src, "", rel)
			if (rel ~ /^cli\//) layer = "cli"
			else if (rel ~ /^shim\//) layer = "shim"
			else if (rel ~ /^lib\/[^\/]+\//) { layer = rel; sub(/^lib\//, "", layer); sub(/\/.*/, "", layer) }
			else layer = "unknown"
			if (!(layer in MAY)) {
				print rel ": not under src/cli or src/lib/<layer>/"
				bad = 1; nextfile
			}
		}
		/^[ \t]*#[ \t]*include[ \t]+"/ {
			hdr = $0; sub(/^[^"]*"/, "", hdr); sub(/".*/, "", hdr)
			if (hdr ~ /^\./) {
				print rel ": #include \"" hdr "\": no relative includes; name headers by their path from src/lib"
				bad = 1; next
			}
			if (layer == "shim" && hdr == "runtime/exec_shim_proto.h") target = "shim"
			else if (hdr ~ /\//) { target = hdr; sub(/\/.*/, "", target) }
			else if (layer == "cli") target = "cli" # the headers of cli itself, beside it
			else {
				print rel ": #include \"" hdr "\": include library headers by their path from src/lib"
				bad = 1; next
			}
			if (index(MAY[layer], " " target " ") == 0) {
				m = MAY[layer]; gsub(/^ | $/, "", m)
				print rel ": #include \"" hdr "\": the " layer " layer may not use " target " (may use: " m ")"
				bad = 1
			}
		}
		END { exit bad }'
}

check_sinks() { # $1: src dir
	local src=$1 hits f line rel
	# calls that write to the user or end the process: not _exit(),
	# which only the library's own forked children use, nor abort(),
	# the out-of-memory policy (base/util.h); a line marked
	# "check-tree: sink" is one of the sinks base/error.h documents
	hits=$(find "$src/lib" -name '*.c' | sort | xargs grep -HnE \
		'(^|[^_a-z])(printf|puts|perror|exit)[[:space:]]*\(|f(printf|puts)[[:space:]]*\([^;]*(stderr|stdout)' |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)|check-tree: sink')
	[ -n "$hits" ] || return 0
	local bad=0
	while IFS= read -r line; do
		f=${line%%:*}
		rel=${f#"$src"/}
		case " $SINK_FILES " in *" $rel "*) continue ;; esac
		line=${line#*:}
		echo "$rel:${line%%:*}: the library prints or exits; return an error or use a sink of base/error.h"
		bad=1
	done <<<"$hits"
	return $bad
}

excepted() {
	local x
	for x in "${SIZE_EXCEPTIONS[@]}"; do [ "$x" = "$1" ] && return 0; done
	return 1
}

check_sizes() { # $1: src dir
	local src=$1 f rel n bad=0
	while read -r n f; do
		[ "$f" = total ] && continue
		rel=${f#"$src"/}
		if [ "$n" -gt 800 ] && ! excepted "$rel"; then
			echo "$rel: $n lines (limit 800; split it or list it in SIZE_EXCEPTIONS with the reason)"
			bad=1
		fi
	done < <(find "$src" -name '*.[ch]' | sort | xargs wc -l)
	# a function: from a line starting with its name or type at column
	# 0 and not ending in ';' to the '}' at column 0
	while IFS=: read -r rel fn n; do
		excepted "$rel:$fn" && continue
		echo "$rel: $fn() is $n lines (limit 100; split it or list it in SIZE_EXCEPTIONS with the reason)"
		bad=1
	done < <(find "$src" -name '*.c' | sort | xargs awk -v src="$src/" '
		/^[A-Za-z_].*\(/ && !/;[ \t]*$/ && !/^(typedef|static const|const|struct [A-Za-z_]+ \{)/ {
			name = $0; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
			start = FNR; infn = 1
		}
		/^}/ && infn {
			infn = 0
			if (FNR - start + 1 > 100) {
				f = FILENAME; sub("^" src, "", f)
				print f ":" name ":" FNR - start + 1
			}
		}')
	return $bad
}

check_all() {
	local src=$1 rc=0
	check_includes "$src" || rc=1
	check_sinks "$src" || rc=1
	check_sizes "$src" || rc=1
	return $rc
}

self_test() {
	local tmp rc=0 out
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	plant() { # $1: what, $2: the file changed, then the command changing it
		local what=$1 file=$2
		shift 2
		rm -rf "$tmp/src"
		cp -r src "$tmp/src"
		"$@" "$tmp/src/$file"
		out=$(check_all "$tmp/src" | grep -F "$file")
		if [ -z "$out" ]; then
			echo "self-test: a planted $what in $file was not caught"
			rc=1
		else
			echo "self-test: planted $what caught: ${out%%$'\n'*}"
		fi
	}
	plant "image -> runtime include" lib/image/pull.c sed -i '1a #include "runtime/container.h"'
	plant "net -> image include" lib/net/ipam.c sed -i '1a #include "image/pull.h"'
	plant "lib -> cli include" lib/store/store.c sed -i '1a #include "../../cli/common.h"'
	plant "shim -> base include" shim/exec_shim.c sed -i '1a #include "base/util.h"'
	plant "bare include in lib" lib/net/ipam.c sed -i '1a #include "util.h"'
	plant "fprintf(stderr) in lib" lib/store/overlay.c \
		sed -i '$a void f(void);\nvoid f(void)\n{\n\tfprintf(stderr, "x");\n}'
	plant "exit() in lib" lib/net/ipam.c \
		sed -i '$a void f(void);\nvoid f(void)\n{\n\texit(1);\n}'
	plant "101-line function" lib/base/digest.c bash -c \
		'printf "int g(void);\nint g(void)\n{\n%s\n\treturn 0;\n}\n" "$(yes "	;" | head -97)" >>"$0"'
	plant "801-line file" lib/base/fault.h bash -c 'yes "/* */" | head -801 >>"$0"'
	# and the unchanged tree passes
	rm -rf "$tmp/src"
	cp -r src "$tmp/src"
	check_all "$tmp/src" >/dev/null || {
		echo "self-test: the unchanged tree fails"
		rc=1
	}
	return $rc
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit
fi
if check_all "${1:-src}"; then
	echo "check-tree: layering, sinks and sizes ok"
else
	exit 1
fi
