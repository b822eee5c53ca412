#!/bin/bash
# Start latency, issue 19: "homo run --rm --net none busybox true", "crun
# run" of the same rootfs (the store's layer dir, bound read-only: crun has
# no overlay) and build/floor (the same work as homo in-process, with a
# netns) in one interleaved run, medians of N rounds; the floor without a
# netns (N more, after); both again as lone starts, half a second apart
# (L each); "homo --version"
# (exec, dynamic linking, exit). Then the floor's step table next to homo's
# own, from the timestamps of its --debug trace (M runs), and both grouped
# into the same phases. The tables go to $BENCH_TMP/tables for run.sh.
# Store, runroot and the floor's dirs on tmpfs.
set -eu
. "$(dirname "$0")/lib.sh"
N=${BENCH_START_RUNS:-100}
M=${BENCH_TRACE_RUNS:-30}
FLOOR=${FLOOR:-$(dirname "$HOMO")/floor}
root=$BENCH_TMP/start-root run=$BENCH_TMP/start-run
ftmp=$BENCH_TMP/start-floor b=$BENCH_TMP/start-bundle
tables=$BENCH_TMP/tables
H=("$HOMO" --root "$root" --runroot "$run")
"${H[@]}" pull -q "$BUSYBOX_TAR" busybox >/dev/null
layers=("$root"/layers/*/diff)
if [ "${#layers[@]}" != 1 ]; then
	echo "bench-start: the floor expects a one-layer image" >&2
	exit 1
fi
mkdir -p "$ftmp" "$b"
(cd "$b" && crun spec && jq --arg r "${layers[0]}" \
	'.process.args = ["true"] | .process.terminal = false |
	 .root.path = $r | .root.readonly = true' config.json >c && mv c config.json)
command -v crun >/dev/null || exit 1

out=$("$FLOOR" -l "${layers[0]}" -t "$ftmp" -n "$N" -c "homo-bench-floor" \
	-H "${H[*]} run --rm --net none busybox true" \
	-C "crun run -b $b bench")
read -r h c f < <(printf '%s\n' "$out" | awk -F'|' '$1 == "start" { print $2, $3, $4 }')
printf '%s\n' "$out" | grep -v '^start|' >"$BENCH_TMP/floor-steps"
version=$(hf_median 30 "$HOMO" --version)
# what the net namespace costs the floor (clone, and its teardown at exit)
nonet=$("$FLOOR" -N -l "${layers[0]}" -t "$ftmp" -n "$N" -c "homo-bench-floor" |
	awk '$1 == "total" { print $NF }')

# homo's trace: "=> MS [PID] WHAT" lines, from several processes (the init
# prints its own), so sorted by time; each step lasts until the next line.
# Ids, names and paths are cut out so the runs' lines match.
trace=$BENCH_TMP/trace
: >"$trace"
for i in $(seq "$M"); do
	t0=$EPOCHREALTIME
	"${H[@]}" --debug run --rm --net none busybox true 2>"$trace.1" >/dev/null
	t1=$EPOCHREALTIME
	grep '^=>' "$trace.1" | sort -g -k2 >>"$trace"
	# the run's wall time (with bash's fork): what the trace cannot see
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "=> end %.3f\n", (b - a) * 1000 }' >>"$trace"
done
awk -v floor="$BENCH_TMP/floor-steps" '
function med(k,   n, i, j, t, v) {
	n = split(vals[k], v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function add(k, x) {
	if (!(k in vals)) order[++nk] = k
	vals[k] = vals[k] " " x
}
# the phases both tables are grouped into
function phase(s) {
	if (s ~ /^homo run:/) return "0 homo process: exec, link, exit"
	if (s ~ /^(run: options|create container|created|cgroups for|dirs|cgcreate)/) return "1 before clone: records, dirs, cgroups"
	if (s ~ /^(clone init|clone)/) return "2 clone with the namespaces"
	if (s ~ /^(join cgroups|cgroups the init did not join|cgattach|wake)/) return "3 cgroups attach, GO, wake"
	if (s ~ /^(mount overlay|overlay mounted|\/proc mounted|\/dev made|\/sys mounted|private|overlay|proc|dev|sys|cgbind|etc)/) return "4 overlay, /proc, /dev, /sys, /etc"
	if (s ~ /^(pivot|masked|mask)/) return "5 pivot_root, masks"
	if (s ~ /^(container:|seccomp|host)/) return "6 hostname, lo, user, seccomp"
	if (s ~ /^(exec|the command runs)/) return "7 execve .. exit .. reaped"
	if (s ~ /^(exited|torn down|cgrm|rm)$|^(exited|torn down)/) return "8 teardown"
	return "9 other"
}
function flush(w,   i) {
	for (i = 1; i < n; i++) add(lab[i], t[i + 1] - t[i])
	spans = spans " " (t[n] - t[1])
	walls = walls " " w
	outs = outs " " (w - (t[n] - t[1]))
	n = 0
}
/^=> end / { flush($3); next }
{
	x = $2; $1 = $2 = $3 = ""; s = substr($0, 4)
	gsub(/[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]+/, "ID", s)
	gsub(/ \([a-z]+_[a-z]+(_[a-z0-9]+)?\)/, "", s)
	gsub(/ on \/[^ ]*/, "", s)
	gsub(/0x[0-9a-f]+/, "X", s)
	gsub(/\([0-9]+ instructions\)/, "", s)
	n++; t[n] = x; lab[n] = s
}
END {
	printf "%-38s %9s\n", "homo --debug step (until the next)", "median ms"
	for (i = 1; i <= nk; i++) {
		m = med(order[i]); sum += m
		printf "%-38.38s %9.3f\n", order[i], m
		ph[phase(order[i])] += m
	}
	vals["span"] = spans; vals["wall"] = walls; vals["out"] = outs
	printf "%-38s %9.3f\n", "first to last trace line", med("span")
	printf "%-38s %9.3f\n", "outside it (fork, exec, link, exit)", med("out")
	printf "%-38s %9.3f\n", "wall of these --debug runs", med("wall")
	ph["0 homo process: exec, link, exit"] += med("out")
	while ((getline line < floor) > 0) {
		split(line, f, " ")
		if (f[1] == "step" || f[1] == "total") continue
		fl[phase(f[1])] += f[length(f)]
	}
	printf "\n%-44s %9s %9s %9s\n", "phase (sums of step medians)", "homo", "floor", "homo-fl"
	for (p in ph) all[p] = 1
	for (p in fl) all[p] = 1
	np = 0
	for (p in all) keys[++np] = p
	for (i = 2; i <= np; i++)
		for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) {
			tmp = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = tmp
		}
	for (i = 1; i <= np; i++) {
		p = keys[i]
		printf "%-44s %9.3f %9.3f %9.3f\n", substr(p, 3), ph[p], fl[p], ph[p] - fl[p]
		th += ph[p]; tf += fl[p]
	}
	printf "%-44s %9.3f %9.3f %9.3f\n", "total", th, tf, th - tf
}' "$trace" >"$BENCH_TMP/homo-steps"
{
	echo
	echo "start latency, steps (load: $(cut -d' ' -f1-3 /proc/loadavg)):"
	# side by side; the phase table of homo-steps below both
	paste -d' ' <(awk '{ printf "%-62s\n", $0 }' "$BENCH_TMP/floor-steps") \
		<(sed '/^$/,$d' "$BENCH_TMP/homo-steps")
	sed -n '/^$/,$p' "$BENCH_TMP/homo-steps"
} >>"$tables"

# a lone start: each run half a second after the last, as a user's one
# command meets it. The rounds above run back to back, which keeps warm
# the kernel's cgroup migration lock (the global threadgroup rwsem), whose
# first writer after a quiet moment waits for an RCU grace period: crun
# writes its init's pid to cgroup.procs; homo's init joins by itself
# (docs/cgroups.md). crun in a private mount namespace, as above.
L=${BENCH_LONE_RUNS:-15}
lone_h=$(for i in $(seq "$L"); do
	sleep 0.5
	time_ms "${H[@]}" run --rm --net none busybox true
done | median)
lone_c=$(unshare -m --propagation private bash -c '
	. "$1/lib.sh"
	mount -t tmpfs tmpfs /sys/fs/cgroup/unified
	for i in $(seq "$3"); do
		sleep 0.5
		time_ms crun run -b "$2" bench
	done | median
' _ "$(dirname "$0")" "$b" "$L")

echo "homo run --rm --net none busybox true|$h|crun run (same rootfs)|$c|ms"
echo "the same, a lone start (0.5 s apart)|$lone_h|crun run, a lone start|$lone_c|ms"
echo "homo run --rm --net none busybox true|$h|floor (in-process, netns)|$f|ms"
echo "floor, netns|$f|floor, no netns|$nonet|ms"
echo "homo --version|$version|||ms"
