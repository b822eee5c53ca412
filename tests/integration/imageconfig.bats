#!/usr/bin/env bats
# Image configs as Docker keeps them: Entrypoint apart from Cmd, Labels,
# ExposedPorts, StopSignal, Volumes, User, WorkingDir, Env and history,
# through load, run, commit, save, stop, inspect and history; image
# references with a registry host and port, and Docker's normalised names.
bats_require_minimum_version 1.5.0
load helpers

# mkarchive OUT FORMAT REF CONFIG_JSON: a one-layer image of the busybox
# test image, as "docker save" (FORMAT docker) or an OCI layout (oci)
# writes it, with CONFIG_JSON as its config's "config" (and "history" if
# CONFIG_JSON has one, moved to the top level)
mkarchive() {
	python3 - "$BUSYBOX_TAR" "$@" <<'EOF'
import gzip, hashlib, io, json, sys, tarfile
layer, out, fmt, ref, conf = sys.argv[1:6]
raw = open(layer, 'rb').read()
conf = json.loads(conf)
blobs = {}
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    blobs[h] = data
    return h
cfg = {'architecture': 'amd64', 'os': 'linux', 'created': '2020-01-02T03:04:05Z',
       'config': conf,
       'rootfs': {'type': 'layers',
                  'diff_ids': ['sha256:' + hashlib.sha256(raw).hexdigest()]}}
if 'history' in conf:
    cfg['history'] = conf.pop('history')
cfg = json.dumps(cfg).encode()
c = blob(cfg)
gz = gzip.compress(raw, mtime=0)
l = blob(gz)
files = {}
if fmt == 'docker':
    files['manifest.json'] = json.dumps([{'Config': c + '.json',
        'RepoTags': [ref], 'Layers': ['blobs/sha256/' + l]}]).encode()
    files[c + '.json'] = cfg
else:
    man = json.dumps({'schemaVersion': 2,
        'mediaType': 'application/vnd.oci.image.manifest.v1+json',
        'config': {'mediaType': 'application/vnd.oci.image.config.v1+json',
                   'digest': 'sha256:' + c, 'size': len(cfg)},
        'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip',
                    'digest': 'sha256:' + l, 'size': len(gz)}]}).encode()
    m = blob(man)
    files['oci-layout'] = b'{"imageLayoutVersion":"1.0.0"}'
    files['index.json'] = json.dumps({'schemaVersion': 2, 'manifests': [
        {'mediaType': 'application/vnd.oci.image.manifest.v1+json',
         'digest': 'sha256:' + m, 'size': len(man),
         'annotations': {'io.containerd.image.name': ref}}]}).encode()
for h, d in blobs.items():
    files['blobs/sha256/' + h] = d
with tarfile.open(out, 'w') as t:
    for name, data in files.items():
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
EOF
}

# the "config" of the (first) image config blob in the archive $1, as JSON
saved_config() {
	python3 - "$1" <<'EOF'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
idx = json.load(t.extractfile('index.json'))
m = json.load(t.extractfile('blobs/sha256/' + idx['manifests'][0]['digest'][7:]))
print(json.dumps(json.load(t.extractfile('blobs/sha256/' + m['config']['digest'][7:])), sort_keys=True))
EOF
}

# jq-like: the value of a python expression over the JSON in $output
jval() {
	python3 -c 'import json, sys; j = json.loads(sys.stdin.read()); print(json.dumps(eval(sys.argv[1]), sort_keys=True))' "$1" <<<"$output"
}

image_id() {
	homo inspect "$1" | grep -o '"Id": "sha256:[0-9a-f]*"'
}

EP_CONF='{"Entrypoint": ["echo", "ep"], "Cmd": ["default"],
	"Env": ["PATH=/bin:/usr/bin", "FOO=bar"], "WorkingDir": "/tmp",
	"User": "1000:1000", "Labels": {"org.a": "1", "b": "two"},
	"ExposedPorts": {"80/tcp": {}, "53/udp": {}}, "StopSignal": "SIGUSR1",
	"Volumes": {"/data": {}},
	"history": [{"created": "2020-01-02T03:04:05Z",
		"created_by": "/bin/sh -c #(nop) ADD file:abc in /"},
		{"created": "2020-01-02T03:04:06Z",
		"created_by": "/bin/sh -c #(nop)  CMD [\"default\"]",
		"empty_layer": true}]}'

@test "load keeps Entrypoint apart from Cmd: run ARGS replaces only the Cmd" {
	mkarchive "$T/ep.tar" docker ep:v1 "$EP_CONF"
	run homo load -i "$T/ep.tar"
	assert_status 0
	run homo run --rm ep:v1
	assert_status 0
	[ "$output" = "ep default" ]
	run homo run --rm ep:v1 x y
	assert_status 0
	[ "$output" = "ep x y" ]
	run homo inspect ep:v1
	[ "$(jval 'j[0]["Config"]["Entrypoint"]')" = '["echo", "ep"]' ]
	[ "$(jval 'j[0]["Config"]["Cmd"]')" = '["default"]' ]
	# a container's record keeps them apart too
	homo run --name c1 ep:v1 x >/dev/null
	run homo inspect c1
	[ "$(jval 'j[0]["Config"]["Entrypoint"]')" = '["echo", "ep"]' ]
	[ "$(jval 'j[0]["Config"]["Cmd"]')" = '["x"]' ]
	[ "$(jval '[j[0]["Path"]] + j[0]["Args"]')" = '["echo", "ep", "x"]' ]
	# started again, it runs the same
	homo start c1 >/dev/null
	homo wait c1 >/dev/null
	[ "$(homo logs c1 | tail -1)" = "ep x" ]
}

@test "run --entrypoint replaces the entrypoint and drops the image's Cmd; '' clears it" {
	mkarchive "$T/ep.tar" oci ep:v1 "$EP_CONF"
	homo load -q -i "$T/ep.tar" >/dev/null
	run homo run --rm --entrypoint echo ep:v1
	assert_status 0
	[ "$output" = "" ]
	run homo run --rm --entrypoint echo ep:v1 a b
	[ "$output" = "a b" ]
	run homo run --rm --entrypoint '' ep:v1 echo plain
	assert_status 0
	[ "$output" = plain ]
	# no entrypoint and no command: one line, 125
	run --separate-stderr homo run --rm --entrypoint '' ep:v1
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"no command"* ]]
	[ -z "$(homo ps -aq)" ]
}

@test "load keeps Labels, ExposedPorts, StopSignal, Volumes; run applies User, WorkingDir, Env" {
	mkarchive "$T/ep.tar" docker ep:v1 "$EP_CONF"
	homo load -q -i "$T/ep.tar" >/dev/null
	run homo inspect ep:v1
	[ "$(jval 'j[0]["Config"]["Labels"]')" = '{"b": "two", "org.a": "1"}' ]
	[ "$(jval 'j[0]["Config"]["ExposedPorts"]')" = '{"53/udp": {}, "80/tcp": {}}' ]
	[ "$(jval 'j[0]["Config"]["StopSignal"]')" = '"SIGUSR1"' ]
	[ "$(jval 'j[0]["Config"]["Volumes"]')" = '{"/data": {}}' ]
	[ "$(jval 'j[0]["Config"]["User"]')" = '"1000:1000"' ]
	[ "$(jval 'j[0]["Config"]["WorkingDir"]')" = '"/tmp"' ]
	run homo run --rm --entrypoint /bin/sh ep:v1 -c 'id -u; id -g; pwd; echo $FOO'
	assert_status 0
	[ "$output" = "$(printf '1000\n1000\n/tmp\nbar')" ]
	# the options still win
	run homo run --rm -u 0 -w / -e FOO=opt --entrypoint /bin/sh ep:v1 -c 'id -u; pwd; echo $FOO'
	[ "$output" = "$(printf '0\n/\nopt')" ]
	# a container's record keeps its image's labels and stop signal
	homo run --name c1 ep:v1 >/dev/null
	run homo inspect c1
	[ "$(jval 'j[0]["Config"]["Labels"]')" = '{"b": "two", "org.a": "1"}' ]
	[ "$(jval 'j[0]["Config"]["StopSignal"]')" = '"SIGUSR1"' ]
}

@test "save then load keeps entrypoint, labels, ports, volumes, stop signal, history and the id" {
	for fmt in docker oci; do
		mkarchive "$T/ep-$fmt.tar" $fmt ep:$fmt "$EP_CONF"
		homo load -q -i "$T/ep-$fmt.tar" >/dev/null
		id=$(image_id ep:$fmt)
		cfg=$(homo inspect ep:$fmt | grep -v '"Id"\|"Tag"')
		homo save -o "$T/saved.tar" ep:$fmt
		run saved_config "$T/saved.tar"
		[ "$(jval 'j["config"]["Entrypoint"]')" = '["echo", "ep"]' ]
		[ "$(jval 'j["config"]["Cmd"]')" = '["default"]' ]
		[ "$(jval 'j["config"]["Labels"]')" = '{"b": "two", "org.a": "1"}' ]
		[ "$(jval 'j["config"]["ExposedPorts"]')" = '{"53/udp": {}, "80/tcp": {}}' ]
		[ "$(jval 'j["config"]["StopSignal"]')" = '"SIGUSR1"' ]
		[ "$(jval 'j["config"]["Volumes"]')" = '{"/data": {}}' ]
		[ "$(jval 'len(j["history"])')" = 2 ]
		homo rmi ep:$fmt >/dev/null
		homo load -q -i "$T/saved.tar" >/dev/null
		[ "$(image_id ep:$fmt)" = "$id" ]
		[ "$(homo inspect ep:$fmt | grep -v '"Id"\|"Tag"')" = "$cfg" ]
	done
}

@test "commit -c ENTRYPOINT (exec and shell form), CMD, LABEL, EXPOSE, VOLUME, STOPSIGNAL" {
	pull_busybox
	homo run --name c1 busybox true
	run homo commit -q -c 'ENTRYPOINT ["echo", "ep"]' c1 e1
	assert_status 0
	# ENTRYPOINT resets the base image's command (Docker)
	run homo run --rm e1
	[ "$output" = ep ]
	run homo run --rm e1 more
	[ "$output" = "ep more" ]
	run homo commit -q -c 'CMD ["c"]' -c 'ENTRYPOINT echo sh-form' c1 e2
	assert_status 0
	run homo inspect e2
	[ "$(jval 'j[0]["Config"]["Entrypoint"]')" = '["/bin/sh", "-c", "echo sh-form"]' ]
	[ "$(jval 'j[0]["Config"]["Cmd"]')" = '["c"]' ]
	run homo commit -q -c 'LABEL a=1 "b c"="d e"' -c 'EXPOSE 80 53/udp 8000-8001' \
		-c 'VOLUME ["/v1", "/v2"]' -c 'STOPSIGNAL SIGINT' c1 e3
	assert_status 0
	run homo inspect e3
	[ "$(jval 'j[0]["Config"]["Labels"]')" = '{"a": "1", "b c": "d e"}' ]
	[ "$(jval 'sorted(j[0]["Config"]["ExposedPorts"])')" = '["53/udp", "80/tcp", "8000/tcp", "8001/tcp"]' ]
	[ "$(jval 'sorted(j[0]["Config"]["Volumes"])')" = '["/v1", "/v2"]' ]
	[ "$(jval 'j[0]["Config"]["StopSignal"]')" = '"SIGINT"' ]
	for bad in 'STOPSIGNAL SIGNOPE' 'EXPOSE 0' 'EXPOSE 80/icmp' 'VOLUME rel' \
		'LABEL novalue' 'ENV =x' 'ENTRYPOINT [1]' 'ONBUILD RUN x'; do
		run --separate-stderr homo commit -q -c "$bad" c1 bad
		assert_status 125
		assert_one_error_line
	done
	run homo images -q
	[ "$(grep -c . <<<"$output")" -eq 4 ]
}

@test "commit -c 'ENV A=1 B=2' sets both; quotes as Docker's" {
	pull_busybox
	homo run --name c1 busybox true
	run homo commit -q -c 'ENV A=1 B=2' -c 'ENV C="x y" D=z\ w' -c 'ENV OLD form with spaces' c1 env
	assert_status 0
	run homo run --rm env sh -c 'echo "$A|$B|$C|$D|$OLD"'
	[ "$output" = "1|2|x y|z w|form with spaces" ]
}

@test "commit keeps a container's entrypoint and command apart" {
	mkarchive "$T/ep.tar" docker ep:v1 "$EP_CONF"
	homo load -q -i "$T/ep.tar" >/dev/null
	homo run --name c1 -u 0 ep:v1 from-run >/dev/null
	homo commit -q c1 ep:c >/dev/null
	run homo inspect ep:c
	[ "$(jval 'j[0]["Config"]["Entrypoint"]')" = '["echo", "ep"]' ]
	[ "$(jval 'j[0]["Config"]["Cmd"]')" = '["from-run"]' ]
	[ "$(jval 'j[0]["Config"]["Labels"]')" = '{"b": "two", "org.a": "1"}' ]
	run homo run --rm ep:c other
	[ "$output" = "ep other" ]
}

@test "stop sends the image's STOPSIGNAL; run --stop-signal overrides it" {
	pull_busybox
	homo run --name c0 busybox true
	homo commit -q -c 'STOPSIGNAL SIGUSR1' c0 sig >/dev/null
	script='trap "echo got-usr1; exit 7" USR1; trap "echo got-usr2; exit 8" USR2
		echo up; while :; do sleep 0.1; done'
	homo run -d --name c1 sig sh -c "$script" >/dev/null
	for i in $(seq 50); do homo logs c1 | grep -q up && break; sleep 0.1; done
	run homo stop -t 5 c1
	assert_status 0
	run homo wait c1
	[ "$output" = 7 ]
	homo logs c1 | grep -qx got-usr1
	homo run -d --name c2 --stop-signal USR2 sig sh -c "$script" >/dev/null
	for i in $(seq 50); do homo logs c2 | grep -q up && break; sleep 0.1; done
	homo stop -t 5 c2 >/dev/null
	run homo wait c2
	[ "$output" = 8 ]
	run --separate-stderr homo run --rm --stop-signal SIGNOPE busybox true
	assert_status 125
	assert_one_error_line
}

@test "save and load keep the id of an image committed with -m" {
	pull_busybox
	homo run --name c1 busybox true
	homo commit -q -m "a message" c1 msg:v1 >/dev/null
	id=$(image_id msg:v1)
	homo save -o "$T/msg.tar" msg:v1
	homo rm c1 >/dev/null
	homo rmi msg:v1 >/dev/null
	homo load -q -i "$T/msg.tar" >/dev/null
	[ "$(image_id msg:v1)" = "$id" ]
	run homo inspect msg:v1
	[ "$(jval 'j[0]["Comment"]')" = '"a message"' ]
}

@test "pull of a save archive says to use load; pull - refuses a terminal" {
	pull_busybox
	homo save -o "$T/bb.tar" busybox
	before=$(store_snapshot)
	run --separate-stderr homo pull "$T/bb.tar" x
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"homo load -i $T/bb.tar"* ]]
	run --separate-stderr homo pull - x <"$T/bb.tar"
	assert_status 125
	assert_one_error_line
	[[ "$stderr" == *"'homo load'"* ]]
	[ "$before" = "$(store_snapshot)" ]
	# a terminal on stdin: refused at once, not read until ^D
	run timeout 20 script -qec "$HOMO pull - x" /dev/null </dev/null
	assert_status 125
	assert_output_has "terminal"
	[ "$before" = "$(store_snapshot)" ]
}

@test "references with a registry host and port work everywhere" {
	pull_busybox
	run homo tag busybox localhost:5000/team/bb:v1
	assert_status 0
	run homo images
	assert_output_has "localhost:5000/team/bb"
	run homo run --rm localhost:5000/team/bb:v1 echo ok
	[ "$output" = ok ]
	run homo inspect localhost:5000/team/bb:v1
	assert_status 0
	homo save -o "$T/r.tar" localhost:5000/team/bb:v1
	homo rmi localhost:5000/team/bb:v1 >/dev/null
	run homo inspect localhost:5000/team/bb:v1
	assert_status 125
	# an archive whose RepoTags has one (docker save's)
	mkarchive "$T/d.tar" docker registry.example.com:443/a/b:v2 '{"Cmd": ["echo", "d"]}'
	run homo load -i "$T/d.tar"
	assert_status 0
	[ "$output" = "Loaded image: registry.example.com:443/a/b:v2" ]
	run homo run --rm registry.example.com:443/a/b:v2
	[ "$output" = d ]
	run homo load -i "$T/r.tar"
	[ "$output" = "Loaded image: localhost:5000/team/bb:v1" ]
	run homo rmi localhost:5000/team/bb:v1
	assert_status 0
	assert_output_has "Untagged: localhost:5000/team/bb:v1"
}

@test "docker.io/library/x, library/x and docker.io/x are x; digests parse" {
	pull_busybox
	homo tag busybox docker.io/library/n1:t
	homo tag busybox library/n2
	homo tag busybox docker.io/n3
	homo tag busybox index.docker.io/team/n4
	run homo images
	for n in n1 n2 n3 team/n4; do
		grep -q "^$n " <<<"$output"
	done
	assert_output_lacks library
	assert_output_lacks docker.io
	run homo run --rm docker.io/library/n1:t echo ok
	[ "$output" = ok ]
	run homo run --rm n2 echo ok
	[ "$output" = ok ]
	# a digest reference is valid, but names nothing local
	d=sha256:$(printf '%064d' 0)
	run --separate-stderr homo run --rm "busybox@$d" true
	assert_status 125
	[[ "$stderr" == *"no such image"* ]]
	for bad in 'bad/X' 'x@sha256:12' 'a//b' 'host:port/x' ':t'; do
		run --separate-stderr homo tag busybox "$bad"
		assert_status 125
		assert_one_error_line
		[[ "$stderr" == *invalid* ]]
	done
}

@test "history: steps newest first, layer sizes, comments; --no-trunc, -q" {
	mkarchive "$T/ep.tar" docker ep:v1 "$EP_CONF"
	homo load -q -i "$T/ep.tar" >/dev/null
	homo run --name c1 -u 0 ep:v1 sh -c 'echo 0123456789 >/f' >/dev/null
	homo commit -q -m "my step" c1 ep:h >/dev/null
	id=$(image_id ep:h | grep -o '[0-9a-f]\{64\}')
	run homo history ep:h
	assert_status 0
	[ "$(grep -c . <<<"$output")" -eq 4 ]
	[[ "$(sed -n 1p <<<"$output")" == "IMAGE "*" CREATED "*" CREATED BY "*" SIZE "*" COMMENT" ]]
	[[ "$(sed -n 2p <<<"$output")" == "${id:0:12} "*"echo ep sh -c echo 0123456789 >/f"*"my step" ]]
	[[ "$(sed -n 3p <<<"$output")" == "<missing> "*'CMD ["default"]'*" 0B "* ]]
	[[ "$(sed -n 4p <<<"$output")" == "<missing> "*"ADD file:abc in /"*MB* ]]
	# columns line up: CREATED BY starts at the same place on every row
	col=$(sed -n 1p <<<"$output" | grep -bo 'CREATED BY' | cut -d: -f1)
	[ "$(sed -n 4p <<<"$output" | grep -bo '/bin/sh' | cut -d: -f1)" = "$col" ]
	# a long command is cut to 45 characters, whole with --no-trunc
	homo run --name c2 -u 0 ep:v1 sh -c 'echo a-long-command-that-goes-past-the-column >/g' >/dev/null
	homo commit -q c2 ep:long >/dev/null
	run homo history ep:long
	assert_output_has "…"
	assert_output_lacks "column >/g"
	run homo history --no-trunc ep:long
	assert_output_has "past-the-column >/g"
	assert_output_has "sha256:"
	run homo history -q ep:h
	[ "$output" = "$(printf '%s\n<missing>\n<missing>' "${id:0:12}")" ]
	run --separate-stderr homo history nosuch
	assert_status 125
	assert_one_error_line
	run --separate-stderr homo history
	assert_status 125
	assert_one_error_line
}

@test "history of a pulled tarball: one imported layer" {
	pull_busybox
	run homo history busybox
	assert_status 0
	[ "$(grep -c . <<<"$output")" -eq 2 ]
	assert_output_has "Imported from $BUSYBOX_TAR"
}

@test "an image's VOLUME paths become anonymous volumes with the image's files; a user mount there wins" {
	mkarchive "$T/ep.tar" docker ep:v1 "$EP_CONF"
	homo load -q -i "$T/ep.tar" >/dev/null
	homo run --name cv -u 0 --entrypoint /bin/sh ep:v1 -c 'echo kept >/data/f' >/dev/null
	run homo inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}' cv
	assert_status 0
	[ "$output" = "volume /data" ]
	[ "$(homo volume ls -q | wc -l)" -eq 1 ]
	# the data lives in the volume, not in the container's layer
	homo start cv >/dev/null
	homo wait cv >/dev/null
	[ ! -e "$HOMO_ROOT/containers/$(homo inspect -f '{{.Id}}' cv)/upper/data/f" ]
	homo rm -v cv >/dev/null
	[ -z "$(homo volume ls -q)" ]
	# --rm takes it with the container; -v on the path replaces it
	homo run --rm --entrypoint /bin/true ep:v1
	[ -z "$(homo volume ls -q)" ]
	run homo run --rm -u 0 -v "$T:/data" --entrypoint /bin/sh ep:v1 -c 'ls /data/ep.tar'
	assert_status 0
	[ -z "$(homo volume ls -q)" ]
}
