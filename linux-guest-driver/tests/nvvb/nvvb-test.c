// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb-test: the guest VM_BIND suite for the nvvb driver.
 *
 *   nvvb-test [-o SUBSTRING] [-l] [-w]
 *
 * Each test runs in its own process with its own DRM file (and VM); its
 * result is one TAP line.  -o runs the tests whose name contains
 * SUBSTRING, -l lists them.  The output ends with "N passed, N failed".
 * -w then leaves a VA state in place for the host: it prints the driver's
 * debugfs dump between "nvvb-guest: vm dump begin/end", prints
 * "nvvb-guest: host-check ready" and waits for a line on stdin; then closes
 * everything, prints "nvvb-guest: host-check empty" and waits again.
 *
 * What is checked: VM_INIT rules; each of drm_gpuvm's 15 "Split and
 * Merge" cases, through the driver's debugfs (the kernel's drm_gpuvm) and
 * through the device (copy-engine reads of every mapped unit, faults on
 * holes); nouveau's sparse-region rules and error codes; asynchronous
 * binds with syncobjs and timelines, waits on fences signalled out of
 * order (vgem fences); EXEC copies, fills and semaphores read back through
 * mmap; eviction and validation; BOs shared between VMs; concurrency of
 * threads and processes in one VM and in several; the uAPI's error paths.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "nvvb-lib.h"

/* ---- test framework ---- */

static char fail_msg[1024];
static int failed;
static bool skipped;

static void failf(int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (failed++)
		return;
	n = snprintf(fail_msg, sizeof(fail_msg), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(fail_msg + n, sizeof(fail_msg) - n, fmt, ap);
	va_end(ap);
}

#define CHECK(c) do { \
	if (!(c)) { \
		failf(__LINE__, "%s", #c); \
		return; \
	} \
} while (0)

#define CHECKF(c, ...) do { \
	if (!(c)) { \
		failf(__LINE__, __VA_ARGS__); \
		return; \
	} \
} while (0)

#define CHECK_ERR(expr, want) do { \
	int _r = (expr), _w = (want); \
	if (_r != _w) { \
		failf(__LINE__, "%s = %d (%s), want %d (%s)", #expr, _r, \
		      strerror(-_r), _w, strerror(-_w)); \
		return; \
	} \
} while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, 0)

/* Not applicable here (e.g. a kernel without vgem): a TAP SKIP. */
#define SKIP(...) do { \
	skipped = true; \
	snprintf(fail_msg, sizeof(fail_msg), __VA_ARGS__); \
	return; \
} while (0)

struct test {
	const char *name;
	void (*fn)(long arg);
	long arg;
};

static struct test tests[512];
static int ntests;

static void add(const char *name, void (*fn)(long), long arg)
{
	tests[ntests++] = (struct test){ name, fn, arg };
}

/* ---- fixtures ---- */

#define U (64 * KiB)			/* unit of the split cases */
#define VA_CASE 0x100000000ULL		/* 4 GiB: where cases happen */
#define VA_RB 0x200000000ULL		/* readback buffer */
#define VA_REG 0x300000000ULL		/* sparse regions */
#define VA_T 0x400000000ULL		/* per-thread areas */

static int open_vm(void)
{
	int fd = nv_open();

	if (fd < 0)
		return fd;
	if (nv_vm_init(fd, 0, 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A BO of @size whose 32-bit words of unit i read tag | i. */
static uint32_t tagged_bo(int fd, uint64_t size, uint32_t domain,
			  uint32_t tag, uint32_t **map)
{
	uint32_t h, *p;
	uint64_t i;

	if (nv_gem_new(fd, size, domain, 0, &h))
		return 0;
	p = nv_mmap(fd, h, size);
	if (!p)
		return 0;
	for (i = 0; i < size / 4; i++)
		p[i] = tag | (uint32_t)(i * 4 / U);
	if (map)
		*map = p;
	else
		munmap(p, size);
	return h;
}

/* Check @len bytes at @p hold the 32-bit word @w. */
static bool words_are(const void *p, uint64_t len, uint32_t w)
{
	const uint32_t *q = p;
	uint64_t i;

	for (i = 0; i < len / 4; i++)
		if (q[i] != w)
			return false;
	return true;
}

/* Index of the first word at @p that is not @w, or -1. */
static int64_t first_bad_word(const void *p, uint64_t len, uint32_t w)
{
	const uint32_t *q = p;
	uint64_t i;

	for (i = 0; i < len / 4; i++)
		if (q[i] != w)
			return i;
	return -1;
}

static bool bytes_are(const void *p, uint64_t len, uint8_t b)
{
	const uint8_t *q = p;
	uint64_t i;

	for (i = 0; i < len; i++)
		if (q[i] != b)
			return false;
	return true;
}

/* Bind descriptors the device refused so far (all VMs). */
static int64_t dev_errors(int fd)
{
	return nv_status(fd, "bind_desc_errors");
}

/* ---- basics ---- */

static void t_identify(long arg)
{
	int fd = nv_open();
	uint64_t caps, bits, vram, avail;
	drmVersionPtr v;
	int named;

	CHECKF(fd >= 0, "no nvvb render node: %s", strerror(-fd));
	/* DRM_IOCTL_VERSION: 6.12 wants drm_driver.date, 7.x has none */
	v = drmGetVersion(fd);
	CHECK(v);
	named = !strcmp(v->name, "nvvb") && v->version_major == 1;
	drmFreeVersion(v);
	CHECK(named);
	CHECK_OK(nv_getparam(fd, NVVB_PARAM_DEVICE_CAPS, &caps));
	CHECK_OK(nv_getparam(fd, NVVB_PARAM_VA_BITS, &bits));
	CHECK_OK(nv_getparam(fd, NVVB_PARAM_VRAM_SIZE, &vram));
	CHECK_OK(nv_getparam(fd, NVVB_PARAM_VRAM_AVAIL, &avail));
	CHECK(caps & (1 << 6));			/* BIND_QUEUE */
	CHECK(caps & (1 << 7));			/* COPY_ENGINE */
	CHECK(bits == 47);
	CHECK(avail > 0 && avail < vram);
	CHECK(nv_param(fd, NVVB_PARAM_MAX_BIND_OPS) >= 256);
	CHECK_ERR(nv_getparam(fd, 9999, &bits), -EINVAL);
	CHECK_ERR(nv_getparam(fd, NVVB_PARAM_VM_ID, &bits), -EOPNOTSUPP);
}

/* ---- GEM ---- */

static void t_gem_sysmem(long arg)
{
	int fd = open_vm();
	struct drm_nvvb_gem_info info;
	uint32_t h, *p;

	CHECK(fd >= 0);
	CHECK_OK(nv_gem_new(fd, 5000, NVVB_GEM_DOMAIN_SYSMEM, 0, &h));
	CHECK_OK(nv_gem_info(fd, h, &info));
	CHECK(info.size == 8192);
	CHECK(info.domain == NVVB_GEM_DOMAIN_SYSMEM);
	CHECK(info.placement == NVVB_GEM_DOMAIN_SYSMEM);
	CHECK(info.device_id == 0);		/* not bound yet */
	p = nv_mmap(fd, h, 8192);
	CHECK(p);
	CHECK(words_are(p, 8192, 0));		/* new BOs are zeroed */
	p[0] = 0x12345678;
	p[2047] = 0x9abcdef0;
	munmap(p, 8192);
	p = nv_mmap(fd, h, 8192);
	CHECK(p && p[0] == 0x12345678 && p[2047] == 0x9abcdef0);
	CHECK_OK(nv_gem_close(fd, h));
	CHECK_ERR(nv_gem_info(fd, h, &info), -ENOENT);
}

static void t_gem_vram(long arg)
{
	int fd = open_vm();
	struct drm_nvvb_gem_info info;
	uint32_t h, *p;
	int i;

	CHECK(fd >= 0);
	CHECK_OK(nv_gem_new(fd, 1 * MiB, NVVB_GEM_DOMAIN_VRAM, 0, &h));
	CHECK_OK(nv_gem_info(fd, h, &info));
	CHECK(info.domain == NVVB_GEM_DOMAIN_VRAM &&
	      info.placement == NVVB_GEM_DOMAIN_VRAM);
	p = nv_mmap(fd, h, 1 * MiB);
	CHECK(p);
	CHECK(words_are(p, 1 * MiB, 0));
	for (i = 0; i < 1 << 18; i++)
		p[i] = i * 2654435761u;
	munmap(p, 1 * MiB);
	p = nv_mmap(fd, h, 1 * MiB);
	CHECK(p);
	for (i = 0; i < 1 << 18; i++)
		CHECKF(p[i] == i * 2654435761u, "word %d", i);
}

static void t_gem_errors(long arg)
{
	int fd = nv_open();
	struct drm_nvvb_gem_new g;
	struct drm_nvvb_gem_evict ev = { 0 };
	uint32_t h, s;

	CHECK(fd >= 0);
	CHECK_ERR(nv_gem_new(fd, 0, NVVB_GEM_DOMAIN_SYSMEM, 0, &h), -EINVAL);
	CHECK_ERR(nv_gem_new(fd, nv_param(fd, NVVB_PARAM_MAX_BO_SIZE) + 1,
			     NVVB_GEM_DOMAIN_SYSMEM, 0, &h), -EINVAL);
	CHECK_ERR(nv_gem_new(fd, 4096, 0, 0, &h), -EINVAL);
	CHECK_ERR(nv_gem_new(fd, 4096, 3, 0, &h), -EINVAL);
	CHECK_ERR(nv_gem_new(fd, 4096, 4, 0, &h), -EINVAL);
	CHECK_ERR(nv_gem_new(fd, 4096, NVVB_GEM_DOMAIN_SYSMEM, 2, &h), -EINVAL);
	/* NO_SHARE needs the VM it shares the reservation of */
	CHECK_ERR(nv_gem_new(fd, 4096, NVVB_GEM_DOMAIN_SYSMEM,
			     NVVB_GEM_NO_SHARE, &h), -EINVAL);
	g = (struct drm_nvvb_gem_new){ .size = 4096,
		.domain = NVVB_GEM_DOMAIN_SYSMEM, .pad = 1 };
	CHECK_ERR(nv_ioctl(fd, DRM_IOCTL_NVVB_GEM_NEW, &g), -EINVAL);
	CHECK_OK(nv_gem_new(fd, 4096, NVVB_GEM_DOMAIN_SYSMEM, 0, &s));
	CHECK_ERR(nv_gem_evict(fd, s), -EINVAL);	/* not a VRAM BO */
	CHECK_ERR(nv_gem_evict(fd, 777), -ENOENT);
	ev.handle = s;
	ev.pad = 1;
	CHECK_ERR(nv_ioctl(fd, DRM_IOCTL_NVVB_GEM_EVICT, &ev), -EINVAL);
	CHECK_ERR(nv_gem_close(fd, 777), -EINVAL);
	/* more than the VRAM left for BOs */
	if (nv_param(fd, NVVB_PARAM_VRAM_AVAIL) <
	    nv_param(fd, NVVB_PARAM_MAX_BO_SIZE))
		CHECK_ERR(nv_gem_new(fd, nv_param(fd, NVVB_PARAM_MAX_BO_SIZE),
				     NVVB_GEM_DOMAIN_VRAM, 0, &h), -ENOMEM);
}

static void t_gem_no_share(long arg)
{
	int fd = open_vm(), dmabuf;
	uint32_t h, s;

	CHECK(fd >= 0);
	CHECK_OK(nv_gem_new(fd, 64 * KiB, NVVB_GEM_DOMAIN_SYSMEM,
			    NVVB_GEM_NO_SHARE, &h));
	CHECK_ERR(drmPrimeHandleToFD(fd, h, DRM_CLOEXEC, &dmabuf) ? -errno : 0,
		  -EPERM);
	CHECK_OK(nv_gem_new(fd, 64 * KiB, NVVB_GEM_DOMAIN_SYSMEM, 0, &s));
	CHECK_OK(drmPrimeHandleToFD(fd, s, DRM_CLOEXEC, &dmabuf) ? -errno : 0);
	close(dmabuf);
}

/* ---- VM_INIT ---- */

static void t_vm_init_rules(long arg)
{
	int fd = nv_open(), fd2 = nv_open();
	struct drm_nvvb_vm_bind_op op = nv_op_unmap(0x10000, 0x1000);
	struct drm_nvvb_exec_cmd c = nv_cmd_fill(0x10000, 4, 0);
	uint32_t h;

	CHECK(fd >= 0 && fd2 >= 0);
	/* VM_BIND and EXEC need VM_INIT (nouveau: -ENOSYS) */
	CHECK_ERR(nv_bind(fd, &op, 1, 0, NULL, 0, NULL, 0), -EOPNOTSUPP);
	CHECK_ERR(nv_exec(fd, &c, 1, 0, NULL, 0, NULL, 0), -EOPNOTSUPP);
	/* the reserved window: overflow, beyond 2^47, unaligned */
	CHECK_ERR(nv_vm_init(fd, ~0ULL - 0xfff, 0x2000), -EINVAL);
	CHECK_ERR(nv_vm_init(fd, NV_VA_END - 0x1000, 0x2000), -EINVAL);
	CHECK_ERR(nv_vm_init(fd, NV_VA_END, 0x1000), -EINVAL);
	CHECK_ERR(nv_vm_init(fd, 0x1800, 0x1000), -EINVAL);
	CHECK_ERR(nv_vm_init(fd, 0x1000, 0x800), -EINVAL);
	CHECK_OK(nv_vm_init(fd, NV_VA_END - 0x10000, 0x10000));
	CHECK_ERR(nv_vm_init(fd, 0, 0), -EEXIST);
	CHECK(nv_vm_id(fd) != ~0u);
	/* after a BO, VM_INIT is refused (nouveau: -ENOSYS) */
	CHECK_OK(nv_gem_new(fd2, 4096, NVVB_GEM_DOMAIN_SYSMEM, 0, &h));
	CHECK_ERR(nv_vm_init(fd2, 0, 0), -EOPNOTSUPP);
	CHECK_ERR(nv_bind(fd2, &op, 1, 0, NULL, 0, NULL, 0), -EOPNOTSUPP);
}

static void t_vm_kernel_window(long arg)
{
	int fd = nv_open();
	uint64_t k = 0x800000000ULL, ks = 0x100000000ULL;	/* 32G..36G */
	struct nv_dump d;
	uint32_t h;

	CHECK(fd >= 0);
	CHECK_OK(nv_vm_init(fd, k, ks));
	CHECK_OK(nv_gem_new(fd, 64 * KiB, NVVB_GEM_DOMAIN_SYSMEM, 0, &h));
	CHECK_ERR(nv_map(fd, h, k, 0, 0x1000), -EINVAL);
	CHECK_ERR(nv_map(fd, h, k + ks - 0x1000, 0, 0x1000), -EINVAL);
	CHECK_ERR(nv_map(fd, h, k - 0x1000, 0, 0x2000), -EINVAL);
	CHECK_ERR(nv_sparse(fd, k - 0x10000, 0x20000), -EINVAL);
	CHECK_ERR(nv_unmap(fd, k, 0x1000), -EINVAL);
	/* touching the window's edges is fine */
	CHECK_OK(nv_map(fd, h, k - 0x10000, 0, 0x10000));
	CHECK_OK(nv_map(fd, h, k + ks, 0, 0x10000));
	CHECK_OK(nv_dump_vm(fd, nv_vm_id(fd), &d));
	CHECK(d.kaddr == k && d.ksize == ks && d.nmaps == 2);
	/* and the last page of the VA space */
	CHECK_OK(nv_map(fd, h, NV_VA_END - 0x1000, 0, 0x1000));
	CHECK_ERR(nv_map(fd, h, NV_VA_END, 0, 0x1000), -EINVAL);
}

static void t_vm_exhaustion(long arg)
{
	int fds[80], n = 0, i, ret = 0;

	/* the device has NVVB_MAX_VMS contexts; the next VM_INIT fails */
	for (n = 0; n < 80; n++) {
		fds[n] = nv_open();
		CHECK(fds[n] >= 0);
		ret = nv_vm_init(fds[n], 0, 0);
		if (ret)
			break;
	}
	CHECKF(ret == -ENOSPC && n >= 1 && n <= 64,
	       "VM_INIT %d: %d (%s)", n, ret, strerror(-ret));
	close(fds[0]);
	CHECK_OK(nv_vm_init(fds[n], 0, 0));	/* a freed id is reused */
	for (i = 1; i <= n; i++)
		close(fds[i]);
}

/* ---- the 15 split/merge cases ---- */

struct m {
	char bo;		/* 'a' or 'b' */
	int start, end, off;	/* units */
};

struct split_case {
	struct m old[2];
	int nold;
	struct m req;
	struct m exp[3];
	int nexp;
};

/* drm_gpuvm.c "DOC: Split and Merge", n = 1, m = 2 units */
static const struct split_case split_cases[15] = {
	{ { { 'a', 0, 1, 1 } }, 1, { 'a', 0, 1, 1 }, { { 'a', 0, 1, 1 } }, 1 },
	{ { { 'a', 0, 1, 1 } }, 1, { 'a', 0, 1, 2 }, { { 'a', 0, 1, 2 } }, 1 },
	{ { { 'a', 0, 1, 1 } }, 1, { 'b', 0, 1, 1 }, { { 'b', 0, 1, 1 } }, 1 },
	{ { { 'a', 0, 1, 1 } }, 1, { 'a', 0, 2, 1 }, { { 'a', 0, 2, 1 } }, 1 },
	{ { { 'a', 0, 2, 1 } }, 1, { 'b', 0, 1, 1 },
	  { { 'b', 0, 1, 1 }, { 'a', 1, 2, 2 } }, 2 },
	{ { { 'a', 0, 2, 1 } }, 1, { 'a', 0, 1, 1 },
	  { { 'a', 0, 1, 1 }, { 'a', 1, 2, 2 } }, 2 },
	{ { { 'a', 0, 2, 1 } }, 1, { 'b', 1, 2, 2 },
	  { { 'a', 0, 1, 1 }, { 'b', 1, 2, 2 } }, 2 },
	{ { { 'a', 0, 2, 1 } }, 1, { 'a', 1, 2, 2 },
	  { { 'a', 0, 1, 1 }, { 'a', 1, 2, 2 } }, 2 },
	{ { { 'a', 0, 2, 1 } }, 1, { 'b', 1, 3, 2 },
	  { { 'a', 0, 1, 1 }, { 'b', 1, 3, 2 } }, 2 },
	{ { { 'a', 0, 2, 1 } }, 1, { 'a', 1, 3, 2 },
	  { { 'a', 0, 1, 1 }, { 'a', 1, 3, 2 } }, 2 },
	{ { { 'a', 0, 3, 1 } }, 1, { 'b', 1, 2, 2 },
	  { { 'a', 0, 1, 1 }, { 'b', 1, 2, 2 }, { 'a', 2, 3, 3 } }, 3 },
	{ { { 'a', 0, 3, 1 } }, 1, { 'a', 1, 2, 2 },
	  { { 'a', 0, 1, 1 }, { 'a', 1, 2, 2 }, { 'a', 2, 3, 3 } }, 3 },
	{ { { 'a', 1, 2, 2 } }, 1, { 'a', 0, 2, 1 }, { { 'a', 0, 2, 1 } }, 1 },
	{ { { 'a', 1, 2, 2 } }, 1, { 'a', 0, 3, 1 }, { { 'a', 0, 3, 1 } }, 1 },
	/* the DOC's diagram says n+2 for a'; drm_gpuvm's code gives n+1 */
	{ { { 'a', 1, 3, 1 } }, 1, { 'b', 0, 2, 2 },
	  { { 'b', 0, 2, 2 }, { 'a', 2, 3, 2 } }, 2 },
};

#define CASE_UNITS 4
#define BO_UNITS 5

struct case_ctx {
	int fd;
	uint32_t vm;
	uint32_t a, b, rb;
	uint32_t *rbp;
};

static bool case_setup(struct case_ctx *c)
{
	c->fd = open_vm();
	if (c->fd < 0)
		return false;
	c->vm = nv_vm_id(c->fd);
	/* one system-memory and one VRAM BO: both backings in every case */
	c->a = tagged_bo(c->fd, BO_UNITS * U, NVVB_GEM_DOMAIN_SYSMEM,
			 0xa0000000, NULL);
	c->b = tagged_bo(c->fd, BO_UNITS * U, NVVB_GEM_DOMAIN_VRAM,
			 0xb0000000, NULL);
	c->rb = tagged_bo(c->fd, CASE_UNITS * U, NVVB_GEM_DOMAIN_SYSMEM, 0,
			  &c->rbp);
	return c->a && c->b && c->rb &&
	       !nv_map(c->fd, c->rb, VA_RB, 0, CASE_UNITS * U);
}

static int case_map(struct case_ctx *c, const struct m *m)
{
	return nv_map(c->fd, m->bo == 'a' ? c->a : c->b,
		      VA_CASE + m->start * U, m->off * U,
		      (m->end - m->start) * U);
}

/*
 * The VA space must be exactly @exp (plus the readback mapping) in the
 * driver's drm_gpuvm, and the device must translate every unit of it to
 * the right BO page and fault on every other unit.
 */
static bool case_verify(struct case_ctx *c, const struct m *exp, int n,
			char *why, size_t wlen)
{
	struct nv_dump *d = malloc(sizeof(*d));
	int i, u, k, got = 0, ret;
	int64_t bad;
	bool ok = false;

	if (nv_dump_vm(c->fd, c->vm, d)) {
		snprintf(why, wlen, "VM %u not in debugfs", c->vm);
		goto out;
	}
	for (i = 0; i < d->nmaps; i++) {
		const struct nv_dump_map *dm = &d->maps[i];
		const struct m *e;

		if (dm->va == VA_RB)
			continue;
		if (got >= n) {
			snprintf(why, wlen, "extra mapping va 0x%" PRIx64, dm->va);
			goto out;
		}
		e = &exp[got++];
		if (dm->va != VA_CASE + e->start * U ||
		    dm->range != (uint64_t)(e->end - e->start) * U ||
		    dm->offset != (uint64_t)e->off * U ||
		    dm->bo != nv_bo_id(c->fd, e->bo == 'a' ? c->a : c->b)) {
			snprintf(why, wlen, "mapping %d is va 0x%" PRIx64
				 " range 0x%" PRIx64 " bo %u off 0x%" PRIx64
				 ", want %c [%d,%d) off %d", got - 1, dm->va,
				 dm->range, dm->bo, dm->offset, e->bo,
				 e->start, e->end, e->off);
			goto out;
		}
	}
	if (got != n) {
		snprintf(why, wlen, "%d mappings, want %d", got, n);
		goto out;
	}
	/* through the device: read each unit with the copy engine */
	for (u = 0; u < CASE_UNITS; u++) {
		struct drm_nvvb_exec_cmd cmd = nv_cmd_copy(VA_CASE + u * U,
							   VA_RB, U);
		const struct m *e = NULL;

		for (k = 0; k < n; k++)
			if (u >= exp[k].start && u < exp[k].end)
				e = &exp[k];
		memset(c->rbp, 0x55, U);
		ret = nv_exec(c->fd, &cmd, 1, 0, NULL, 0, NULL, 0);
		if (!e) {
			if (ret != -EFAULT) {
				snprintf(why, wlen, "unit %d is a hole but the copy gave %d",
					 u, ret);
				goto out;
			}
			continue;
		}
		if (ret) {
			snprintf(why, wlen, "unit %d: copy %d", u, ret);
			goto out;
		}
		bad = first_bad_word(c->rbp, U,
				     (e->bo == 'a' ? 0xa0000000 : 0xb0000000) |
				     (uint32_t)(e->off + u - e->start));
		if (bad >= 0) {
			snprintf(why, wlen, "unit %d byte 0x%" PRIx64 " reads 0x%08x, want %c page %d",
				 u, (uint64_t)bad * 4, c->rbp[bad], e->bo,
				 e->off + u - e->start);
			goto out;
		}
	}
	ok = true;
out:
	free(d);
	return ok;
}

static void t_split(long i)
{
	const struct split_case *sc = &split_cases[i];
	struct case_ctx c;
	char why[512];
	int k;

	CHECK(case_setup(&c));
	for (k = 0; k < sc->nold; k++)
		CHECK_OK(case_map(&c, &sc->old[k]));
	CHECKF(case_verify(&c, sc->old, sc->nold, why, sizeof(why)),
	       "before: %s", why);
	CHECK_OK(case_map(&c, &sc->req));
	CHECKF(case_verify(&c, sc->exp, sc->nexp, why, sizeof(why)),
	       "after: %s", why);
	/* and unmapping the request's range leaves only what stuck out */
	CHECK_OK(nv_unmap(c.fd, VA_CASE + sc->req.start * U,
			  (sc->req.end - sc->req.start) * U));
	{
		struct m rest[3];
		int nrest = 0;

		for (k = 0; k < sc->nexp; k++)
			if (sc->exp[k].start != sc->req.start)
				rest[nrest++] = sc->exp[k];
		CHECKF(case_verify(&c, rest, nrest, why, sizeof(why)),
		       "after unmap: %s", why);
	}
}

/* sm_unmap: a partial unmap splits the mappings at both ends */
static void t_unmap_split(long arg)
{
	struct case_ctx c;
	char why[512];
	const struct m before[] = { { 'a', 0, 2, 0 }, { 'b', 2, 4, 1 } };
	const struct m after[] = { { 'a', 0, 1, 0 }, { 'b', 3, 4, 2 } };

	CHECK(case_setup(&c));
	CHECK_OK(case_map(&c, &before[0]));
	CHECK_OK(case_map(&c, &before[1]));
	CHECKF(case_verify(&c, before, 2, why, sizeof(why)), "%s", why);
	CHECK_OK(nv_unmap(c.fd, VA_CASE + U, 2 * U));
	CHECKF(case_verify(&c, after, 2, why, sizeof(why)), "%s", why);
	/* unmapping a hole succeeds and changes nothing */
	CHECK_OK(nv_unmap(c.fd, VA_CASE + U, 2 * U));
	CHECK_OK(nv_unmap(c.fd, 0x700000000ULL, 1 * GiB));
	CHECKF(case_verify(&c, after, 2, why, sizeof(why)), "%s", why);
}

/* Several operations in one job, applied in order. */
static void t_multi_op_job(long arg)
{
	struct case_ctx c;
	char why[512];
	struct drm_nvvb_vm_bind_op ops[4];
	const struct m exp[] = { { 'b', 0, 1, 3 }, { 'a', 1, 3, 1 } };

	CHECK(case_setup(&c));
	ops[0] = nv_op_map(c.a, VA_CASE, 0, 3 * U, 0);
	ops[1] = nv_op_unmap(VA_CASE, 1 * U);
	ops[2] = nv_op_map(c.b, VA_CASE, 3 * U, 1 * U, 0);
	ops[3] = nv_op_map(c.a, VA_CASE + U, 1 * U, 2 * U, 0);
	CHECK_OK(nv_bind(c.fd, ops, 4, 0, NULL, 0, NULL, 0));
	CHECKF(case_verify(&c, exp, 2, why, sizeof(why)), "%s", why);
}

/* A job that fails changes nothing, even after ops that were fine. */
static void t_failed_job_atomic(long arg)
{
	int64_t errs0 = -1;
	struct case_ctx c;
	char why[512];
	struct drm_nvvb_vm_bind_op ops[3];
	const struct m exp[] = { { 'a', 0, 2, 0 } };

	CHECK(case_setup(&c));
	errs0 = dev_errors(c.fd);
	CHECK_OK(case_map(&c, &exp[0]));
	ops[0] = nv_op_unmap(VA_CASE, 2 * U);
	ops[1] = nv_op_map(c.b, VA_CASE + U, 0, U, 0);
	ops[2] = nv_op_map(c.b, VA_CASE + 2 * U, 0x800, U, 0);	/* bad */
	CHECK_ERR(nv_bind(c.fd, ops, 3, 0, NULL, 0, NULL, 0), -EINVAL);
	ops[2] = nv_op_map(999, VA_CASE + 2 * U, 0, U, 0);
	CHECK_ERR(nv_bind(c.fd, ops, 3, 0, NULL, 0, NULL, 0), -ENOENT);
	ops[2] = nv_op_sparse(VA_CASE + U, U);	/* overlaps ops[1] */
	CHECK_ERR(nv_bind(c.fd, ops, 3, 0, NULL, 0, NULL, 0), -ENOSPC);
	CHECKF(case_verify(&c, exp, 1, why, sizeof(why)), "%s", why);
	CHECKF(dev_errors(c.fd) == errs0, "the device refused %" PRId64
	       " bind descriptors", dev_errors(c.fd) - errs0);
}

/* Write @v to nvvb's module parameter @name; false if it cannot. */
static bool set_param(const char *name, unsigned int v)
{
	char path[128], buf[16];
	int fd, n, ok;

	snprintf(path, sizeof(path), "/sys/module/nvvb/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	n = snprintf(buf, sizeof(buf), "%u", v);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok;
}

/*
 * A MAP into the middle of a mapping records a REMAP (the old mapping,
 * copied, and its two remaining pieces) and a MAP, four allocations: each
 * failing in turn (x_fail_step) fails the bind with -ENOMEM and leaves the
 * VA space as it was, in the driver and on the device.
 */
static void t_failed_step_atomic(long arg)
{
	const struct m old[] = { { 'a', 0, 3, 1 } };
	const struct m split[] = {
		{ 'a', 0, 1, 1 }, { 'b', 1, 2, 2 }, { 'a', 2, 3, 3 },
	};
	struct drm_nvvb_vm_bind_op op;
	int64_t errs0 = -1;
	struct case_ctx c;
	char why[512];
	unsigned int k;
	int ret;

	CHECK(case_setup(&c));
	errs0 = dev_errors(c.fd);
	CHECK_OK(case_map(&c, &old[0]));
	op = nv_op_map(c.b, VA_CASE + U, 2 * U, U, 0);
	for (k = 1; k <= 4; k++) {
		CHECKF(set_param("x_fail_step", k), "x_fail_step: %s",
		       strerror(errno));
		ret = nv_bind(c.fd, &op, 1, 0, NULL, 0, NULL, 0);
		set_param("x_fail_step", 0);
		CHECKF(ret == -ENOMEM, "allocation %u failed: bind returned %d",
		       k, ret);
		CHECKF(case_verify(&c, old, 1, why, sizeof(why)),
		       "after allocation %u failed: %s", k, why);
	}
	CHECK_OK(nv_bind(c.fd, &op, 1, 0, NULL, 0, NULL, 0));
	CHECKF(case_verify(&c, split, 3, why, sizeof(why)), "%s", why);
	CHECKF(dev_errors(c.fd) == errs0, "the device refused %" PRId64
	       " bind descriptors", dev_errors(c.fd) - errs0);
}

/* MAP flags reach the VA state; a write to a READ_ONLY mapping faults. */
static void t_map_flags(long arg)
{
	struct case_ctx c;
	struct drm_nvvb_vm_bind_op op;
	struct drm_nvvb_exec_cmd cmd;
	struct nv_dump d;
	int i, found = 0;

	CHECK(case_setup(&c));
	op = nv_op_map(c.a, VA_CASE, 0, U, NVVB_VM_BIND_READ_ONLY | 0x06);
	CHECK_OK(nv_bind(c.fd, &op, 1, 0, NULL, 0, NULL, 0));
	op = nv_op_map(c.a, VA_CASE + U, U, U,
		       NVVB_VM_BIND_PRIV | NVVB_VM_BIND_NO_ATOMIC);
	CHECK_OK(nv_bind(c.fd, &op, 1, 0, NULL, 0, NULL, 0));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	for (i = 0; i < d.nmaps; i++) {
		if (d.maps[i].va == VA_CASE)
			found += d.maps[i].flags ==
				 (NVVB_VM_BIND_READ_ONLY | 0x06);
		if (d.maps[i].va == VA_CASE + U)
			found += d.maps[i].flags ==
				 (NVVB_VM_BIND_PRIV | NVVB_VM_BIND_NO_ATOMIC);
	}
	CHECK(found == 2);
	cmd = nv_cmd_copy(VA_CASE, VA_RB, U);		/* reading is fine */
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(words_are(c.rbp, U, 0xa0000000));
	cmd = nv_cmd_fill(VA_CASE, 16, 0);		/* writing faults */
	CHECK_ERR(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0), -EFAULT);
	/* splitting keeps the flags */
	CHECK_OK(nv_unmap(c.fd, VA_CASE + 0x1000, 0x1000));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.maps[0].va == VA_CASE && d.maps[1].va == VA_CASE + 0x2000);
	CHECK(d.maps[0].flags == (NVVB_VM_BIND_READ_ONLY | 0x06) &&
	      d.maps[1].flags == (NVVB_VM_BIND_READ_ONLY | 0x06));
}

/* ---- sparse regions ---- */

static void t_sparse_basic(long arg)
{
	struct case_ctx c;
	struct drm_nvvb_exec_cmd cmd;
	struct nv_dump d;
	uint64_t r = VA_REG, rs = 16 * U;

	CHECK(case_setup(&c));
	CHECK_OK(nv_sparse(c.fd, r, rs));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.nregions == 1 && d.regions[0].va == r &&
	      d.regions[0].range == rs);
	/* sparse reads as zeroes and swallows writes, without faults */
	cmd = nv_cmd_copy(r + U, VA_RB, U);
	memset(c.rbp, 0x55, U);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(bytes_are(c.rbp, U, 0));
	cmd = nv_cmd_fill(r, 2 * U, 0xdeadbeef);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	/* a mapping inside takes precedence */
	CHECK_OK(nv_map(c.fd, c.a, r + 2 * U, U, 2 * U));
	cmd = nv_cmd_copy(r + 3 * U, VA_RB, U);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(words_are(c.rbp, U, 0xa0000002));
	/* unmapping it makes the range sparse again, not a hole */
	CHECK_OK(nv_unmap(c.fd, r + 2 * U, 2 * U));
	memset(c.rbp, 0x55, U);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(bytes_are(c.rbp, U, 0));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.nregions == 1 && d.nmaps == 1);
	/* a plain unmap leaves the region */
	CHECK_OK(nv_unmap(c.fd, r, rs));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.nregions == 1);
	/* destroying it: then the range is a hole */
	CHECK_OK(nv_unsparse(c.fd, r, rs));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.nregions == 0);
	CHECK_ERR(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0), -EFAULT);
}

static void t_sparse_rules(long arg)
{
	int64_t errs0 = -1;
	struct case_ctx c;
	struct nv_dump d;
	uint32_t big;
	uint64_t r = VA_REG, rs = 16 * U;

	CHECK(case_setup(&c));
	errs0 = dev_errors(c.fd);
	CHECK_OK(nv_sparse(c.fd, r, rs));
	/* MAP must be wholly inside a region or outside all: -ENOSPC */
	CHECK_ERR(nv_map(c.fd, c.a, r - U, 0, 2 * U), -ENOSPC);
	CHECK_ERR(nv_map(c.fd, c.a, r + rs - U, 0, 2 * U), -ENOSPC);
	CHECK_OK(nv_gem_new(c.fd, 2 * MiB, NVVB_GEM_DOMAIN_SYSMEM, 0, &big));
	CHECK_ERR(nv_map(c.fd, big, r - U, 0, rs + 2 * U), -ENOSPC);
	CHECK_OK(nv_map(c.fd, c.a, r, 0, U));
	CHECK_OK(nv_map(c.fd, c.a, r + rs - U, 0, U));
	CHECK_OK(nv_map(c.fd, c.a, r - U, 0, U));
	/* regions cannot overlap regions or mappings: -ENOSPC */
	CHECK_ERR(nv_sparse(c.fd, r + U, U), -ENOSPC);
	CHECK_ERR(nv_sparse(c.fd, r - 2 * U, 4 * U), -ENOSPC);
	CHECK_ERR(nv_sparse(c.fd, r - U, U), -ENOSPC);	/* mapped */
	CHECK_OK(nv_sparse(c.fd, r + rs, U));		/* adjacent */
	/* UNMAP+SPARSE must name a region exactly: -ENOENT */
	CHECK_ERR(nv_unsparse(c.fd, r, rs - U), -ENOENT);
	CHECK_ERR(nv_unsparse(c.fd, r + U, rs - U), -ENOENT);
	CHECK_ERR(nv_unsparse(c.fd, r, rs + U), -ENOENT);
	CHECK_ERR(nv_unsparse(c.fd, VA_REG + 1 * GiB, U), -ENOENT);
	/* a plain UNMAP may span regions and the space between them */
	CHECK_OK(nv_unmap(c.fd, r - U, rs + 2 * U));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.nregions == 2 && d.nmaps == 1);		/* + readback */
	/* destroying a region unmaps what is in it */
	CHECK_OK(nv_map(c.fd, c.b, r + 4 * U, 0, 3 * U));
	CHECK_OK(nv_unsparse(c.fd, r, rs));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.nregions == 1 && d.nmaps == 1);
	CHECKF(dev_errors(c.fd) == errs0, "the device refused %" PRId64
	       " bind descriptors", dev_errors(c.fd) - errs0);
}

/* nouveau's rules for ops of one job (its "dirty" regions). */
static void t_sparse_same_job(long arg)
{
	int64_t errs0 = -1;
	struct case_ctx c;
	struct drm_nvvb_vm_bind_op ops[2];
	struct nv_dump d;
	uint64_t r = VA_REG, rs = 16 * U;

	CHECK(case_setup(&c));
	errs0 = dev_errors(c.fd);
	CHECK_OK(nv_sparse(c.fd, r, rs));
	/*
	 * destroy, then re-create in one job: the new region is checked
	 * against the regions before the job, -ENOSPC (as in nouveau)
	 */
	ops[0] = nv_op_unsparse(r, rs);
	ops[1] = nv_op_sparse(r, rs);
	CHECK_ERR(nv_bind(c.fd, ops, 2, 0, NULL, 0, NULL, 0), -ENOSPC);
	/* destroy, then map into it in one job: -EINVAL */
	ops[1] = nv_op_map(c.a, r, 0, U, 0);
	CHECK_ERR(nv_bind(c.fd, ops, 2, 0, NULL, 0, NULL, 0), -EINVAL);
	/* destroying twice: -ENOENT */
	ops[1] = nv_op_unsparse(r, rs);
	CHECK_ERR(nv_bind(c.fd, ops, 2, 0, NULL, 0, NULL, 0), -ENOENT);
	/* two overlapping new regions in one job: -EEXIST */
	ops[0] = nv_op_sparse(VA_REG + GiB, rs);
	ops[1] = nv_op_sparse(VA_REG + GiB + U, rs);
	CHECK_ERR(nv_bind(c.fd, ops, 2, 0, NULL, 0, NULL, 0), -EEXIST);
	/* a region and a mapping in it, in one job */
	ops[1] = nv_op_map(c.a, VA_REG + GiB + U, 0, U, 0);
	CHECK_OK(nv_bind(c.fd, ops, 2, 0, NULL, 0, NULL, 0));
	/* ... and one sticking out of a region made in the same job */
	ops[0] = nv_op_sparse(VA_REG + 2 * GiB, rs);
	ops[1] = nv_op_map(c.a, VA_REG + 2 * GiB + rs - U, 0, 2 * U, 0);
	CHECK_ERR(nv_bind(c.fd, ops, 2, 0, NULL, 0, NULL, 0), -ENOSPC);
	/* destroy then re-create in two jobs is fine */
	CHECK_OK(nv_unsparse(c.fd, r, rs));
	CHECK_OK(nv_sparse(c.fd, r, rs));
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));
	CHECK(d.nregions == 2 && d.nmaps == 2);
	CHECKF(dev_errors(c.fd) == errs0, "the device refused %" PRId64
	       " bind descriptors", dev_errors(c.fd) - errs0);
}

/* ---- VM_BIND error paths ---- */

enum { E_HANDLE = 1, E_BIGSYNC, E_BADPTR, E_SYNCPTR };

struct bind_err {
	const char *name;
	struct drm_nvvb_vm_bind_op op;
	uint32_t flags;		/* VM_BIND flags */
	int special;
	int want;
};

#define H_A 0x7fffffff		/* replaced by a real 1 MiB BO */

static const struct bind_err bind_errs[] = {
	{ "bad handle", { .op = 0, .handle = 4242, .addr = 0x100000,
	  .range = 0x1000 }, 0, 0, -ENOENT },
	{ "unknown op", { .op = 2, .handle = H_A, .addr = 0x100000,
	  .range = 0x1000 }, 0, 0, -EINVAL },
	{ "unknown op flag", { .op = 0, .flags = 1 << 12, .handle = H_A,
	  .addr = 0x100000, .range = 0x1000 }, 0, 0, -EINVAL },
	{ "flags on unmap", { .op = 1, .flags = NVVB_VM_BIND_READ_ONLY,
	  .addr = 0x100000, .range = 0x1000 }, 0, 0, -EINVAL },
	{ "pad not zero", { .op = 0, .handle = H_A, .pad = 1,
	  .addr = 0x100000, .range = 0x1000 }, 0, 0, -EINVAL },
	{ "addr unaligned", { .op = 0, .handle = H_A, .addr = 0x100800,
	  .range = 0x1000 }, 0, 0, -EINVAL },
	{ "range unaligned", { .op = 0, .handle = H_A, .addr = 0x100000,
	  .range = 0x1800 }, 0, 0, -EINVAL },
	{ "bo_offset unaligned", { .op = 0, .handle = H_A, .addr = 0x100000,
	  .bo_offset = 0x10, .range = 0x1000 }, 0, 0, -EINVAL },
	{ "range zero", { .op = 0, .handle = H_A, .addr = 0x100000,
	  .range = 0 }, 0, 0, -EINVAL },
	{ "unmap range zero", { .op = 1, .addr = 0x100000, .range = 0 },
	  0, 0, -EINVAL },
	{ "addr + range overflows", { .op = 1, .addr = 0xfffffffffffff000ULL,
	  .range = 0x2000 }, 0, 0, -EINVAL },
	{ "beyond 2^47", { .op = 0, .handle = H_A, .addr = NV_VA_END - 0x1000,
	  .range = 0x2000 }, 0, 0, -EINVAL },
	{ "sparse beyond 2^47", { .op = 0, .flags = NVVB_VM_BIND_SPARSE,
	  .addr = NV_VA_END, .range = 0x10000 }, 0, 0, -EINVAL },
	{ "bo_offset at the end", { .op = 0, .handle = H_A,
	  .addr = 0x100000, .bo_offset = 1 * MiB, .range = 0x1000 }, 0, 0,
	  -EINVAL },
	{ "range past the BO", { .op = 0, .handle = H_A, .addr = 0x100000,
	  .bo_offset = 1 * MiB - 0x1000, .range = 0x2000 }, 0, 0, -EINVAL },
	{ "range larger than the BO", { .op = 0, .handle = H_A,
	  .addr = 0x100000, .range = 2 * MiB }, 0, 0, -EINVAL },
	{ "offset + range overflows", { .op = 0, .handle = H_A,
	  .addr = 0x100000, .bo_offset = 0x1000,
	  .range = 0xfffffffffffff000ULL }, 0, 0, -EINVAL },
	{ "unknown bind flag", { .op = 1, .addr = 0x100000, .range = 0x1000 },
	  2, 0, -EINVAL },
	{ "too many ops", { .op = 1, .addr = 0x100000, .range = 0x1000 },
	  0, E_HANDLE, -EINVAL },
	{ "sync bind with a signal", { .op = 1, .addr = 0x100000,
	  .range = 0x1000 }, 0, E_BIGSYNC, -EINVAL },
	{ "bad op pointer", { .op = 1, .addr = 0x100000, .range = 0x1000 },
	  0, E_BADPTR, -EFAULT },
	{ "bad sync pointer", { .op = 1, .addr = 0x100000, .range = 0x1000 },
	  NVVB_VM_BIND_RUN_ASYNC, E_SYNCPTR, -EFAULT },
};

static void t_bind_error(long i)
{
	const struct bind_err *e = &bind_errs[i];
	struct drm_nvvb_vm_bind_op op = e->op;
	struct drm_nvvb_sync s = nv_sync(1);
	struct drm_nvvb_vm_bind a = { .op_count = 1, .flags = e->flags,
		.op_ptr = (uintptr_t)&op };
	int fd = open_vm();
	struct nv_dump d;
	uint32_t h;

	CHECK(fd >= 0);
	CHECK_OK(nv_gem_new(fd, 1 * MiB, NVVB_GEM_DOMAIN_SYSMEM, 0, &h));
	if (op.handle == H_A)
		op.handle = h;
	switch (e->special) {
	case E_HANDLE:
		a.op_count = nv_param(fd, NVVB_PARAM_MAX_BIND_OPS) + 1;
		break;
	case E_BIGSYNC:
		a.sig_count = 1;
		a.sig_ptr = (uintptr_t)&s;
		break;
	case E_BADPTR:
		a.op_ptr = 16;
		break;
	case E_SYNCPTR:
		a.wait_count = 1;
		a.wait_ptr = 16;
		break;
	}
	CHECK_ERR(nv_ioctl(fd, DRM_IOCTL_NVVB_VM_BIND, &a), e->want);
	CHECK_OK(nv_dump_vm(fd, nv_vm_id(fd), &d));
	CHECK(d.nmaps == 0 && d.nregions == 0);
}

/* Sync objects that are not there, or of unknown types. */
static void t_sync_errors(long arg)
{
	int fd = open_vm();
	struct drm_nvvb_vm_bind_op op = nv_op_unmap(0x100000, 0x1000);
	struct drm_nvvb_exec_cmd c = nv_cmd_fill(0x100000, 4, 0);
	struct drm_nvvb_sync s, many[65];
	uint32_t bin, tl;
	const uint32_t A = NVVB_VM_BIND_RUN_ASYNC;
	int i;

	CHECK(fd >= 0);
	CHECK_OK(drmSyncobjCreate(fd, 0, &bin));
	CHECK_OK(drmSyncobjCreate(fd, 0, &tl));
	s = nv_sync(4242);
	CHECK_ERR(nv_bind(fd, &op, 1, A, &s, 1, NULL, 0), -ENOENT);
	CHECK_ERR(nv_bind(fd, &op, 1, A, NULL, 0, &s, 1), -ENOENT);
	CHECK_ERR(nv_exec(fd, &c, 1, A, &s, 1, NULL, 0), -ENOENT);
	s = nv_sync(bin);
	s.flags = 5;				/* unknown type */
	CHECK_ERR(nv_bind(fd, &op, 1, A, &s, 1, NULL, 0), -EOPNOTSUPP);
	CHECK_ERR(nv_bind(fd, &op, 1, A, NULL, 0, &s, 1), -EINVAL);
	s.flags = 0x100;			/* bits beyond the type */
	CHECK_ERR(nv_bind(fd, &op, 1, A, &s, 1, NULL, 0), -EINVAL);
	CHECK_ERR(nv_bind(fd, &op, 1, A, NULL, 0, &s, 1), -EINVAL);
	/* waiting for a syncobj that has no fence yet */
	s = nv_sync(bin);
	CHECK_ERR(nv_bind(fd, &op, 1, A, &s, 1, NULL, 0), -EINVAL);
	/* ... or a timeline point nothing has been submitted for */
	s = nv_sync_tl(tl, 10);
	CHECK_ERR(nv_bind(fd, &op, 1, A, &s, 1, NULL, 0), -EINVAL);
	/* syncs only with RUN_ASYNC */
	s = nv_sync(bin);
	CHECK_ERR(nv_bind(fd, &op, 1, 0, NULL, 0, &s, 1), -EINVAL);
	CHECK_ERR(nv_exec(fd, &c, 1, 0, NULL, 0, &s, 1), -EINVAL);
	for (i = 0; i < 65; i++)
		many[i] = nv_sync(bin);
	CHECK_ERR(nv_bind(fd, &op, 1, A, NULL, 0, many, 65), -EINVAL);
	CHECK_ERR(nv_exec(fd, &c, 1, A, many, 65, NULL, 0), -EINVAL);
	/* a signalled syncobj can be waited for */
	CHECK_OK(nv_bind(fd, &op, 1, A, NULL, 0, &s, 1));
	CHECK_OK(drmSyncobjWait(fd, &bin, 1, INT64_MAX, 0, NULL));
	CHECK_OK(nv_bind(fd, &op, 1, A, &s, 1, NULL, 0));
}

static void t_exec_errors(long arg)
{
	int fd = open_vm();
	struct drm_nvvb_exec_cmd c[2];
	struct drm_nvvb_exec a = { .cmd_count = 1, .cmd_ptr = 16 };
	uint64_t max;

	CHECK(fd >= 0);
	max = nv_param(fd, NVVB_PARAM_CE_MAX_LENGTH);
	CHECK(max);
	c[0] = nv_cmd_fill(0x100000, 4, 0);
	c[0].op = 7;
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_fill(0x100000, 0, 0);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_fill(0x100000, max + 1, 0);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_copy(0x100000, 0x200000, max + 1);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_fill(~0ULL - 8, 16, 0);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_fill(NV_VA_END - 8, 16, 0);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_copy(NV_VA_END - 8, 0x100000, 16);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_sem(0x100004, 1);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	c[0] = nv_cmd_sem(NV_VA_END, 1);
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EINVAL);
	/* a bad command anywhere refuses the whole job */
	c[0] = nv_cmd_fill(0x100000, 4, 0);
	c[1] = nv_cmd_fill(0x100000, 0, 0);
	CHECK_ERR(nv_exec(fd, c, 2, 0, NULL, 0, NULL, 0), -EINVAL);
	CHECK_ERR(nv_exec(fd, c, 0, 0, NULL, 0, NULL, 0), -EINVAL);
	CHECK_ERR(nv_exec(fd, c, nv_param(fd, NVVB_PARAM_MAX_EXEC_CMDS) + 1,
			  0, NULL, 0, NULL, 0), -EINVAL);
	CHECK_ERR(nv_exec(fd, c, 1, 2, NULL, 0, NULL, 0), -EINVAL);
	CHECK_ERR(nv_ioctl(fd, DRM_IOCTL_NVVB_EXEC, &a), -EFAULT);
	/* nothing mapped there: the device faults */
	CHECK_ERR(nv_exec(fd, c, 1, 0, NULL, 0, NULL, 0), -EFAULT);
}

/* ---- EXEC ---- */

struct exec_ctx {
	int fd;
	uint32_t s, v;			/* 1 MiB system memory, 1 MiB VRAM */
	uint8_t *sp, *vp;
};

#define VA_S 0x10000000ULL
#define VA_V 0x20000000ULL

static bool exec_setup(struct exec_ctx *c)
{
	c->fd = open_vm();
	if (c->fd < 0 ||
	    nv_gem_new(c->fd, MiB, NVVB_GEM_DOMAIN_SYSMEM, 0, &c->s) ||
	    nv_gem_new(c->fd, MiB, NVVB_GEM_DOMAIN_VRAM, 0, &c->v))
		return false;
	c->sp = nv_mmap(c->fd, c->s, MiB);
	c->vp = nv_mmap(c->fd, c->v, MiB);
	return c->sp && c->vp && !nv_map(c->fd, c->s, VA_S, 0, MiB) &&
	       !nv_map(c->fd, c->v, VA_V, 0, MiB);
}

static void t_exec_fill_copy(long arg)
{
	struct exec_ctx c;
	struct drm_nvvb_exec_cmd cmd[4];
	uint32_t i;

	CHECK(exec_setup(&c));
	cmd[0] = nv_cmd_fill(VA_S, MiB, 0x11223344);
	cmd[1] = nv_cmd_fill(VA_V, MiB / 2, 0xcafef00d);
	cmd[2] = nv_cmd_copy(VA_S + 4 * KiB, VA_V + 8 * KiB, 100 * KiB);
	/* a length that is not a multiple of 4, from an odd address */
	cmd[3] = nv_cmd_fill(VA_S + 3, 4099, 0xa1b2c3d4);
	CHECK_OK(nv_exec(c.fd, cmd, 4, 0, NULL, 0, NULL, 0));
	CHECK(words_are(c.sp + 8 * KiB, MiB - 8 * KiB, 0x11223344));
	for (i = 0; i < 4099; i++)
		CHECKF(c.sp[3 + i] == ((0xa1b2c3d4u >> (8 * (i % 4))) & 0xff),
		       "fill byte %u is 0x%02x", i, c.sp[3 + i]);
	CHECK(c.sp[0] == 0x44 && c.sp[1] == 0x33 && c.sp[2] == 0x22);
	CHECK(words_are(c.vp, 8 * KiB, 0xcafef00d));
	CHECK(words_are(c.vp + 8 * KiB, 100 * KiB, 0x11223344));
	CHECK(words_are(c.vp + 108 * KiB, MiB / 2 - 108 * KiB, 0xcafef00d));
	CHECK(words_are(c.vp + MiB / 2, MiB / 2, 0));
}

static void t_exec_large_copy(long arg)
{
	int fd = open_vm();
	uint64_t len = 8 * MiB, i;
	uint32_t a, v, b, *ap, *bp;
	struct drm_nvvb_exec_cmd cmd[2];

	CHECK(fd >= 0);
	CHECK_OK(nv_gem_new(fd, len, NVVB_GEM_DOMAIN_SYSMEM, 0, &a));
	CHECK_OK(nv_gem_new(fd, len, NVVB_GEM_DOMAIN_VRAM, 0, &v));
	CHECK_OK(nv_gem_new(fd, len, NVVB_GEM_DOMAIN_SYSMEM, 0, &b));
	ap = nv_mmap(fd, a, len);
	bp = nv_mmap(fd, b, len);
	CHECK(ap && bp);
	for (i = 0; i < len / 4; i++)
		ap[i] = (uint32_t)(i * 0x9e3779b9u);
	CHECK_OK(nv_map(fd, a, 1 * GiB, 0, len));
	CHECK_OK(nv_map(fd, v, 2 * GiB, 0, len));
	CHECK_OK(nv_map(fd, b, 3 * GiB, 0, len));
	cmd[0] = nv_cmd_copy(1 * GiB, 2 * GiB, len);
	cmd[1] = nv_cmd_copy(2 * GiB, 3 * GiB, len);
	CHECK_OK(nv_exec(fd, cmd, 2, 0, NULL, 0, NULL, 0));
	CHECK(!memcmp(ap, bp, len));
}

static void t_exec_semaphore(long arg)
{
	struct exec_ctx c;
	struct drm_nvvb_exec_cmd cmd[2];

	CHECK(exec_setup(&c));
	cmd[0] = nv_cmd_sem(VA_S + 8, 0x1122334455667788ULL);
	cmd[1] = nv_cmd_sem(VA_V + MiB - 8, 42);
	CHECK_OK(nv_exec(c.fd, cmd, 2, 0, NULL, 0, NULL, 0));
	CHECK(*(uint64_t *)(c.sp + 8) == 0x1122334455667788ULL);
	CHECK(*(uint64_t *)c.sp == 0 && *(uint64_t *)(c.sp + 16) == 0);
	CHECK(*(uint64_t *)(c.vp + MiB - 8) == 42);
}

static void t_exec_fault(long arg)
{
	struct exec_ctx c;
	struct drm_nvvb_exec_cmd cmd[2];
	int64_t before, after = -1;
	int i;

	CHECK(exec_setup(&c));
	before = nv_status(c.fd, "gpu_faults");
	/* the copy runs up to the first unmapped page, then faults */
	cmd[0] = nv_cmd_fill(VA_S + MiB - 8 * KiB, 16 * KiB, 0x77777777);
	CHECK_ERR(nv_exec(c.fd, cmd, 1, 0, NULL, 0, NULL, 0), -EFAULT);
	CHECK(words_are(c.sp + MiB - 8 * KiB, 8 * KiB, 0x77777777));
	/* commands after a faulting one in the same job still run */
	cmd[0] = nv_cmd_copy(0x7000000000ULL, VA_S, 4096);
	cmd[1] = nv_cmd_fill(VA_S, 4096, 0x12121212);
	CHECK_ERR(nv_exec(c.fd, cmd, 2, 0, NULL, 0, NULL, 0), -EFAULT);
	CHECK(words_are(c.sp, 4096, 0x12121212));
	for (i = 0; i < 100 && after < before + 2; i++) {
		after = nv_status(c.fd, "gpu_faults");
		usleep(10000);
	}
	CHECKF(after >= before + 2, "gpu_faults %" PRId64 " -> %" PRId64,
	       before, after);
}

static void t_exec_async(long arg)
{
	struct exec_ctx c;
	struct drm_nvvb_exec_cmd cmd;
	struct drm_nvvb_sync s;
	uint32_t so;
	int i;

	CHECK(exec_setup(&c));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &so));
	/* jobs of one file run in order without explicit dependencies */
	for (i = 0; i < 16; i++) {
		cmd = nv_cmd_fill(VA_S, MiB, 0x01010101u * i);
		CHECK_OK(nv_exec(c.fd, &cmd, 1, NVVB_EXEC_RUN_ASYNC, NULL, 0,
				 NULL, 0));
		cmd = nv_cmd_copy(VA_S, VA_V + i * 64 * KiB, 64 * KiB);
		CHECK_OK(nv_exec(c.fd, &cmd, 1, NVVB_EXEC_RUN_ASYNC, NULL, 0,
				 NULL, 0));
	}
	s = nv_sync(so);
	cmd = nv_cmd_sem(VA_S, 99);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, NVVB_EXEC_RUN_ASYNC, NULL, 0, &s, 1));
	CHECK_OK(drmSyncobjWait(c.fd, &so, 1, INT64_MAX, 0, NULL));
	for (i = 0; i < 16; i++)
		CHECKF(words_are(c.vp + i * 64 * KiB, 64 * KiB, 0x01010101u * i),
		       "slice %d", i);
	CHECK(*(uint64_t *)c.sp == 99);
}

/*
 * Jobs of 1024 ops, 6144 descriptors in all: the 4096-entry ring wraps, and
 * a job can be larger than the ring space left by the one before it.
 */
static void t_ring_wrap(long arg)
{
	int fd = open_vm(), i, j;
	struct drm_nvvb_vm_bind_op *ops = calloc(1024, sizeof(*ops));
	struct drm_nvvb_sync s;
	struct drm_nvvb_exec_cmd cmd;
	struct nv_dump *d = malloc(sizeof(*d));
	uint32_t bo, rb, tl, *rbp;
	uint64_t pt = 6;

	CHECK(fd >= 0 && ops && d);
	bo = tagged_bo(fd, 4 * MiB, NVVB_GEM_DOMAIN_SYSMEM, 0x70000000, NULL);
	rb = tagged_bo(fd, 4 * MiB, NVVB_GEM_DOMAIN_SYSMEM, 0, &rbp);
	CHECK(bo && rb);
	CHECK_OK(nv_map(fd, rb, VA_RB, 0, 4 * MiB));
	CHECK_OK(drmSyncobjCreate(fd, 0, &tl));
	for (j = 0; j < 6; j++) {
		for (i = 0; i < 1024; i++)
			ops[i] = nv_op_map(bo, VA_T + j * 4 * MiB + i * 4 * KiB,
					   i * 4 * KiB, 4 * KiB, 0);
		s = nv_sync_tl(tl, j + 1);
		CHECK_OK(nv_bind(fd, ops, 1024, NVVB_VM_BIND_RUN_ASYNC, NULL, 0,
				 &s, 1));
	}
	CHECK_OK(drmSyncobjTimelineWait(fd, &tl, &pt, 1, INT64_MAX,
					DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL));
	CHECK_OK(nv_dump_vm(fd, nv_vm_id(fd), d));
	CHECKF(d->nmaps == 6 * 1024 + 1, "%d mappings", d->nmaps);
	for (j = 0; j < 6; j += 5) {
		cmd = nv_cmd_copy(VA_T + j * 4 * MiB, VA_RB, 4 * MiB);
		memset(rbp, 0, 4 * MiB);
		CHECK_OK(nv_exec(fd, &cmd, 1, 0, NULL, 0, NULL, 0));
		for (i = 0; i < 64; i++)
			CHECKF(words_are((uint8_t *)rbp + i * U, U,
					 0x70000000 | i), "job %d unit %d", j, i);
	}
	CHECK_OK(nv_unmap(fd, VA_T, 24 * MiB));
	free(d);
	free(ops);
}

/* ---- async binds ---- */

static void t_async_binary(long arg)
{
	struct case_ctx c;
	struct drm_nvvb_vm_bind_op op;
	struct drm_nvvb_exec_cmd cmd = nv_cmd_copy(VA_CASE, VA_RB, U);
	struct drm_nvvb_sync s;
	uint32_t so;

	CHECK(case_setup(&c));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &so));
	s = nv_sync(so);
	op = nv_op_map(c.a, VA_CASE, 2 * U, U, 0);
	CHECK_OK(nv_bind(c.fd, &op, 1, NVVB_VM_BIND_RUN_ASYNC, NULL, 0, &s, 1));
	CHECK_OK(drmSyncobjWait(c.fd, &so, 1, INT64_MAX, 0, NULL));
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(words_are(c.rbp, U, 0xa0000002));
}

static void t_async_timeline(long arg)
{
	struct case_ctx c;
	struct drm_nvvb_vm_bind_op op;
	struct drm_nvvb_exec_cmd cmd = nv_cmd_copy(VA_CASE, VA_RB, U);
	struct drm_nvvb_sync w, s;
	uint32_t tl;
	uint64_t p = 3;
	const uint32_t A = NVVB_VM_BIND_RUN_ASYNC;

	CHECK(case_setup(&c));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &tl));
	op = nv_op_map(c.a, VA_CASE, 0, U, 0);
	s = nv_sync_tl(tl, 1);
	CHECK_OK(nv_bind(c.fd, &op, 1, A, NULL, 0, &s, 1));
	op = nv_op_unmap(VA_CASE, U);
	w = nv_sync_tl(tl, 1);
	s = nv_sync_tl(tl, 2);
	CHECK_OK(nv_bind(c.fd, &op, 1, A, &w, 1, &s, 1));
	op = nv_op_map(c.b, VA_CASE, 3 * U, U, 0);
	w = nv_sync_tl(tl, 2);
	s = nv_sync_tl(tl, 3);
	CHECK_OK(nv_bind(c.fd, &op, 1, A, &w, 1, &s, 1));
	CHECK_OK(drmSyncobjTimelineWait(c.fd, &tl, &p, 1, INT64_MAX,
					DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL));
	p = 0;
	CHECK_OK(drmSyncobjQuery(c.fd, &tl, &p, 1));
	CHECK(p == 3);
	/* EXEC waits for the last point, signals the next */
	w = nv_sync_tl(tl, 3);
	s = nv_sync_tl(tl, 4);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, NVVB_EXEC_RUN_ASYNC, &w, 1, &s, 1));
	p = 4;
	CHECK_OK(drmSyncobjTimelineWait(c.fd, &tl, &p, 1, INT64_MAX,
					DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL));
	CHECK(words_are(c.rbp, U, 0xb0000003));
}

/* vgem: fences user space signals, to make jobs wait */
struct vgem_fence_attach {
	uint32_t handle, flags, out_fence, pad;
};

struct vgem_fence_signal {
	uint32_t fence, flags;
};

#define VGEM_FENCE_WRITE 0x1
#define DRM_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define DRM_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

static int vgem_open(void)
{
	char path[64];
	int i;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;
		int f;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		if (v && !strcmp(v->name, "vgem")) {
			drmFreeVersion(v);
			return f;
		}
		if (v)
			drmFreeVersion(v);
		close(f);
	}
	return -ENODEV;
}

/* Put an unsignalled vgem fence into @syncobj of @fd; returns its id. */
static int vgem_fence(int vfd, int fd, uint32_t syncobj, uint32_t *fence)
{
	struct drm_mode_create_dumb cd = { .width = 32, .height = 32,
		.bpp = 32 };
	struct vgem_fence_attach at = { .flags = VGEM_FENCE_WRITE };
	struct dma_buf_export_sync_file es = { .flags = DMA_BUF_SYNC_READ,
		.fd = -1 };
	int dmabuf, ret;

	ret = nv_ioctl(vfd, DRM_IOCTL_MODE_CREATE_DUMB, &cd);
	if (ret)
		return ret;
	at.handle = cd.handle;
	ret = nv_ioctl(vfd, DRM_IOCTL_VGEM_FENCE_ATTACH, &at);
	if (ret)
		return ret;
	*fence = at.out_fence;
	if (drmPrimeHandleToFD(vfd, cd.handle, DRM_CLOEXEC, &dmabuf))
		return -errno;
	ret = nv_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es);
	close(dmabuf);
	if (ret)
		return ret;
	ret = drmSyncobjImportSyncFile(fd, syncobj, es.fd) ? -errno : 0;
	close(es.fd);
	return ret;
}

static int vgem_signal(int vfd, uint32_t fence)
{
	struct vgem_fence_signal s = { .fence = fence };

	return nv_ioctl(vfd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

static bool syncobj_signalled(int fd, uint32_t so)
{
	return !drmSyncobjWait(fd, &so, 1, 0, 0, NULL);
}

static bool syncobj_wait(int fd, uint32_t so)
{
	int64_t deadline = nv_now_ns() + 5000000000LL;

	return !drmSyncobjWait(fd, &so, 1, deadline, 0, NULL);
}

/*
 * One VM: a bind waiting for a fence holds back the binds queued after it,
 * not the copy engine; the driver's VA state changes at submission.
 */
static void t_async_blocked(long arg)
{
	struct case_ctx c;
	struct drm_nvvb_vm_bind_op op;
	struct drm_nvvb_exec_cmd cmd = nv_cmd_fill(VA_RB, U, 0x3c3c3c3c);
	struct drm_nvvb_sync w, s;
	uint32_t in, sa, sb, se, fence;
	struct nv_dump d;
	int vfd = vgem_open();
	const uint32_t A = NVVB_VM_BIND_RUN_ASYNC;

	if (vfd < 0)
		SKIP("no vgem device (CONFIG_DRM_VGEM)");
	CHECK(case_setup(&c));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &in));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &sa));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &sb));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &se));
	CHECK_OK(vgem_fence(vfd, c.fd, in, &fence));
	op = nv_op_map(c.a, VA_CASE, 0, U, 0);
	w = nv_sync(in);
	s = nv_sync(sa);
	CHECK_OK(nv_bind(c.fd, &op, 1, A, &w, 1, &s, 1));
	op = nv_op_map(c.b, VA_CASE + U, U, U, 0);
	s = nv_sync(sb);
	CHECK_OK(nv_bind(c.fd, &op, 1, A, NULL, 0, &s, 1));
	s = nv_sync(se);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, NVVB_EXEC_RUN_ASYNC, NULL, 0, &s, 1));
	CHECK(syncobj_wait(c.fd, se));		/* the copy engine is free */
	CHECK(words_are(c.rbp, U, 0x3c3c3c3c));
	usleep(200000);
	CHECK(!syncobj_signalled(c.fd, sa));
	CHECK(!syncobj_signalled(c.fd, sb));	/* queued behind sa */
	CHECK_OK(nv_dump_vm(c.fd, c.vm, &d));	/* submitted: in drm_gpuvm */
	CHECK(d.nmaps == 3);
	CHECK_OK(vgem_signal(vfd, fence));
	CHECK(syncobj_wait(c.fd, sa));
	CHECK(syncobj_wait(c.fd, sb));
	{
		const struct m exp[] = { { 'a', 0, 1, 0 }, { 'b', 1, 2, 1 } };
		char why[512];

		CHECKF(case_verify(&c, exp, 2, why, sizeof(why)), "%s", why);
	}
}

/* Two VMs waiting for two fences signalled in the other order. */
static void t_async_out_of_order(long arg)
{
	struct case_ctx c1, c2;
	struct drm_nvvb_vm_bind_op op;
	struct drm_nvvb_sync w, s;
	uint32_t in1, in2, s1, s2, f1, f2;
	int vfd = vgem_open();
	const uint32_t A = NVVB_VM_BIND_RUN_ASYNC;
	const struct m exp[] = { { 'a', 0, 1, 3 } };
	char why[512];

	if (vfd < 0)
		SKIP("no vgem device (CONFIG_DRM_VGEM)");
	CHECK(case_setup(&c1) && case_setup(&c2));
	CHECK_OK(drmSyncobjCreate(c1.fd, 0, &in1));
	CHECK_OK(drmSyncobjCreate(c2.fd, 0, &in2));
	CHECK_OK(drmSyncobjCreate(c1.fd, 0, &s1));
	CHECK_OK(drmSyncobjCreate(c2.fd, 0, &s2));
	CHECK_OK(vgem_fence(vfd, c1.fd, in1, &f1));
	CHECK_OK(vgem_fence(vfd, c2.fd, in2, &f2));
	op = nv_op_map(c1.a, VA_CASE, 3 * U, U, 0);
	w = nv_sync(in1);
	s = nv_sync(s1);
	CHECK_OK(nv_bind(c1.fd, &op, 1, A, &w, 1, &s, 1));
	op = nv_op_map(c2.a, VA_CASE, 3 * U, U, 0);
	w = nv_sync(in2);
	s = nv_sync(s2);
	CHECK_OK(nv_bind(c2.fd, &op, 1, A, &w, 1, &s, 1));
	CHECK_OK(vgem_signal(vfd, f2));		/* the later one first */
	CHECK(syncobj_wait(c2.fd, s2));
	usleep(100000);
	CHECK(!syncobj_signalled(c1.fd, s1));
	CHECKF(case_verify(&c2, exp, 1, why, sizeof(why)), "VM 2: %s", why);
	CHECK_OK(vgem_signal(vfd, f1));
	CHECK(syncobj_wait(c1.fd, s1));
	CHECKF(case_verify(&c1, exp, 1, why, sizeof(why)), "VM 1: %s", why);
}

/* One job waits for several fences, signalled out of order. */
static void t_async_multi_wait(long arg)
{
	struct case_ctx c;
	struct drm_nvvb_vm_bind_op op;
	struct drm_nvvb_sync w[3], s;
	uint32_t in[3], tl, so, f[3];
	uint64_t p = 7;
	int vfd = vgem_open(), i;

	if (vfd < 0)
		SKIP("no vgem device (CONFIG_DRM_VGEM)");
	CHECK(case_setup(&c));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &tl));
	CHECK_OK(drmSyncobjCreate(c.fd, 0, &so));
	for (i = 0; i < 3; i++) {
		CHECK_OK(drmSyncobjCreate(c.fd, 0, &in[i]));
		CHECK_OK(vgem_fence(vfd, c.fd, in[i], &f[i]));
		w[i] = nv_sync(in[i]);
	}
	/* move each fence to a timeline point too: wait 2 binaries + 1 point */
	CHECK_OK(drmSyncobjTransfer(c.fd, tl, 5, in[2], 0, 0));
	w[2] = nv_sync_tl(tl, 5);
	op = nv_op_map(c.a, VA_CASE, 0, U, 0);
	s = nv_sync_tl(tl, 7);
	CHECK_OK(nv_bind(c.fd, &op, 1, NVVB_VM_BIND_RUN_ASYNC, w, 3, &s, 1));
	CHECK_OK(vgem_signal(vfd, f[2]));
	CHECK_OK(vgem_signal(vfd, f[0]));
	usleep(100000);
	CHECK(drmSyncobjTimelineWait(c.fd, &tl, &p, 1, 0,
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL));
	CHECK_OK(vgem_signal(vfd, f[1]));
	CHECK_OK(drmSyncobjTimelineWait(c.fd, &tl, &p, 1,
					nv_now_ns() + 5000000000LL,
					DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL));
}

/* ---- eviction, shared BOs ---- */

/*
 * BO life cycle on the device: a BO that was moved (evicted, validated)
 * can be destroyed once unmapped, and once its VM is gone.
 */
static void t_evict_lifecycle(long how)
{
	int fd = open_vm(), fd2;
	struct drm_nvvb_exec_cmd cmd = nv_cmd_fill(0x40000000, 64 * KiB, 1);
	uint32_t h;
	int64_t before;

	CHECK(fd >= 0);
	before = nv_status(fd, "bind_desc_errors");
	CHECK_OK(nv_gem_new(fd, 64 * KiB, NVVB_GEM_DOMAIN_VRAM, 0, &h));
	CHECK_OK(nv_map(fd, h, 0x40000000, 0, 64 * KiB));
	CHECK_OK(nv_gem_evict(fd, h));
	if (how & 1)
		CHECK_OK(nv_exec(fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	if (how & 2) {
		CHECK_OK(nv_unmap(fd, 0x40000000, 64 * KiB));
		CHECK_OK(nv_gem_close(fd, h));
	}
	close(fd);
	fd2 = nv_open();
	CHECK(fd2 >= 0);
	CHECKF(nv_status(fd2, "bind_desc_errors") == before,
	       "the device refused %" PRId64 " descriptors",
	       nv_status(fd2, "bind_desc_errors") - before);
}


static void t_evict_validate(long arg)
{
	int64_t errs0 = -1;
	struct exec_ctx c;
	struct drm_nvvb_exec_cmd cmd;
	struct drm_nvvb_gem_info info;
	uint32_t id;

	CHECK(exec_setup(&c));
	errs0 = dev_errors(c.fd);
	cmd = nv_cmd_fill(VA_V, MiB, 0x5a5a0001);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	id = nv_bo_id(c.fd, c.v);
	CHECK(id);
	CHECK_OK(nv_gem_evict(c.fd, c.v));
	CHECK_OK(nv_gem_info(c.fd, c.v, &info));
	CHECK(info.placement == NVVB_GEM_DOMAIN_SYSMEM && info.device_id == id);
	CHECK_OK(nv_gem_evict(c.fd, c.v));	/* already evicted: no-op */
	/* the CPU mapping follows the BO to system memory */
	CHECK(words_are(c.vp, MiB, 0x5a5a0001));
	c.vp[0] = 0xee;				/* written while evicted */
	/* EXEC validates: the BO goes back to VRAM with its contents */
	cmd = nv_cmd_copy(VA_V, VA_S, MiB);
	CHECK_OK(nv_exec(c.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK_OK(nv_gem_info(c.fd, c.v, &info));
	CHECK(info.placement == NVVB_GEM_DOMAIN_VRAM);
	CHECK(c.sp[0] == 0xee && words_are(c.sp + 4, MiB - 4, 0x5a5a0001));
	CHECK(c.vp[0] == 0xee && words_are(c.vp + 4, MiB - 4, 0x5a5a0001));
	/* a BO evicted before its first bind */
	{
		uint32_t e;
		struct drm_nvvb_exec_cmd f = nv_cmd_fill(0x50000000, 64 * KiB,
							 0x0badcafe);

		CHECK_OK(nv_gem_new(c.fd, 64 * KiB, NVVB_GEM_DOMAIN_VRAM, 0, &e));
		CHECK_OK(nv_gem_evict(c.fd, e));
		CHECK_OK(nv_map(c.fd, e, 0x50000000, 0, 64 * KiB));
		CHECK_OK(nv_exec(c.fd, &f, 1, 0, NULL, 0, NULL, 0));
		CHECK_OK(nv_gem_info(c.fd, e, &info));
		CHECK(info.placement == NVVB_GEM_DOMAIN_VRAM);
	}
	CHECKF(dev_errors(c.fd) == errs0, "the device refused %" PRId64
	       " bind descriptors", dev_errors(c.fd) - errs0);
}

static void t_shared_bo(long domain)
{
	int64_t errs0 = -1;
	struct exec_ctx c1, c2;
	struct drm_nvvb_exec_cmd cmd;
	uint32_t h, h2;
	uint8_t *p;
	int dmabuf;

	CHECK(exec_setup(&c1) && exec_setup(&c2));
	errs0 = dev_errors(c2.fd);
	CHECK_OK(nv_gem_new(c1.fd, MiB, domain, 0, &h));
	CHECK_OK(drmPrimeHandleToFD(c1.fd, h, DRM_CLOEXEC, &dmabuf) ? -errno : 0);
	CHECK_OK(drmPrimeFDToHandle(c2.fd, dmabuf, &h2) ? -errno : 0);
	close(dmabuf);
	p = nv_mmap(c1.fd, h, MiB);
	CHECK(p);
	CHECK_OK(nv_map(c1.fd, h, 0x40000000, 0, MiB));
	CHECK_OK(nv_map(c2.fd, h2, 0x80000000, MiB / 2, MiB / 2));
	CHECK(nv_bo_id(c1.fd, h) && nv_bo_id(c1.fd, h) == nv_bo_id(c2.fd, h2));
	cmd = nv_cmd_fill(0x40000000, MiB / 2, 0x11110000);
	CHECK_OK(nv_exec(c1.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	cmd = nv_cmd_fill(0x80000000, MiB / 2, 0x22220000);
	CHECK_OK(nv_exec(c2.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(words_are(p, MiB / 2, 0x11110000));
	CHECK(words_are(p + MiB / 2, MiB / 2, 0x22220000));
	if (domain == NVVB_GEM_DOMAIN_VRAM) {
		/* evicted through one VM, validated through the other */
		CHECK_OK(nv_gem_evict(c1.fd, h));
		cmd = nv_cmd_copy(0x80000000, VA_S, MiB / 2);
		CHECK_OK(nv_exec(c2.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
		CHECK(words_are(c2.sp, MiB / 2, 0x22220000));
		cmd = nv_cmd_copy(0x40000000, VA_S, MiB / 2);
		CHECK_OK(nv_exec(c1.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
		CHECK(words_are(c1.sp, MiB / 2, 0x11110000));
	}
	/* the importer keeps the BO (and its mapping) alive */
	munmap(p, MiB);
	close(c1.fd);
	cmd = nv_cmd_copy(0x80000000, VA_S, MiB / 2);
	CHECK_OK(nv_exec(c2.fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(words_are(c2.sp, MiB / 2, 0x22220000));
	CHECKF(dev_errors(c2.fd) == errs0, "the device refused %" PRId64
	       " bind descriptors", dev_errors(c2.fd) - errs0);
}

static void t_no_share_exec(long arg)
{
	int fd = open_vm();
	struct drm_nvvb_exec_cmd cmd = nv_cmd_fill(0x40000000, MiB, 0xabababab);
	uint32_t h;
	uint8_t *p;

	CHECK(fd >= 0);
	CHECK_OK(nv_gem_new(fd, MiB, NVVB_GEM_DOMAIN_VRAM, NVVB_GEM_NO_SHARE,
			    &h));
	p = nv_mmap(fd, h, MiB);
	CHECK(p);
	CHECK_OK(nv_map(fd, h, 0x40000000, 0, MiB));
	CHECK_OK(nv_exec(fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(words_are(p, MiB, 0xabababab));
	CHECK_OK(nv_gem_evict(fd, h));
	CHECK_OK(nv_exec(fd, &cmd, 1, 0, NULL, 0, NULL, 0));
	CHECK(words_are(p, MiB, 0xabababab));
	CHECK_OK(nv_unmap(fd, 0x40000000, MiB));
	CHECK_OK(nv_gem_close(fd, h));
}

/* ---- concurrency ---- */

#define NWORKERS 4
#define ITERS 40

/*
 * Worker @i binds its own BO (tag (i+1) << 28) in its own GiB of one VM:
 * maps, remaps and unmaps, some of it asynchronously on a timeline; it
 * ends with unit k of its area mapped to page k of its BO (k < 4).
 */
static int worker_binds(int fd, int i, uint32_t bo)
{
	uint64_t base = VA_T + (uint64_t)i * GiB, pt = 0;
	struct drm_nvvb_vm_bind_op ops[4];
	struct drm_nvvb_sync s, w;
	uint32_t tl;
	int it, k, ret;

	if (drmSyncobjCreate(fd, 0, &tl))
		return -errno;
	for (it = 0; it < ITERS; it++) {
		k = it % 8;
		ops[0] = nv_op_map(bo, base + k * U, (it % 4) * U, U, 0);
		ops[1] = nv_op_map(bo, base + 8 * U, 0, 4 * U, 0);
		ops[2] = nv_op_unmap(base + 9 * U, 2 * U);
		ops[3] = nv_op_unmap(base + ((k + 4) % 8) * U, U);
		if (it % 2) {
			w = nv_sync_tl(tl, pt);
			s = nv_sync_tl(tl, pt + 1);
			ret = nv_bind(fd, ops, 4, NVVB_VM_BIND_RUN_ASYNC, &w,
				      pt ? 1 : 0, &s, 1);
			pt++;
		} else {
			ret = nv_bind(fd, ops, 4, 0, NULL, 0, NULL, 0);
		}
		if (ret)
			return ret;
	}
	if (pt && drmSyncobjTimelineWait(fd, &tl, &pt, 1, INT64_MAX,
					 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL))
		return -errno;
	ret = nv_unmap(fd, base, 16 * U);
	for (k = 0; k < 4 && !ret; k++)
		ret = nv_map(fd, bo, base + k * U, k * U, U);
	drmSyncobjDestroy(fd, tl);
	return ret;
}

/* Through the device, worker @i's area reads as its BO. */
static int worker_verify(int fd, int i, uint64_t rb_va, uint32_t *rbp)
{
	uint64_t base = VA_T + (uint64_t)i * GiB;
	struct drm_nvvb_exec_cmd cmd = nv_cmd_copy(base, rb_va, 4 * U);
	int k, ret;

	memset(rbp, 0, 4 * U);
	ret = nv_exec(fd, &cmd, 1, 0, NULL, 0, NULL, 0);
	if (ret)
		return ret;
	for (k = 0; k < 4; k++)
		if (!words_are((uint8_t *)rbp + k * U, U,
			       ((uint32_t)(i + 1) << 28) | k))
			return -EIO;
	return 0;
}

struct worker {
	pthread_t t;
	int fd, i, ret;
	uint32_t bo;
};

static void *worker_thread(void *p)
{
	struct worker *w = p;

	w->ret = worker_binds(w->fd, w->i, w->bo);
	return NULL;
}

static bool workers_check_vm(int fd, int first, int n, char *why,
			     size_t wlen)
{
	struct nv_dump *d = malloc(sizeof(*d));
	uint32_t rb, *rbp;
	int i, k, ret;
	bool ok = false;

	rb = tagged_bo(fd, 4 * U, NVVB_GEM_DOMAIN_SYSMEM, 0, &rbp);
	if (!rb || nv_map(fd, rb, VA_RB, 0, 4 * U) ||
	    nv_dump_vm(fd, nv_vm_id(fd), d) || d->maps[0].va != VA_RB) {
		snprintf(why, wlen, "setup");
		goto out;
	}
	if (d->nmaps != 4 * n + 1) {
		snprintf(why, wlen, "%d mappings, want %d", d->nmaps, 4 * n + 1);
		goto out;
	}
	/* the readback mapping sorts first: skip it */
	for (i = first; i < first + n; i++) {
		for (k = 0; k < 4; k++) {
			const struct nv_dump_map *m =
				&d->maps[1 + (i - first) * 4 + k];

			if (m->va != VA_T + (uint64_t)i * GiB + k * U ||
			    m->range != U || m->offset != k * U) {
				snprintf(why, wlen, "worker %d unit %d: va 0x%" PRIx64,
					 i, k, m->va);
				goto out;
			}
		}
		ret = worker_verify(fd, i, VA_RB, rbp);
		if (ret) {
			snprintf(why, wlen, "worker %d reads wrong: %d", i, ret);
			goto out;
		}
	}
	ok = true;
out:
	free(d);
	return ok;
}

static void t_threads_one_vm(long arg)
{
	int64_t errs0 = -1;
	int fd = open_vm(), i;
	struct worker w[NWORKERS];
	char why[256];

	CHECK(fd >= 0);
	errs0 = dev_errors(fd);
	for (i = 0; i < NWORKERS; i++) {
		w[i] = (struct worker){ .fd = fd, .i = i };
		w[i].bo = tagged_bo(fd, 4 * U, i % 2 ? NVVB_GEM_DOMAIN_VRAM :
				    NVVB_GEM_DOMAIN_SYSMEM, (i + 1) << 28, NULL);
		CHECK(w[i].bo);
	}
	for (i = 0; i < NWORKERS; i++)
		CHECK(!pthread_create(&w[i].t, NULL, worker_thread, &w[i]));
	for (i = 0; i < NWORKERS; i++)
		pthread_join(w[i].t, NULL);
	for (i = 0; i < NWORKERS; i++)
		CHECKF(!w[i].ret, "worker %d: %d (%s)", i, w[i].ret,
		       strerror(-w[i].ret));
	CHECKF(workers_check_vm(fd, 0, NWORKERS, why, sizeof(why)), "%s", why);
	CHECKF(dev_errors(fd) == errs0, "the device refused %" PRId64
	       " bind descriptors", dev_errors(fd) - errs0);
}

static int wait_children(pid_t *pids, int n)
{
	int i, st, bad = 0;

	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			bad++;
	}
	return bad;
}

/* Processes sharing one DRM file: one VM. */
static void t_procs_one_vm(long arg)
{
	int fd = open_vm(), i;
	uint32_t bo[NWORKERS];
	pid_t pids[NWORKERS];
	char why[256];

	CHECK(fd >= 0);
	for (i = 0; i < NWORKERS; i++) {
		bo[i] = tagged_bo(fd, 4 * U, i % 2 ? NVVB_GEM_DOMAIN_SYSMEM :
				  NVVB_GEM_DOMAIN_VRAM, (i + 1) << 28, NULL);
		CHECK(bo[i]);
	}
	for (i = 0; i < NWORKERS; i++) {
		pids[i] = fork();
		if (!pids[i])
			_exit(worker_binds(fd, i, bo[i]) ? 1 : 0);
	}
	CHECK(wait_children(pids, NWORKERS) == 0);
	CHECKF(workers_check_vm(fd, 0, NWORKERS, why, sizeof(why)), "%s", why);
}

/* Processes with their own files: separate VMs, binding and copying. */
static void t_procs_own_vms(long arg)
{
	pid_t pids[NWORKERS];
	int i;

	for (i = 0; i < NWORKERS; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			int fd = open_vm();
			uint32_t bo;
			char why[256];

			if (fd < 0)
				_exit(1);
			bo = tagged_bo(fd, 4 * U, i % 2 ? NVVB_GEM_DOMAIN_SYSMEM :
				       NVVB_GEM_DOMAIN_VRAM, (i + 1) << 28, NULL);
			if (!bo || worker_binds(fd, i, bo) ||
			    !workers_check_vm(fd, i, 1, why, sizeof(why)))
				_exit(1);
			_exit(0);
		}
	}
	CHECK(wait_children(pids, NWORKERS) == 0);
}

/* Everything so far ran without the device refusing a bind. */
static void t_no_device_errors(long arg)
{
	int fd = nv_open();
	int64_t e;

	CHECK(fd >= 0);
	e = nv_status(fd, "bind_desc_errors");
	CHECKF(e == 0, "the device refused %" PRId64 " bind descriptors", e);
	CHECK(nv_status(fd, "bind_submissions") > 0);
	CHECK(nv_status(fd, "copy_submissions") > 0);
}

/* ---- the state left for the host check ---- */

static int host_wait(const char *what)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char line[256];

	printf("nvvb-guest: host-check %s\n", what);
	fflush(stdout);
	if (poll(&p, 1, 300000) <= 0 || !fgets(line, sizeof(line), stdin)) {
		printf("# no answer from the host\n");
		return -1;
	}
	return 0;
}

static int final_state(void)
{
	int fd1 = open_vm(), fd2 = nv_open(), dmabuf;
	uint32_t s, v, x, x2, e;
	struct drm_nvvb_vm_bind_op ops[8];
	char *dump;
	int i;

	if (fd1 < 0 || fd2 < 0 || nv_vm_init(fd2, 1ULL << 40, 1ULL << 30))
		return -1;
	if (nv_gem_new(fd1, 4 * MiB, NVVB_GEM_DOMAIN_SYSMEM, 0, &s) ||
	    nv_gem_new(fd1, 2 * MiB, NVVB_GEM_DOMAIN_VRAM, 0, &v) ||
	    nv_gem_new(fd1, MiB, NVVB_GEM_DOMAIN_VRAM, 0, &x) ||
	    nv_gem_new(fd1, MiB, NVVB_GEM_DOMAIN_VRAM, 0, &e) ||
	    drmPrimeHandleToFD(fd1, x, DRM_CLOEXEC, &dmabuf) ||
	    drmPrimeFDToHandle(fd2, dmabuf, &x2))
		return -1;
	ops[0] = nv_op_map(s, 1 * GiB, 0, 4 * MiB, 0);
	ops[1] = nv_op_map(v, 2 * GiB, 64 * KiB, 512 * KiB,
			   NVVB_VM_BIND_READ_ONLY | 0x06);
	ops[2] = nv_op_sparse(3 * GiB, 4 * MiB);
	ops[3] = nv_op_map(s, 3 * GiB + MiB, 2 * MiB, 64 * KiB, 0);
	ops[4] = nv_op_sparse(4 * GiB, 2 * MiB);
	ops[5] = nv_op_map(x, 5 * GiB, 0, MiB, 0);
	ops[6] = nv_op_map(e, 6 * GiB, 0, MiB, NVVB_VM_BIND_NO_ATOMIC);
	ops[7] = nv_op_unmap(1 * GiB + 256 * KiB, 128 * KiB);
	if (nv_bind(fd1, ops, 8, 0, NULL, 0, NULL, 0) || nv_gem_evict(fd1, e))
		return -1;
	/* and 256 small mappings of both BOs, every third one split again */
	for (i = 0; i < 256; i++) {
		struct drm_nvvb_vm_bind_op op;

		op = nv_op_map(i % 2 ? v : s, 9 * GiB + i * 64 * KiB,
			       (i % 16) * 64 * KiB, 64 * KiB, i % 4);
		if (nv_bind(fd1, &op, 1, 0, NULL, 0, NULL, 0))
			return -1;
		if (i % 3 == 0 &&
		    nv_unmap(fd1, 9 * GiB + i * 64 * KiB + 16 * KiB, 4 * KiB))
			return -1;
	}
	ops[0] = nv_op_map(x2, 7 * GiB, 0, 256 * KiB, NVVB_VM_BIND_PRIV);
	ops[1] = nv_op_sparse(8 * GiB, 2 * MiB);
	ops[2] = nv_op_map(x2, 8 * GiB + 64 * KiB, 512 * KiB, 128 * KiB, 0);
	if (nv_bind(fd2, ops, 3, 0, NULL, 0, NULL, 0))
		return -1;
	dump = nv_debugfs(fd1, "nvvb_vms");
	printf("nvvb-guest: vm dump begin\n%snvvb-guest: vm dump end\n",
	       dump ? dump : "");
	free(dump);
	if (host_wait("ready"))
		return -1;
	close(dmabuf);
	close(fd1);
	close(fd2);
	return host_wait("empty");
}

/* ---- main ---- */

static void register_tests(void)
{
	static char names[40][64];
	unsigned int i;

	add("identify: GETPARAM, render node", t_identify, 0);
	add("gem: system memory BO, info, mmap", t_gem_sysmem, 0);
	add("gem: VRAM BO through BAR2 mmap", t_gem_vram, 0);
	add("gem: GEM_NEW/INFO/EVICT/CLOSE error paths", t_gem_errors, 0);
	add("gem: NO_SHARE BO cannot be exported", t_gem_no_share, 0);
	add("vm_init: order, window, once per file", t_vm_init_rules, 0);
	add("vm_init: kernel-managed window refused to VM_BIND",
	    t_vm_kernel_window, 0);
	add("vm_init: device VM ids run out with -ENOSPC, are reused",
	    t_vm_exhaustion, 0);
	for (i = 0; i < 15; i++) {
		snprintf(names[i], sizeof(names[i]),
			 "split: drm_gpuvm DOC case %u", i + 1);
		add(names[i], t_split, i);
	}
	add("split: partial unmap cuts both ends", t_unmap_split, 0);
	add("bind: several ops in one job", t_multi_op_job, 0);
	add("bind: a failing job changes nothing", t_failed_job_atomic, 0);
	add("bind: a failed split allocation changes nothing",
	    t_failed_step_atomic, 0);
	add("bind: kind/READ_ONLY/PRIV/NO_ATOMIC flags; RO write faults",
	    t_map_flags, 0);
	add("sparse: region reads zero, mapping inside, unmap back to sparse",
	    t_sparse_basic, 0);
	add("sparse: nouveau's rules and error codes", t_sparse_rules, 0);
	add("sparse: rules within one job (ENOSPC/EINVAL/ENOENT/EEXIST)",
	    t_sparse_same_job, 0);
	for (i = 0; i < ARRAY_SIZE(bind_errs); i++) {
		snprintf(names[15 + i], sizeof(names[15 + i]),
			 "bind error: %s", bind_errs[i].name);
		add(names[15 + i], t_bind_error, i);
	}
	add("sync: bad handles, types, missing fences", t_sync_errors, 0);
	add("exec: error paths", t_exec_errors, 0);
	add("exec: fill and copy, system memory and VRAM", t_exec_fill_copy, 0);
	add("exec: 8 MiB copy sysmem -> VRAM -> sysmem", t_exec_large_copy, 0);
	add("exec: semaphore release", t_exec_semaphore, 0);
	add("exec: GPU faults end the job with -EFAULT", t_exec_fault, 0);
	add("exec: async jobs run in order, signal a syncobj", t_exec_async, 0);
	add("ring: 6 jobs of 1024 ops wrap the bind ring", t_ring_wrap, 0);
	add("async: bind signals a binary syncobj", t_async_binary, 0);
	add("async: timeline chain of binds and an exec", t_async_timeline, 0);
	add("async: blocked bind holds later binds, not the copy engine",
	    t_async_blocked, 0);
	add("async: two VMs, fences signalled out of order",
	    t_async_out_of_order, 0);
	add("async: several waits signalled out of order", t_async_multi_wait, 0);
	add("evict: BO evicted, VM closed: BO_DESTROY accepted",
	    t_evict_lifecycle, 0);
	add("evict: BO evicted, validated, VM closed", t_evict_lifecycle, 1);
	add("evict: BO evicted, unmapped, closed", t_evict_lifecycle, 2);
	add("evict: BO evicted, validated, unmapped, closed",
	    t_evict_lifecycle, 3);
	add("evict: GEM_EVICT, CPU access, EXEC validates back",
	    t_evict_validate, 0);
	add("shared: system-memory BO in two VMs", t_shared_bo,
	    NVVB_GEM_DOMAIN_SYSMEM);
	add("shared: VRAM BO in two VMs, evicted and validated", t_shared_bo,
	    NVVB_GEM_DOMAIN_VRAM);
	add("no_share: private BO bound, evicted, used", t_no_share_exec, 0);
	add("concurrency: threads binding in one VM", t_threads_one_vm, 0);
	add("concurrency: processes binding in one VM", t_procs_one_vm, 0);
	add("concurrency: processes with their own VMs", t_procs_own_vms, 0);
	add("device: no bind descriptor refused in the whole run",
	    t_no_device_errors, 0);
}

/* Run one test in a child; a crash or a hang is a failure. */
static bool run_one(const struct test *t, char *msg, size_t mlen, bool *skip)
{
	int pfd[2], st;
	pid_t pid;
	uint64_t deadline = nv_now_ns() + 120 * 1000000000ULL;
	ssize_t n;

	msg[0] = 0;
	*skip = false;
	if (pipe(pfd))
		return false;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(pfd[0]);
		t->fn(t->arg);
		if ((failed || skipped) &&
		    write(pfd[1], fail_msg, strlen(fail_msg)) < 0)
			_exit(2);
		_exit(failed ? 1 : skipped ? 3 : 0);
	}
	close(pfd[1]);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (nv_now_ns() > deadline) {
			kill(pid, SIGKILL);
			snprintf(msg, mlen, "timed out after 120 s");
			close(pfd[0]);
			return false;
		}
		usleep(2000);
	}
	n = read(pfd[0], msg, mlen - 1);
	msg[n > 0 ? n : 0] = 0;
	close(pfd[0]);
	if (WIFSIGNALED(st)) {
		snprintf(msg, mlen, "killed by signal %d", WTERMSIG(st));
		return false;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
		*skip = true;
		return true;
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	int opt, i, num = 0, pass = 0, fail = 0, nskip = 0;
	bool list = false, host = false;
	uint64_t t0 = nv_now_ns();
	char msg[1024];

	while ((opt = getopt(argc, argv, "o:lw")) != -1) {
		switch (opt) {
		case 'o':
			only = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'w':
			host = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-o SUBSTRING] [-l] [-w]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	register_tests();
	for (i = 0; i < ntests; i++) {
		const struct test *t = &tests[i];
		uint64_t t1;
		bool ok, skip;

		if (only && !strstr(t->name, only))
			continue;
		num++;
		if (list) {
			printf("%s\n", t->name);
			continue;
		}
		t1 = nv_now_ns();
		ok = run_one(t, msg, sizeof(msg), &skip);
		if (skip)
			printf("ok %d - %s # SKIP %s\n", num, t->name, msg);
		else
			printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", num,
			       t->name, msg[0] ? ": " : "", msg);
		printf("#   %.2f s\n", (nv_now_ns() - t1) / 1e9);
		if (skip)
			nskip++;
		else if (ok)
			pass++;
		else
			fail++;
	}
	if (list)
		return 0;
	printf("1..%d\n", num);
	printf("# suite time %.1f s\n", (nv_now_ns() - t0) / 1e9);
	if (nskip)
		printf("# %d skipped\n", nskip);
	printf("%d passed, %d failed\n", pass, fail);
	if (host && final_state()) {
		printf("not ok %d - host check: could not set up the final state\n",
		       ++num);
		fail++;
	}
	return fail ? 1 : 0;
}
