// SPDX-License-Identifier: MIT
/*
 * process.terminal for create and exec: the runtime connects to the
 * engine's --console-socket; the process opens a pty of the container's
 * devpts, sends the master there (SCM_RIGHTS, the pty's path as the
 * message, as runc) and takes the slave as controlling tty and stdio.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/oci_runtime.h"

int oci_console_connect(const char *path, struct hm_err *e)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return hm_failx(e, 1, "--console-socket: path too long");
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		hm_fail(e, errno, "--console-socket \"%s\"", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* /dev/console: the slave bound there (on a file made to mount on) */
static int bind_console(int slave, struct hm_err *e)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", slave);
	close(open("/dev/console", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	if (mount(proc, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return hm_fail(e, errno, "bind the pty on /dev/console");
	return 0;
}

int oci_console_take(int console_fd, unsigned flags, struct hm_err *e)
{
	int master, slave, n = 0;
	char path[64];

	master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return hm_fail(e, errno, "open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &n) < 0 ||
	    ioctl(master, TIOCGPTN, &n) < 0)
		return hm_fail(e, errno, "unlock the pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return hm_fail(e, errno, "open the pty's slave");
	snprintf(path, sizeof(path), "/dev/pts/%d", n);
	if ((flags & OCI_CONSOLE_DEV) && bind_console(slave, e) < 0)
		return -1;
	if (util_send_fd(console_fd, path, strlen(path), master) < 0)
		return hm_fail(e, errno, "send the pty to --console-socket");
	close(master);
	if ((flags & OCI_CONSOLE_SETSID) && setsid() < 0)
		return hm_fail(e, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return hm_fail(e, errno, "make the pty our controlling tty");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return hm_fail(e, errno, "the pty as stdio");
	close(slave);
	return 0;
}
