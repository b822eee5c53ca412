#!/usr/bin/env bats
# homo save and homo load: round trips, other tools' archives, bad input,
# crash safety.
bats_require_minimum_version 1.5.0
load helpers
load commit_fixture

# Everything a container sees of its tree (but the kernel's and homo's own
# files): name, owner, mode, type; size and checksum of regular files.
LISTING='find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o -print |
	grep -v -e "^/etc/hostname$" -e "^/etc/hosts$" -e "^/etc/resolv.conf$" -e "^/$" |
	sort | while read -r f; do
		printf "%s %s " "$f" "$(stat -c "%u:%g %a %F %h" "$f")"
		if [ -f "$f" ] && [ ! -L "$f" ]; then
			echo "$(stat -c %s "$f") $(sha256sum <"$f" | cut -c1-16)"
		else echo; fi
	done'

listing() { # IMAGE -> the listing in $output
	run homo run --rm "$1" sh -c "$LISTING"
	assert_status 0
	[ "$(grep -c . <<<"$output")" -gt 100 ]
}

# fx: busybox plus every kind of metadata (commit_fixture.bash), with the
# config changed so that it has something to carry
make_fx() {
	pull_busybox
	make_upper "$T/up"
	homo commit -q --parent busybox -c 'ENV A=1' -c 'WORKDIR /home/u' \
		-c 'USER 1000' -c 'CMD ["sh", "-c", "echo $A; pwd; id -u"]' \
		"$T/up" fx:v1 >/dev/null
}

# mklayer OUT SPEC...: a layer tar by python's tarfile (not homo's writer);
# d:NAME a directory, f:NAME=TEXT a file, l:NAME=TARGET a symlink.
mklayer() {
	python3 - "$@" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:
    for s in sys.argv[2:]:
        kind, rest = s.split(':', 1)
        name, _, val = rest.partition('=')
        i = tarfile.TarInfo(name)
        if kind == 'd':
            i.type, i.mode = tarfile.DIRTYPE, 0o755
            t.addfile(i)
        elif kind == 'l':
            i.type, i.linkname = tarfile.SYMTYPE, val
            t.addfile(i)
        else:
            i.size, i.mode = len(val), 0o644
            t.addfile(i, io.BytesIO(val.encode()))
EOF
}

# mkoci OUT NAME:TAG LAYER.tar...: an OCI layout tarball with every digest
# right, as another tool would write it
mkoci() {
	python3 - "$@" <<'EOF'
import gzip, hashlib, io, json, sys, tarfile
out, ref, layers = sys.argv[1], sys.argv[2], sys.argv[3:]
blobs = {}
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    blobs[h] = data
    return h
diff_ids, descs = [], []
for p in layers:
    raw = open(p, 'rb').read()
    diff_ids.append('sha256:' + hashlib.sha256(raw).hexdigest())
    gz = gzip.compress(raw, mtime=0)
    descs.append({'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip',
                  'digest': 'sha256:' + blob(gz), 'size': len(gz)})
cfg = json.dumps({'architecture': 'amd64', 'os': 'linux',
                  'config': {'Cmd': ['/bin/sh']},
                  'rootfs': {'type': 'layers', 'diff_ids': diff_ids}}).encode()
c = blob(cfg)
man = json.dumps({'schemaVersion': 2,
    'mediaType': 'application/vnd.oci.image.manifest.v1+json',
    'config': {'mediaType': 'application/vnd.oci.image.config.v1+json',
               'digest': 'sha256:' + c, 'size': len(cfg)},
    'layers': descs}).encode()
m = blob(man)
index = json.dumps({'schemaVersion': 2, 'manifests': [
    {'mediaType': 'application/vnd.oci.image.manifest.v1+json',
     'digest': 'sha256:' + m, 'size': len(man),
     'annotations': {'io.containerd.image.name': ref}}]}).encode()
with tarfile.open(out, 'w') as t:
    def add(name, data):
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    add('oci-layout', b'{"imageLayoutVersion":"1.0.0"}')
    add('index.json', index)
    for h, d in blobs.items():
        add('blobs/sha256/' + h, d)
EOF
}

# manifest_blob DIR FIELD: a blob of the (only) image of an extracted
# homo archive: "config" or "layer" (the top one)
manifest_blob() {
	python3 - "$@" <<'EOF'
import json, sys
d, what = sys.argv[1], sys.argv[2]
idx = json.load(open(d + '/index.json'))
m = json.load(open(d + '/blobs/sha256/' + idx['manifests'][0]['digest'][7:]))
desc = m['config'] if what == 'config' else m['layers'][-1]
print(desc['digest'][7:])
EOF
}

# load_fails ARCHIVE WHAT: homo load refuses it with one line naming WHAT
# and changes nothing in the store
load_fails() {
	local before
	before=$(store_snapshot)
	run --separate-stderr homo load -i "$1"
	assert_status 125
	assert_one_error_line
	if [[ "$stderr" != *"$2"* ]]; then
		echo "stderr lacks '$2': $stderr" >&2
		return 1
	fi
	[ -z "$output" ]
	[ "$before" = "$(store_snapshot)" ]
}

@test "save -> rmi -> load -> run: the same tree, config and layer ids" {
	make_fx
	listing fx:v1
	want=$output
	ids=$(layer_ids)
	img=$(homo inspect fx:v1 | grep -o '"Id": "sha256:[0-9a-f]*"')
	run homo save -o "$T/fx.tar" fx:v1
	assert_status 0
	[ -z "$output" ]
	run homo rmi fx:v1 busybox
	assert_status 0
	[ -z "$(layer_ids)" ]
	run homo load -i "$T/fx.tar"
	assert_status 0
	[ "$output" = "Loaded image: fx:v1" ]
	[ "$(layer_ids)" = "$ids" ]
	[ "$(homo inspect fx:v1 | grep -o '"Id": "sha256:[0-9a-f]*"')" = "$img" ]
	check_layer "$HOMO_ROOT/layers/$(top_layer fx:v1)/diff"
	check_container fx:v1
	listing fx:v1
	[ "$output" = "$want" ]
	run homo run --rm fx:v1
	assert_status 0
	[ "$output" = "$(printf '1\n/home/u\n1000')" ]
	# loading it again changes nothing
	before=$(store_snapshot)
	run homo load -q <"$T/fx.tar"
	assert_status 0
	[ "$before" = "$(store_snapshot)" ]
}

@test "save -> load into a second store -> run; several images, layers once" {
	make_fx
	listing fx:v1
	want=$output
	homo tag fx:v1 other:tag
	run homo save -o "$T/all.tar" fx:v1 busybox other:tag
	assert_status 0
	# each layer blob once, although three images use the bottom one
	[ "$(tar -tf "$T/all.tar" | grep -c '^blobs/sha256/.')" -le 7 ]
	ids=$(layer_ids)
	export HOMO_ROOT=$T/root2
	run homo load -i "$T/all.tar"
	assert_status 0
	assert_output_has "Loaded image: fx:v1"
	assert_output_has "Loaded image: busybox:latest"
	assert_output_has "Loaded image: other:tag"
	[ "$(layer_ids)" = "$ids" ]
	listing other:tag
	[ "$output" = "$want" ]
	run homo run --rm busybox echo ok
	[ "$output" = ok ]
	homo ps -a >/dev/null
	[ -z "$(leaks)" ]
	export HOMO_ROOT=$T/root
}

@test "a container's deletions and replaced directory survive save and load" {
	pull_busybox
	homo run --name c1 busybox sh -c '
		rm /bin/ls; rm -rf /usr; mkdir -p /usr/new; echo n >/usr/new/f
		mkdir -p /h/u; echo x >/h/u/a; ln /h/u/a /h/u/b; chown -R 1000:1000 /h
		mkfifo /h/fifo; chmod 4711 /h/u/a' >/dev/null
	homo commit -q c1 del:1 >/dev/null
	homo rm c1 >/dev/null
	top=$(top_layer del:1)
	homo save -o "$T/del.tar" del:1
	mkdir "$T/x" && tar -C "$T/x" -xf "$T/del.tar"
	gzip -dc "$T/x/blobs/sha256/$(manifest_blob "$T/x" layer)" | tar -tf - >"$T/list"
	grep -qx 'bin/.wh.ls' "$T/list"
	grep -qx 'usr/.wh..wh..opq' "$T/list"
	homo rmi del:1 busybox >/dev/null
	run homo load -q -i "$T/del.tar"
	assert_status 0
	[ "$(top_layer del:1)" = "$top" ]
	d=$HOMO_ROOT/layers/$top/diff
	[ "$(stat -c '%F %t %T' "$d/bin/ls")" = "character special file 0 0" ]
	[ "$(xattr_get "$d/usr" trusted.overlay.opaque)" = y ]
	run homo run --rm del:1 sh -c '
		[ -e /bin/ls ] || echo ls-gone; ls /usr
		stat -c "%u:%g %a %h %i" /h/u/a /h/u/b; [ -p /h/fifo ] && echo fifo'
	assert_status 0
	[ "$(sed -n 1,2p <<<"$output")" = "$(printf 'ls-gone\nnew')" ]
	a=$(sed -n 3p <<<"$output")
	[[ "$a" == "1000:1000 4711 2 "* ]]
	[ "$a" = "$(sed -n 4p <<<"$output")" ] # one inode
	assert_output_has fifo
}

@test "a pulled layer whose tar is gone is saved from its directory: same tree" {
	cp "$BUSYBOX_TAR" "$T/bb.tar"
	homo pull -q "$T/bb.tar" bb >/dev/null
	rm "$T/bb.tar"
	listing bb
	want=$output
	homo save -o "$T/bb-saved.tar" bb
	homo rmi bb >/dev/null
	run homo load -i "$T/bb-saved.tar"
	assert_status 0
	listing bb
	[ "$output" = "$want" ]
	# and from now on the id is stable: a second round trip keeps it
	ids=$(layer_ids)
	homo save -o "$T/again.tar" bb
	homo rmi bb >/dev/null
	homo load -q -i "$T/again.tar" >/dev/null
	[ "$(layer_ids)" = "$ids" ]
}

@test "a layer pulled by a relative path keeps its id through save and load from elsewhere" {
	cp "$BUSYBOX_TAR" "$T/bb.tar"
	(cd "$T" && "$HOMO" pull -q bb.tar rel >/dev/null)
	ids=$(layer_ids)
	# another cwd: save must still find the original tar (its exact digest)
	(cd / && "$HOMO" save -o "$T/rel-saved.tar" rel)
	homo rmi rel >/dev/null
	homo load -q -i "$T/rel-saved.tar" >/dev/null
	[ "$(layer_ids)" = "$ids" ]
}

@test "homo loads an OCI layout umoci built: two layers, a whiteout, the config's command" {
	# installed by scripts/install-deps.sh: a missing one is a failure
	command -v umoci >/dev/null
	cd "$T"
	umoci init --layout lay
	umoci new --image lay:v1
	umoci unpack --image lay:v1 bundle >/dev/null
	tar -xf "$BUSYBOX_TAR" -C bundle/rootfs
	umoci repack --image lay:v1 bundle
	rm -rf bundle
	# a second layer: a new file and a deletion (a .wh. entry)
	umoci unpack --image lay:v1 bundle >/dev/null
	echo from-umoci >bundle/rootfs/hello
	rm bundle/rootfs/etc/group
	umoci repack --image lay:v1 bundle
	rm -rf bundle
	umoci config --image lay:v1 --config.cmd cat --config.cmd /hello
	tar -cf lay.tar -C lay .
	run homo load -i lay.tar
	assert_status 0
	assert_output_has "Loaded image: v1:latest"
	run homo run --rm v1
	assert_status 0
	[ "$output" = from-umoci ]
	run homo run --rm v1 ls /etc/group
	assert_status 1
	run homo inspect v1
	[ "$(grep -c '"sha256:' <<<"$output")" -eq 3 ] # id + 2 layers
}

@test "skopeo reads homo's archive, and homo loads what skopeo writes" {
	command -v skopeo >/dev/null
	make_fx
	listing fx:v1
	want=$output
	ids=$(layer_ids)
	homo save -o "$T/fx.tar" fx:v1
	# skopeo finds the image by its tag (org.opencontainers.image.ref.name)
	run skopeo inspect "oci-archive:$T/fx.tar"
	assert_status 0
	assert_output_has '"Architecture": "amd64"'
	assert_output_has '"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
	run skopeo copy -q "oci-archive:$T/fx.tar:v1" "dir:$T/dir"
	assert_status 0
	[ -s "$T/dir/manifest.json" ]
	# skopeo's docker-archive (uncompressed layers, "docker save" layout)
	run skopeo copy -q "oci-archive:$T/fx.tar" "docker-archive:$T/d.tar:re/named:tag"
	assert_status 0
	tar -tf "$T/d.tar" | grep -qx manifest.json
	# skopeo's oci: layout, as a directory put in a tarball
	run skopeo copy -q "oci-archive:$T/fx.tar" "oci:$T/ocidir:mytag"
	assert_status 0
	tar -C "$T/ocidir" -cf "$T/ocidir.tar" .
	homo rmi fx:v1 busybox >/dev/null
	run homo load -i "$T/d.tar"
	assert_status 0
	# Docker's familiar name: docker.io/re/named is re/named
	[ "$output" = "Loaded image: re/named:tag" ]
	[ "$(layer_ids)" = "$ids" ]
	listing docker.io/re/named:tag
	[ "$output" = "$want" ]
	run homo load -i "$T/ocidir.tar"
	assert_status 0
	[ "$output" = "Loaded image: mytag:latest" ]
	[ "$(layer_ids)" = "$ids" ]
	listing mytag
	[ "$output" = "$want" ]
	check_container mytag
	# and back: homo's save of what it loaded from skopeo, read by skopeo
	homo save -o "$T/again.tar" mytag
	run skopeo inspect "oci-archive:$T/again.tar"
	assert_status 0
}

@test "load refuses what is not an image archive, and changes nothing" {
	pull_busybox
	load_fails "$BUSYBOX_TAR" "not an image archive"
	head -c 10000 /dev/urandom >"$T/noise"
	load_fails "$T/noise" "not an image archive"
	: >"$T/empty"
	load_fails "$T/empty" "load"
	run --separate-stderr homo load -i "$T/nonexistent.tar"
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"$T/nonexistent.tar"* ]]
	# JSON that is not what it should be
	mkdir -p "$T/j/blobs/sha256"
	echo '{"schemaVersion": 2, "manifests": []}' >"$T/j/index.json"
	tar -C "$T/j" -cf "$T/j.tar" .
	load_fails "$T/j.tar" "no manifests"
	echo 'not json' >"$T/j/index.json"
	tar -C "$T/j" -cf "$T/j.tar" .
	load_fails "$T/j.tar" "not JSON"
}

@test "load: a missing blob, a digest mismatch: one error line, store unchanged" {
	pull_busybox
	make_upper "$T/up"
	homo commit -q --parent busybox "$T/up" fx:v1 >/dev/null
	homo save -o "$T/fx.tar" fx:v1
	homo rmi fx:v1 >/dev/null
	mkdir "$T/x"
	tar -C "$T/x" -xf "$T/fx.tar"
	layer=$(manifest_blob "$T/x" layer)
	config=$(manifest_blob "$T/x" config)
	cp -a "$T/x" "$T/keep"

	# the manifest names a layer blob the archive lacks
	rm "$T/x/blobs/sha256/$layer"
	tar -C "$T/x" -cf "$T/bad.tar" .
	load_fails "$T/bad.tar" "missing layer blob"

	# a layer blob whose bytes are not what its digest says
	rm -rf "$T/x" && cp -a "$T/keep" "$T/x"
	(cd "$T/up" && tar -cf - . | gzip -n) >"$T/x/blobs/sha256/$layer"
	tar -C "$T/x" -cf "$T/bad.tar" .
	load_fails "$T/bad.tar" "mismatch"

	# the same gzip'd content, recompressed: its size differs from the
	# manifest's, refused before it is read
	rm -rf "$T/x" && cp -a "$T/keep" "$T/x"
	gzip -dc "$T/keep/blobs/sha256/$layer" | gzip -1 -n >"$T/x/blobs/sha256/$layer"
	tar -C "$T/x" -cf "$T/bad.tar" .
	load_fails "$T/bad.tar" "size mismatch"

	# the same size and content, another mtime in the gzip header: the
	# blob digest differs
	rm -rf "$T/x" && cp -a "$T/keep" "$T/x"
	printf '\001' | dd of="$T/x/blobs/sha256/$layer" bs=1 seek=4 conv=notrunc 2>/dev/null
	tar -C "$T/x" -cf "$T/bad.tar" .
	load_fails "$T/bad.tar" "digest mismatch"

	# a config changed after the manifest was written
	rm -rf "$T/x" && cp -a "$T/keep" "$T/x"
	sed -i 's/"os":"linux"/"os":"linuX"/' "$T/x/blobs/sha256/$config"
	tar -C "$T/x" -cf "$T/bad.tar" .
	load_fails "$T/bad.tar" "mismatch"

	# a manifest digest that is not a digest
	rm -rf "$T/x" && cp -a "$T/keep" "$T/x"
	sed -i 's/"digest":"sha256:[0-9a-f]*"/"digest":"sha256:xyz"/' "$T/x/index.json"
	tar -C "$T/x" -cf "$T/bad.tar" .
	load_fails "$T/bad.tar" "bad digest"

	# the intact archive still loads
	run homo load -q -i "$T/fx.tar"
	assert_status 0
	check_layer "$HOMO_ROOT/layers/$(top_layer fx:v1)/diff"
}

# hostile_blob ARCHIVE_DIR OUT KIND: the archive with its top layer blob
# (or index.json) replaced by KIND, as tar stores it (tar keeps FIFOs,
# devices and symlinks as they are)
hostile_blob() {
	local x=$T/h layer
	rm -rf "$x" && cp -a "$1" "$x"
	layer=$x/blobs/sha256/$(manifest_blob "$x" layer)
	case $3 in
	fifo) rm "$layer" && mkfifo "$layer" ;;
	index-fifo) rm "$x/index.json" && mkfifo "$x/index.json" ;;
	zero) rm "$layer" && mknod "$layer" c 1 5 ;;
	# a symlink to /dev/zero, with a /dev/zero in the archive for it to
	# reach when links resolve inside the archive
	link) rm "$layer" && ln -s /dev/zero "$layer" &&
		mkdir "$x/dev" && mknod "$x/dev/zero" c 1 5 ;;
	bigger) head -c 1048576 /dev/zero >>"$layer" ;;
	esac
	tar -C "$x" -cf "$2" .
	rm -rf "$x"
}

@test "load: a blob that is a FIFO, a device, a link to /dev/zero or larger than its manifest size fails fast, store unchanged" {
	pull_busybox
	make_upper "$T/up"
	homo commit -q --parent busybox "$T/up" fx:v1 >/dev/null
	homo save -o "$T/fx.tar" fx:v1
	homo rmi fx:v1 >/dev/null
	mkdir "$T/keep"
	tar -C "$T/keep" -xf "$T/fx.tar"
	before=$(store_snapshot)
	for kind in fifo index-fifo zero link bigger; do
		hostile_blob "$T/keep" "$T/bad.tar" $kind
		# unfixed, the first three hang (bounded here by timeout: 124)
		run --separate-stderr timeout 20 "$HOMO" load -i "$T/bad.tar"
		assert_status 125
		assert_one_error_line
		case $kind in
		fifo | index-fifo | zero) [[ "$stderr" == *"not a regular file"* ]] ;;
		link) [[ "$stderr" == *"a symlink, not a file of the archive"* ]] ;;
		bigger) [[ "$stderr" == *"size mismatch"*"the manifest says"* ]] ;;
		esac
		[ -z "$output" ]
		[ "$before" = "$(store_snapshot)" ]
	done
	# the intact archive still loads
	run homo load -q -i "$T/fx.tar"
	assert_status 0
}

@test "load: malformed whiteouts are refused; nothing of the image stays" {
	pull_busybox
	mklayer "$T/good.tar" d:etc f:etc/a=1
	mklayer "$T/wh1.tar" d:etc f:etc/.wh.=
	mklayer "$T/wh2.tar" l:x=/ f:x/.wh.foo=
	mklayer "$T/wh3.tar" d:etc f:etc/a=1 f:etc/.wh.a=
	# the good layer first: it was unpacked, then the load failed
	mkoci "$T/img1.tar" bad:1 "$T/good.tar" "$T/wh1.tar"
	load_fails "$T/img1.tar" "whiteout without a name"
	mkoci "$T/img2.tar" bad:2 "$T/good.tar" "$T/wh2.tar"
	load_fails "$T/img2.tar" "symlink"
	mkoci "$T/img3.tar" bad:3 "$T/good.tar" "$T/wh3.tar"
	load_fails "$T/img3.tar" "whiteout for a name this archive also contains"
	# well-formed, the same tool's archive loads and runs
	mklayer "$T/wh4.tar" d:etc f:etc/.wh.a= f:etc/b=2
	mkoci "$T/img4.tar" good:4 "$BUSYBOX_TAR" "$T/good.tar" "$T/wh4.tar"
	run homo load -i "$T/img4.tar"
	assert_status 0
	[ "$output" = "Loaded image: good:4" ]
	run homo run --rm good:4 sh -c 'ls /etc; cat /etc/b'
	assert_status 0
	! grep -qx a <<<"$output"
	[ "$(tail -1 <<<"$output")" = 2 ]
}

# big IMAGE: a one-layer-on-busybox image of 96 MiB that does not compress
make_big() {
	pull_busybox
	mkdir -p "$T/bigup/big"
	for i in $(seq 1 12); do
		head -c 8388608 /dev/urandom >"$T/bigup/big/$i"
	done
	homo commit -q --parent busybox "$T/bigup" big >/dev/null
	rm -rf "$T/bigup"
	# what a first run adds to the store (caches) is there before the
	# snapshot, as the run that sweeps the debris makes the same
	homo run --rm busybox true
}

@test "SIGKILL during save: the store as it was, no archive, the next save works" {
	make_big
	before=$(store_snapshot)
	# the fault build stops itself while it writes the archive: the kill
	# lands there, every time
	HOMO_FAULT_STOP=save-mid-write bg "$HOMO_FAULT_BIN" save -q -o "$T/big.tar" big
	pid=${BG_PIDS[-1]}
	wait_stopped "$pid"
	kill -9 "$pid"
	wait_status "$pid"
	[ "$status" -eq 137 ]
	[ ! -e "$T/big.tar" ]
	# no temp file beside the output either (an unnamed O_TMPFILE)
	[ -z "$(ls "$T" | grep 'big.tar')" ]
	# the next command that takes the lock sweeps the debris
	homo run --rm busybox true
	[ "$before" = "$(store_snapshot)" ]
	run homo save -q -o "$T/big.tar" big
	assert_status 0
	tar -tf "$T/big.tar" | grep -q index.json
}

@test "SIGKILL during load: no new names, and the next load works" {
	make_big
	homo save -q -o "$T/big.tar" big busybox
	homo rmi big >/dev/null
	before=$(store_snapshot)
	# stopped while the archive's blobs are being unpacked (fault.bats
	# kills it after the blobs and after the layers)
	HOMO_FAULT_STOP=mid-unpack bg "$HOMO_FAULT_BIN" load -q -i "$T/big.tar"
	pid=${BG_PIDS[-1]}
	wait_stopped "$pid"
	ls -d "$HOMO_ROOT"/blobs/sha256/.tmp-*
	kill -9 "$pid"
	wait_status "$pid"
	[ "$status" -eq 137 ]
	run homo images
	assert_output_lacks big
	homo run --rm busybox true
	[ "$before" = "$(store_snapshot)" ]
	run homo load -q -i "$T/big.tar"
	assert_status 0
	run homo run --rm big sh -c 'ls /big | wc -l'
	[ "$output" = 12 ]
}

@test "save and load: usage errors" {
	pull_busybox
	run --separate-stderr homo save
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo save -o "$T/x.tar" nosuch
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *nosuch* ]]
	[ -z "$(ls "$T" | grep x.tar)" ]
	run --separate-stderr homo save -o "$T/nodir/x.tar" busybox
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"$T/nodir"* ]]
	run --separate-stderr homo load extra
	assert_status 125
	assert_one_error_line
}
