/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "@nvvb" host-check protocol of the nouveau guest tests
 * (docs/specs/nv-vmbind-gp107.rst, "Host check protocol"): request lines
 * the host replays into its GPUVM, and checkpoints where the guest waits
 * for the host's one-line answer while it walks the page tables.
 * Included by one translation unit per program (each test is one file).
 */
#ifndef NVVB_PROTO_H
#define NVVB_PROTO_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

static int proto_out = STDOUT_FILENO, proto_in = STDIN_FILENO;

/* Write all of @buf to @fd. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

/* One "@nvvb ..." protocol line, written with one write(). */
static void report(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "@nvvb ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fflush(stdout);
	write_all(proto_out, buf, n);
}

/* Read the host's one-line answer from the protocol channel. */
static bool read_answer(void)
{
	char c;
	ssize_t n;

	for (;;) {
		n = read(proto_in, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		if (c == '\n')
			return true;
	}
}

/* Use a serial port of its own for the protocol (raw, no echo). */
static int proto_open(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B115200);
		cfsetospeed(&t, B115200);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(fd, TCSANOW, &t);
	}
	tcflush(fd, TCIOFLUSH);
	proto_out = proto_in = fd;
	return 0;
}

/* Word @i of a BO filled with @seed; the host check recomputes it. */
static inline uint32_t nvvb_pattern(uint32_t seed, uint32_t i)
{
	uint32_t x = seed * 0x9e3779b1u ^ i * 0x85ebca77u;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return x;
}

#endif
