#!/usr/bin/env python3
"""Run a command on a new pseudo-terminal, as a user at a terminal would.

term.py [--stdin-null] [--size ROWSxCOLS] [--timeout S] [--step EXPECT=>SEND]...
        -- CMD...

CMD gets the pty as its controlling terminal and stdio (--stdin-null: stdin
is /dev/null). Each --step waits until EXPECT (Python escapes) has appeared
in the output since the previous step, then types SEND (Python escapes,
e.g. \\x10\\x11 for ctrl-p ctrl-q; !TERM sends CMD SIGTERM); an EXPECT of ~SECONDS waits that long
instead (for a program that prints nothing first). Then the output is read until CMD exits.
Prints all output raw on stdout and exits with CMD's status; on a timeout
kills CMD (its own child, by pid), says so on stderr and exits 124, as
when CMD exits with steps left; 123 when CMD left the terminal's modes
changed (raw).
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def unescape(s):
    return s.encode().decode("unicode_escape").encode("latin-1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stdin-null", action="store_true")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--step", action="append", default=[])
    ap.add_argument("--size", help="ROWSxCOLS of the terminal")
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    steps = [tuple(unescape(x) for x in s.split("=>", 1)) for s in a.step]
    pid, fd = pty.fork()
    if pid == 0:
        if a.stdin_null:
            n = os.open("/dev/null", os.O_RDONLY)
            os.dup2(n, 0)
        os.execvp(a.cmd[0], a.cmd)
    initial = termios.tcgetattr(fd)
    if a.size:
        rows, cols = (int(x) for x in a.size.split("x"))
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out, seen, status, d = b"", 0, None, b""
    end = time.time() + a.timeout
    mark = time.time()

    def send(keys):
        if keys.startswith(b"!"):  # !TERM: a signal to CMD
            os.kill(pid, getattr(signal, "SIG" + keys[1:].decode()))
        else:
            os.write(fd, keys)

    while time.time() < end:
        want = steps[0][0] if steps else None
        if want is not None and want.startswith(b"~"):
            if time.time() - mark >= float(want[1:]):
                send(steps.pop(0)[1])
                mark = time.time()
        elif want is not None and want in out[seen:]:
            seen = out.index(want, seen) + len(want)
            send(steps.pop(0)[1])
            mark = time.time()
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 65536)
            except OSError:  # EIO: every slave is closed
                d = b""
            out += d
            if d:
                continue
        if status is None:
            w, st = os.waitpid(pid, os.WNOHANG)
            if w:
                status = os.waitstatus_to_exitcode(st)
        if status is not None:
            break  # exited, and nothing more to read
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if status is not None and termios.tcgetattr(fd) != initial:
        print("term.py: CMD left the terminal's modes changed", file=sys.stderr)
        sys.exit(123)
    if status is None or steps:
        print("term.py: %s; steps left: %r"
              % ("timeout" if status is None else "exited %d" % status, steps),
              file=sys.stderr)
        sys.exit(124)
    sys.exit(status if status >= 0 else 128 - status)


main()
