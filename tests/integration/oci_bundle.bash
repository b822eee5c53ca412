# Shared by the OCI runtime's suites (oci_life.bats, exec_path.bats):
# rt runs homo as homo-runtime with the test's own state root; bundle
# JQ-FILTER makes $T/b: the busybox rootfs under `homo-runtime spec`'s
# config.json, edited by the filter (process.terminal false first).

rt() { "$T/homo-runtime" --root "$T/oci" "$@"; }

bundle() {
	ln -sfn "$HOMO" "$T/homo-runtime"
	mkdir -p "$T/b/rootfs"
	tar -xf "$BUSYBOX_TAR" -C "$T/b/rootfs"
	(cd "$T/b" && "$T/homo-runtime" spec)
	jq ".process.terminal = false | ${1:-.}" "$T/b/config.json" >"$T/b/c.json"
	mv "$T/b/c.json" "$T/b/config.json"
}
