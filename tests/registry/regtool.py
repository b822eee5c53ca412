#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Test helper for registry.bats, loopback only, standard library only.

  regtool.py token PORTFILE CERT KEY [USER:PASS]
      A token server for the registry's bearer flow: GET /token grants the
      scope asked for, as an RS256 JWT signed (openssl) with KEY whose
      certificate CERT the registry trusts. With USER:PASS it wants that
      basic auth, else it serves anyone. Writes its port to PORTFILE.
  regtool.py push REGISTRY REPO:TAG SPEC...
      Push an image made of raw pieces, without skopeo: SPEC is
      "layer=FILE.tar[:gzip|zstd|none]", "arch=ARCH" (ends an image),
      "list=oci|docker" (push the images so far as one index/list).
      Prints the digest of what REPO:TAG names.
  regtool.py serve-redirect PORTFILE UPSTREAM USER:PASS LOG
      A front to UPSTREAM (host:port) that answers blob GETs with a 307 to
      itself under the name "localhost" (another host to a client), where
      it logs the Authorization header it got ("none" if none) to LOG and
      serves the blob with USER:PASS of its own.
  regtool.py serve-huge PORTFILE BYTES
      A "registry" whose every manifest is BYTES bytes of JSON.
  regtool.py serve-cut PORTFILE UPSTREAM BYTES
      A proxy to UPSTREAM (host:port) that closes the connection after
      sending BYTES bytes of any blob body; writes its port to PORTFILE.
  regtool.py serve-stall PORTFILE UPSTREAM BYTES [HEX...]
      The same, but it holds the connection open after BYTES bytes of the
      blobs named (all if none), sending nothing more, until the client
      closes it (at most two minutes): a download under way, for as long
      as a test needs one.
  regtool.py serve-log PORTFILE UPSTREAM LOG [noauth-blobs]
      A proxy to UPSTREAM (host:port), HTTP/1.1 with keep-alive, that
      appends "PORT PATH auth|none" to LOG for each GET: the client's port
      names the connection that carried it, then whether it came with an
      Authorization header. With noauth-blobs, the first GET of each blob
      goes upstream without that header (a token that expired: a 401).
  regtool.py no-unshare CMD [ARG...]
      Run CMD with unshare(2) failing EPERM (a seccomp filter, as Docker's
      default profile has without CAP_SYS_ADMIN); x86_64 and aarch64.
"""
import base64
import ctypes
import hashlib
import http.client
import http.server
import json
import os
import platform
import struct
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

MT_OCI_MAN = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_IDX = "application/vnd.oci.image.index.v1+json"
MT_DK_MAN = "application/vnd.docker.distribution.manifest.v2+json"
MT_DK_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def serve(portfile, handler):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


def token_main(portfile, cert, key, cred=None):
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                         check=True, capture_output=True).stdout

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = urllib.parse.parse_qs(u.query)
            if cred:
                want = "Basic " + base64.b64encode(cred.encode()).decode()
                if self.headers.get("Authorization") != want:
                    self.send_response(401)
                    self.end_headers()
                    return
            access = []
            for s in q.get("scope", []):
                typ, name, actions = s.split(":")[0], \
                    ":".join(s.split(":")[1:-1]), s.split(":")[-1]
                access.append({"type": typ, "name": name,
                               "actions": actions.split(",")})
            now = int(time.time())
            hdr = {"alg": "RS256", "typ": "JWT",
                   "x5c": [base64.b64encode(der).decode()]}
            claims = {"iss": "homo-test-issuer", "sub": "test",
                      "aud": q.get("service", [""])[0], "exp": now + 600,
                      "nbf": now - 10, "iat": now, "jti": str(now),
                      "access": access}
            signing = (b64url(json.dumps(hdr).encode()) + "." +
                       b64url(json.dumps(claims).encode()))
            sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                                 input=signing.encode(), check=True,
                                 capture_output=True).stdout
            tok = signing + "." + b64url(sig)
            body = json.dumps({"token": tok, "access_token": tok}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    serve(portfile, H)


class Pusher:
    def __init__(self, registry, repo):
        self.registry, self.repo = registry, repo

    def req(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection(self.registry)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit("%s %s: %d %s" % (method, path, r.status, data))
        return r, data

    def blob(self, data):
        dg = "sha256:" + hashlib.sha256(data).hexdigest()
        r, _ = self.req("POST", "/v2/%s/blobs/uploads/" % self.repo)
        loc = r.getheader("Location")
        u = urllib.parse.urlparse(loc)
        path = u.path + "?" + (u.query + "&" if u.query else "") + \
            "digest=" + dg
        self.req("PUT", path, data, {"Content-Type":
                                     "application/octet-stream"})
        return {"digest": dg, "size": len(data)}

    def manifest(self, ref, mt, obj):
        data = json.dumps(obj).encode()
        self.req("PUT", "/v2/%s/manifests/%s" % (self.repo, ref), data,
                 {"Content-Type": mt})
        return {"mediaType": mt, "digest": "sha256:" +
                hashlib.sha256(data).hexdigest(), "size": len(data)}


def compress(data, how):
    if how == "none":
        return data, "application/vnd.oci.image.layer.v1.tar"
    if how == "zstd":
        return (subprocess.run(["zstd", "-q", "-c"], input=data, check=True,
                               capture_output=True).stdout,
                "application/vnd.oci.image.layer.v1.tar+zstd")
    return (subprocess.run(["gzip", "-n", "-c"], input=data, check=True,
                           capture_output=True).stdout,
            "application/vnd.oci.image.layer.v1.tar+gzip")


def push_main(registry, reftag, specs):
    repo, tag = reftag.rsplit(":", 1)
    p = Pusher(registry, repo)
    layers, images, docker = [], [], False
    for spec in specs:
        k, v = spec.split("=", 1)
        if k == "layer":
            path, _, how = v.partition(":")
            with open(path, "rb") as f:
                raw = f.read()
            data, mt = compress(raw, how or "gzip")
            layers.append((raw, data, mt))
        elif k == "arch":
            cfg = {"architecture": v, "os": "linux",
                   "config": {"Cmd": ["/bin/sh"], "Env": ["ARCH=" + v],
                              "Labels": {"arch": v}},
                   "rootfs": {"type": "layers", "diff_ids": [
                       "sha256:" + hashlib.sha256(r).hexdigest()
                       for r, _, _ in layers]}}
            cdesc = p.blob(json.dumps(cfg).encode())
            ldescs = []
            for _, data, mt in layers:
                d = p.blob(data)
                d["mediaType"] = mt
                ldescs.append(d)
            images.append((v, cdesc, ldescs))
            layers = []
        elif k == "list":
            docker = v == "docker"
    descs = []
    for arch, cdesc, ldescs in images:
        if docker:
            cdesc["mediaType"] = "application/vnd.docker.container.image.v1+json"
            for d in ldescs:
                d["mediaType"] = "application/vnd.docker.image.rootfs.diff.tar.gzip"
            mt = MT_DK_MAN
        else:
            cdesc["mediaType"] = "application/vnd.oci.image.config.v1+json"
            mt = MT_OCI_MAN
        man = {"schemaVersion": 2, "mediaType": mt, "config": cdesc,
               "layers": ldescs}
        data = json.dumps(man).encode()
        dg = "sha256:" + hashlib.sha256(data).hexdigest()
        d = p.manifest(dg if len(images) > 1 else tag, mt, man)
        d["platform"] = {"architecture": arch, "os": "linux"}
        descs.append(d)
    if len(images) > 1:
        mt = MT_DK_LIST if docker else MT_OCI_IDX
        d = p.manifest(tag, mt, {"schemaVersion": 2, "mediaType": mt,
                                 "manifests": descs})
        descs = [d]
    print(descs[0]["digest"])


def cut_main(portfile, upstream, limit):
    limit = int(limit)

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            c = http.client.HTTPConnection(upstream)
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() != "host"}
            c.request("GET", self.path, headers=hdrs)
            r = c.getresponse()
            body = r.read()
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("transfer-encoding", "connection"):
                    self.send_header(k, v)
            self.end_headers()
            if "/blobs/" in self.path and len(body) > limit:
                self.wfile.write(body[:limit])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(body)

        do_HEAD = do_GET

    serve(portfile, H)


def stall_main(portfile, upstream, limit, *hexes):
    limit = int(limit)

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            c = http.client.HTTPConnection(upstream)
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() != "host"}
            c.request("GET", self.path, headers=hdrs)
            r = c.getresponse()
            body = r.read()
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("transfer-encoding", "connection"):
                    self.send_header(k, v)
            self.end_headers()
            named = not hexes or any(h in self.path for h in hexes)
            if "/blobs/" in self.path and named and len(body) > limit:
                self.wfile.write(body[:limit])
                self.wfile.flush()
                # until the client hangs up (readable at EOF)
                self.connection.settimeout(120)
                try:
                    self.connection.recv(1)
                except OSError:
                    pass
                self.close_connection = True
                return
            self.wfile.write(body)

    serve(portfile, H)


def relay(h, upstream, path, hdrs):
    """Answer handler h's GET with upstream's answer to it, whole."""
    c = http.client.HTTPConnection(upstream)
    c.request("GET", path, headers=hdrs)
    r = c.getresponse()
    body = r.read()
    h.send_response(r.status)
    for k, v in r.getheaders():
        if k.lower() not in ("transfer-encoding", "connection",
                             "content-length"):
            h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def log_main(portfile, upstream, log, mode=""):
    lock = threading.Lock()
    seen = set()

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            drop = ["host"]
            with lock, open(log, "a") as f:
                if (mode == "noauth-blobs" and "/blobs/" in self.path
                        and self.path not in seen):
                    seen.add(self.path)
                    drop.append("authorization")
                authz = self.headers.get("Authorization")
                f.write("%d %s %s\n" % (self.client_address[1], self.path,
                                        "auth" if authz else "none"))
            relay(self, upstream, self.path,
                  {k: v for k, v in self.headers.items()
                   if k.lower() not in drop})

    serve(portfile, H)


def no_unshare_main(argv):
    # classic BPF: arch, then syscall nr; unshare -> ERRNO(EPERM), else allow
    arch, nr = {"x86_64": (0xC000003E, 272),
                "aarch64": (0xC00000B7, 97)}[platform.machine()]
    ld, jeq, ret = 0x20, 0x15, 0x06
    kill, allow, eperm = 0x80000000, 0x7FFF0000, 0x00050000 | 1
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, kill),
            (ld, 0, 0, 0), (jeq, 0, 1, nr), (ret, 0, 0, eperm),
            (ret, 0, 0, allow)]
    raw = b"".join(struct.pack("HBBI", *i) for i in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Fprog(len(prog), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p,
                           ctypes.c_ulong, ctypes.c_ulong]
    # PR_SET_NO_NEW_PRIVS, then PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    if libc.prctl(38, 1, None, 0, 0) or \
            libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0):
        sys.exit("prctl: " + os.strerror(ctypes.get_errno()))
    os.execvp(argv[0], argv)


def redirect_main(portfile, upstream, cred, log):
    basic = "Basic " + base64.b64encode(cred.encode()).decode()

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def relay(self, path, hdrs):
            relay(self, upstream, path, hdrs)

        def do_GET(self):
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() != "host"}
            if self.path.startswith("/_blob/"):
                with open(log, "a") as f:
                    f.write(self.headers.get("Authorization", "none") + "\n")
                hdrs["Authorization"] = basic
                self.relay(self.path[6:], hdrs)
            elif "/blobs/" in self.path:
                port = self.server.server_address[1]
                self.send_response(307)
                self.send_header("Location", "http://localhost:%d/_blob%s"
                                 % (port, self.path))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.relay(self.path, hdrs)

    serve(portfile, H)


def huge_main(portfile, size):
    size = int(size)

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            body = b'{"schemaVersion": 2, "x": "' + \
                b"a" * max(0, size - 30) + b'"}'
            self.send_response(200)
            self.send_header("Content-Type", MT_OCI_MAN)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

    serve(portfile, H)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "token":
        token_main(*sys.argv[2:])
    elif cmd == "push":
        push_main(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "serve-redirect":
        redirect_main(*sys.argv[2:])
    elif cmd == "serve-huge":
        huge_main(*sys.argv[2:])
    elif cmd == "serve-cut":
        cut_main(*sys.argv[2:])
    elif cmd == "serve-stall":
        stall_main(*sys.argv[2:])
    elif cmd == "serve-log":
        log_main(*sys.argv[2:])
    elif cmd == "no-unshare":
        no_unshare_main(sys.argv[2:])
    else:
        sys.exit(__doc__)
