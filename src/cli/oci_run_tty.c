/* SPDX-License-Identifier: MIT */
/*
 * `run` of a spec with process.terminal and no --console-socket: as runc,
 * the runtime takes the pty master itself (a console socket of its own
 * under --root) and relays it to its own stdio, the terminal in raw mode
 * for the time of the relay (oci_int.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"
#include "oci_int.h"

int oci_tty_listen(const char *root, const char *id, char **path,
		   struct hm_err *e)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	*path = xasprintf("%s/.tty-%s-%d", root, id, (int)getpid());
	if (util_mkdir_p(root, 0700, e) < 0)
		return -1;
	if (strlen(*path) >= sizeof(a.sun_path))
		return hm_failx(e, 1, "run: console socket path too long");
	strcpy(a.sun_path, *path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 1) < 0) {
		hm_fail(e, errno, "run: console socket \"%s\"", *path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* the master the init sent to our console socket */
int oci_tty_accept(int lfd, struct hm_err *e)
{
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), master = -1;
	char name[64];

	if (c < 0)
		return hm_fail(e, errno, "run: accept the pty");
	if (util_recv_fd(c, name, sizeof(name), &master) < 0 || master < 0)
		hm_failx(e, 1, "run: no pty from the container");
	close(c);
	return master;
}

/* copy what @from has to @to; false at its end */
static bool pump(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return true;
	return n > 0 && util_write_all(to, buf, (size_t)n) == 0;
}

void oci_tty_relay(int master)
{
	struct termios old, raw;
	bool tty = tcgetattr(0, &old) == 0, in_open = true;
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	if (tty) {
		raw = old;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd p[2] = {
		    {.fd = master, .events = POLLIN},
		    {.fd = in_open ? 0 : -1, .events = POLLIN}};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* the process gone, every slave closed: EIO or HUP */
		if (p[0].revents && !pump(master, 1))
			break;
		if (p[1].revents && !pump(0, master))
			in_open = false;
	}
	if (tty)
		tcsetattr(0, TCSANOW, &old);
}
