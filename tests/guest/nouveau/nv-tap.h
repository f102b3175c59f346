/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TAP results and the ioctl wrapper of the nouveau guest tests.  Included
 * by one translation unit per program (each test is one file).
 */
#ifndef NV_TAP_H
#define NV_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>

static unsigned int ntest, nfail;

/* One TAP line for @cond, described by @fmt; returns @cond. */
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	nfail += !cond;
	printf("%s %u - ", cond ? "ok" : "not ok", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

/* ioctl() retried on EINTR/EAGAIN: 0 or the errno. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? errno : 0;
}

#endif
