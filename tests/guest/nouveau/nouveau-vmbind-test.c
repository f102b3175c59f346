// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nouveau-vmbind-test: VM_INIT / GEM_NEW / VM_BIND on nouveau, through
 * nouveau's own uAPI header and raw ioctls only, so the same binary runs
 * unchanged on a real NVIDIA GPU (Pascal or later with nouveau) and on
 * nv-vmbind-gp107.  It never asks GETPARAM GRAPH_UNITS (it oopses on a
 * GPU without GR firmware) and needs no channel.
 *
 *   nouveau-vmbind-test [-d /dev/dri/renderD128] [-c] [-p PORT] [-o CASE]
 *
 * Output is TAP, then "N passed, N failed".  Every request is also
 * reported as an "@nvvb ..." line (docs/specs/nv-vmbind-gp107.rst) so a
 * host can replay it; with -c the program stops at each "@nvvb check"
 * line until it reads a line on stdin, so the host can walk the page
 * tables while the bindings exist.  With -p PORT (a serial port the
 * kernel does not print to, e.g. /dev/ttyS1) the "@nvvb" lines and the
 * host's answers go through PORT instead of stdout/stdin, so kernel
 * messages on the console cannot split them.
 *
 * -o CASE runs one case.  The default suite is init map errors sparse
 * async zoo-remap zoo-client (the last two written for tests/zoo); the
 * reproducers of the nouveau large-page bug of 6.19+ (docs/known-bugs/)
 * run only when named, each in a boot of its own, since they oops on those kernels:
 * repro-a (split a 64 KiB mapping: unmap its second half, then its first),
 * repro-b (32 KiB of a GART BO into a 64 KiB VRAM mapping), repro-c
 * (unmap inside a sparse region, then remove the region).
 *
 * BO contents: word i of a BO filled with seed s is nvvb_pattern(s, i);
 * the host recomputes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/nouveau_drm.h>

#include "nv-tap.h"
#include "nvvb-proto.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

/* The kernel-managed window every VM of this test reserves. */
#define KM_ADDR 0x0ULL
#define KM_SIZE (4 * GiB)
/* User VAs: 8 GiB up, each case in its own 1 GiB slot. */
#define VA_BASE (8 * GiB)

static const char *dev_path = "/dev/dri/renderD128";
static bool check_mode;
static const char *only;	   /* run only this case */
static const char *cur_case = "-"; /* the case running, for the host */
static unsigned int ncase;
/* Name the test about to run (the harness names it if the kernel oopses). */
static void announce(const char *fmt, ...)
{
	va_list ap;

	printf("# running: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Stop until the host has looked (with -c). */
static void checkpoint(const char *what)
{
	report("check %u %s", ncase, what);
	if (!check_mode)
		return;
	if (!read_answer())
		fprintf(stderr, "no answer from the host\n");
}

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case ENOSPC:
		return "ENOSPC";
	case ENOSYS:
		return "ENOSYS";
	case EEXIST:
		return "EEXIST";
	case EBUSY:
		return "EBUSY";
	case ENOMEM:
		return "ENOMEM";
	default:
		return strerror(e);
	}
}

/* ---- ioctls ---- */

struct vm {
	int fd;
	unsigned int id;
};

struct bo {
	uint32_t handle;
	uint64_t size;
	uint64_t map_handle;
	uint32_t domain;
	uint32_t seed;
	char name[16];
	void *cpu;
};

/* Open a client with its own VM; its bindings stay in [window, +1 GiB). */
static int vm_open(struct vm *vm, uint64_t window)
{
	struct drm_nouveau_vm_init init = {
		.kernel_managed_addr = KM_ADDR,
		.kernel_managed_size = KM_SIZE,
	};
	int r;

	vm->fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (vm->fd < 0)
		return errno;
	r = xioctl(vm->fd, DRM_IOCTL_NOUVEAU_VM_INIT, &init);
	if (r == 0) {
		vm->id = ++ncase;
		report("vm %u case=%s start=0x0 range=0x%llx kstart=0x%llx krange=0x%llx window=0x%llx,0x%llx",
		       vm->id, cur_case, 1ULL << 47, KM_ADDR, KM_SIZE,
		       (unsigned long long)window, GiB);
	}
	return r;
}

static void vm_close(struct vm *vm)
{
	report("close %u", vm->id);
	close(vm->fd);
}

/* Fill a BO through its CPU mapping with a seeded pattern and report it. */
static void bo_fill(struct vm *vm, struct bo *bo, uint32_t seed)
{
	uint32_t *p = bo->cpu;
	uint64_t i;

	bo->seed = seed;
	for (i = 0; i < bo->size / 4; i++)
		p[i] = nvvb_pattern(seed, i);
	__sync_synchronize();
	report("fill %u %s seed=0x%x", vm->id, bo->name, seed);
}

static bool bo_verify(struct bo *bo)
{
	const uint32_t *p = bo->cpu;
	uint64_t i;

	for (i = 0; i < bo->size / 4; i++)
		if (p[i] != nvvb_pattern(bo->seed, i))
			return false;
	return true;
}

static int bo_new_tiled(struct vm *vm, struct bo *bo, const char *name,
			uint64_t size, uint32_t domain, uint32_t tile_flags)
{
	struct drm_nouveau_gem_new req = {
		.info = { .size = size,
			  .domain = domain,
			  .tile_flags = tile_flags },
		.align = 0,
	};
	int r;

	memset(bo, 0, sizeof(*bo));
	r = xioctl(vm->fd, DRM_IOCTL_NOUVEAU_GEM_NEW, &req);
	if (r)
		return r;
	bo->handle = req.info.handle;
	bo->size = req.info.size;
	bo->map_handle = req.info.map_handle;
	bo->domain = domain;
	snprintf(bo->name, sizeof(bo->name), "%s", name);
	bo->cpu = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, bo->map_handle);
	if (bo->cpu == MAP_FAILED) {
		bo->cpu = NULL;
		return errno;
	}
	report("bo %u %s handle=%u size=0x%llx domain=%s kind=0x%x", vm->id,
	       name, bo->handle, (unsigned long long)bo->size,
	       (domain & NOUVEAU_GEM_DOMAIN_VRAM) ? "vram" : "gart",
	       (tile_flags >> 8) & 0xff);
	return 0;
}

static int bo_new(struct vm *vm, struct bo *bo, const char *name, uint64_t size,
		  uint32_t domain)
{
	return bo_new_tiled(vm, bo, name, size, domain, 0);
}

static void bo_free(struct vm *vm, struct bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->cpu)
		munmap(bo->cpu, bo->size);
	ioctl(vm->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

struct bind_op {
	uint32_t op, flags;
	const struct bo *bo;
	uint64_t addr, range, offset;
};

/* "@nvvb op|refused|try ..." for @o; @err < 0: before the ioctl. */
static void op_report(struct vm *vm, const struct bind_op *o, int err)
{
	char buf[160];

	if (o->op == DRM_NOUVEAU_VM_BIND_OP_MAP &&
	    (o->flags & DRM_NOUVEAU_VM_BIND_SPARSE)) {
		snprintf(buf, sizeof(buf), "sparse 0x%" PRIx64 " 0x%" PRIx64,
			 o->addr, o->range);
	} else if (o->op == DRM_NOUVEAU_VM_BIND_OP_MAP) {
		snprintf(buf, sizeof(buf),
			 "map 0x%" PRIx64 " 0x%" PRIx64 " %s 0x%" PRIx64,
			 o->addr, o->range, o->bo ? o->bo->name : "-",
			 o->offset);
	} else if (o->flags & DRM_NOUVEAU_VM_BIND_SPARSE) {
		snprintf(buf, sizeof(buf), "unsparse 0x%" PRIx64 " 0x%" PRIx64,
			 o->addr, o->range);
	} else {
		snprintf(buf, sizeof(buf), "unmap 0x%" PRIx64 " 0x%" PRIx64,
			 o->addr, o->range);
	}
	if (err < 0)
		report("try %u %s", vm->id, buf);
	else if (err)
		report("refused %u %s %s", vm->id, errname(err), buf);
	else
		report("op %u %s", vm->id, buf);
}

/*
 * One VM_BIND ioctl with @n ops; async with syncobjs when @sig != 0 (then
 * @wait may name a syncobj to wait for).  Returns the ioctl's errno.
 */
static int vm_bind_ex(struct vm *vm, const struct bind_op *ops, unsigned int n,
		      uint32_t flags, uint32_t wait, uint32_t sig)
{
	struct drm_nouveau_vm_bind_op bops[8];
	struct drm_nouveau_sync ws = { .flags = DRM_NOUVEAU_SYNC_SYNCOBJ,
				       .handle = wait };
	struct drm_nouveau_sync ss = { .flags = DRM_NOUVEAU_SYNC_SYNCOBJ,
				       .handle = sig };
	struct drm_nouveau_vm_bind req = {
		.op_count = n,
		.flags = flags,
		.op_ptr = (uintptr_t)bops,
	};
	unsigned int i;
	int r;

	if (n > 8)
		return E2BIG;
	memset(bops, 0, sizeof(bops));
	for (i = 0; i < n; i++) {
		bops[i].op = ops[i].op;
		bops[i].flags = ops[i].flags;
		bops[i].handle = ops[i].bo ? ops[i].bo->handle : 0;
		bops[i].addr = ops[i].addr;
		bops[i].bo_offset = ops[i].offset;
		bops[i].range = ops[i].range;
	}
	if (wait) {
		req.wait_count = 1;
		req.wait_ptr = (uintptr_t)&ws;
	}
	if (sig) {
		req.sig_count = 1;
		req.sig_ptr = (uintptr_t)&ss;
	}
	/*
	 * Announced first: if the kernel oopses, the host knows what was in
	 * flight.
	 */
	for (i = 0; i < n; i++)
		op_report(vm, &ops[i], -1);
	r = xioctl(vm->fd, DRM_IOCTL_NOUVEAU_VM_BIND, &req);
	for (i = 0; i < n; i++)
		op_report(vm, &ops[i], r);
	return r;
}

static int vm_bind(struct vm *vm, const struct bind_op *op)
{
	return vm_bind_ex(vm, op, 1, 0, 0, 0);
}

static struct bind_op op_map(const struct bo *bo, uint64_t addr, uint64_t range,
			     uint64_t off)
{
	return (struct bind_op){
		DRM_NOUVEAU_VM_BIND_OP_MAP, 0, bo, addr, range, off
	};
}

static struct bind_op op_unmap(uint64_t addr, uint64_t range)
{
	return (struct bind_op){
		DRM_NOUVEAU_VM_BIND_OP_UNMAP, 0, NULL, addr, range, 0
	};
}

static struct bind_op op_sparse(uint64_t addr, uint64_t range)
{
	return (struct bind_op){ DRM_NOUVEAU_VM_BIND_OP_MAP,
				 DRM_NOUVEAU_VM_BIND_SPARSE,
				 NULL,
				 addr,
				 range,
				 0 };
}

static struct bind_op op_unsparse(uint64_t addr, uint64_t range)
{
	return (struct bind_op){ DRM_NOUVEAU_VM_BIND_OP_UNMAP,
				 DRM_NOUVEAU_VM_BIND_SPARSE,
				 NULL,
				 addr,
				 range,
				 0 };
}

/* ---- syncobjs (core DRM uAPI) ---- */

static uint32_t syncobj_new(int fd)
{
	struct drm_syncobj_create c = { 0 };

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

static int syncobj_wait(int fd, uint32_t h, int64_t timeout_ns)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h,
		.count_handles = 1,
		.timeout_nsec = timeout_ns,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static void syncobj_free(int fd, uint32_t h)
{
	struct drm_syncobj_destroy d = { .handle = h };

	ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

static int64_t abs_timeout(int64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec + ns;
}

/* ---- cases ---- */

/* Order rules: VM_BIND needs VM_INIT; VM_INIT after GEM_NEW is refused. */
static void case_init_rules(void)
{
	struct drm_nouveau_vm_init init = { .kernel_managed_size = KM_SIZE };
	struct drm_nouveau_vm_bind bind = { 0 };
	struct drm_nouveau_gem_new gn = {
		.info = { .size = 64 * KiB, .domain = NOUVEAU_GEM_DOMAIN_GART },
	};
	struct drm_gem_close c = { 0 };
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);
	struct vm legacy;
	struct bo lb;
	void *cpu;

	if (!ok(fd >= 0, "open %s (%s)", dev_path,
		fd < 0 ? strerror(errno) : "ok"))
		return;
	ok(xioctl(fd, DRM_IOCTL_NOUVEAU_VM_BIND, &bind) == ENOSYS,
	   "VM_BIND before VM_INIT fails with ENOSYS");
	ok(xioctl(fd, DRM_IOCTL_NOUVEAU_GEM_NEW, &gn) == 0,
	   "GEM_NEW without VM_INIT (legacy client)");
	/*
	 * A legacy client's BO is mapped by the kernel into the client's VMM
	 * at a VA of nouveau's choice: the host checks that mapping too (it
	 * must hold the BO's bytes), so a corrupted PTE there is caught.
	 */
	legacy.fd = fd;
	legacy.id = ++ncase;
	report("vm %u case=%s legacy=1 start=0x0 range=0x%llx kstart=0x0 krange=0x%llx window=0x0,0x%llx",
	       legacy.id, cur_case, 1ULL << 47, 1ULL << 47, 1ULL << 47);
	memset(&lb, 0, sizeof(lb));
	lb.handle = gn.info.handle;
	lb.size = gn.info.size;
	snprintf(lb.name, sizeof(lb.name), "l");
	cpu = mmap(NULL, lb.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   gn.info.map_handle);
	if (ok(cpu != MAP_FAILED, "mmap of the legacy client's BO")) {
		lb.cpu = cpu;
		report("bo %u l handle=%u size=0x%llx domain=gart kind=0x0",
		       legacy.id, lb.handle, (unsigned long long)lb.size);
		bo_fill(&legacy, &lb, 0x1e001);
		checkpoint("legacy");
		munmap(cpu, lb.size);
	}
	ok(xioctl(fd, DRM_IOCTL_NOUVEAU_VM_INIT, &init) == ENOSYS,
	   "VM_INIT after GEM_NEW fails with ENOSYS");
	c.handle = gn.info.handle;
	ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	report("close %u", legacy.id);
	close(fd);

	fd = open(dev_path, O_RDWR | O_CLOEXEC);
	init.kernel_managed_addr = 1ULL << 47;
	ok(xioctl(fd, DRM_IOCTL_NOUVEAU_VM_INIT, &init) == EINVAL,
	   "VM_INIT with the kernel window beyond 2^47 fails with EINVAL");
	close(fd);
}

/* Map a VRAM and a GART BO, unmap a middle piece, remap over a mapping. */
static void case_map_unmap_remap(void)
{
	struct vm vm;
	struct bo a, b, c, d, e;
	uint64_t va = VA_BASE + 1 * GiB;
	struct bind_op o;
	int r;

	if (!ok(vm_open(&vm, va) == 0, "VM_INIT"))
		return;
	ok(bo_new(&vm, &a, "a", 256 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0,
	   "GEM_NEW 256 KiB VRAM + mmap");
	ok(bo_new(&vm, &b, "b", 128 * KiB, NOUVEAU_GEM_DOMAIN_GART) == 0,
	   "GEM_NEW 128 KiB GART + mmap");
	ok(bo_new(&vm, &c, "c", 64 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0,
	   "GEM_NEW 64 KiB VRAM + mmap");
	/*
	 * 2 MiB: nouveau gives it 2 MiB pages (its CPU view is a 2 MiB BAR1
	 * PTE); the smaller ones get 64 KiB and 4 KiB pages.
	 */
	ok(bo_new(&vm, &d, "d", 2 * MiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0,
	   "GEM_NEW 2 MiB VRAM + mmap");
	/* A block-linear (kind 0xfe) GART BO. */
	ok(bo_new_tiled(&vm, &e, "e", 64 * KiB, NOUVEAU_GEM_DOMAIN_GART,
			0xfe00) == 0,
	   "GEM_NEW 64 KiB GART kind 0xfe + mmap");
	if (!a.cpu || !b.cpu || !c.cpu || !d.cpu || !e.cpu) {
		vm_close(&vm);
		return;
	}
	bo_fill(&vm, &a, 0xa0001);
	bo_fill(&vm, &b, 0xb0001);
	bo_fill(&vm, &c, 0xc0001);
	bo_fill(&vm, &d, 0xd0001);
	bo_fill(&vm, &e, 0xe0001);
	ok(bo_verify(&a) && bo_verify(&b) && bo_verify(&c) && bo_verify(&d) &&
		   bo_verify(&e),
	   "CPU writes through the BO mmaps read back");

	o = op_map(&a, va, a.size, 0);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND map VRAM BO a at 0x%" PRIx64, va);
	o = op_map(&b, va + 1 * MiB, b.size, 0);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND map GART BO b");
	/* A BO mapped twice, at an offset. */
	o = op_map(&a, va + 2 * MiB + 60 * KiB, 64 * KiB, 128 * KiB);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND map a second view of a at offset");
	o = op_map(&d, va + 4 * MiB, d.size, 0);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND map 2 MiB BO d");
	o = op_map(&e, va + 3 * MiB, e.size, 0);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND map kind-0xfe GART BO e");
	checkpoint("mapped");

	o = op_unmap(va + 64 * KiB, 64 * KiB);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND partial unmap in the middle of a");
	o = op_unmap(va + 1 * MiB + 96 * KiB, 64 * KiB);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND unmap across the end of b");
	checkpoint("partial-unmap");

	/* Remap: c over the tail of a's first mapping and into the hole. */
	o = op_map(&c, va + 160 * KiB, 64 * KiB, 0);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND map c over part of a (remap)");
	o = op_map(&b, va + 32 * KiB, 64 * KiB, 64 * KiB);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND map b across a hole and a (remap)");
	checkpoint("remap");

	/*
	 * New contents through the CPU mappings, seen through the GPU VA.  e
	 * is in GART now (VM_BIND validated it): being tiled, its CPU view
	 * is a BAR1 mapping with system-memory PTEs.
	 */
	bo_fill(&vm, &a, 0xa0002);
	bo_fill(&vm, &e, 0xe0002);
	ok(bo_verify(&a) && bo_verify(&e),
	   "CPU rewrite of a and e through their mmaps");
	checkpoint("rewrite");

	r = vm_bind(&vm, &(struct bind_op){ DRM_NOUVEAU_VM_BIND_OP_UNMAP, 0,
					    NULL, va, 8 * MiB, 0 });
	ok(r == 0, "VM_BIND unmap everything");
	checkpoint("unmapped");
	bo_free(&vm, &a);
	bo_free(&vm, &b);
	bo_free(&vm, &c);
	bo_free(&vm, &d);
	bo_free(&vm, &e);
	vm_close(&vm);
}

/* Refused requests and their error codes. */
static void case_errors(void)
{
	struct vm vm;
	struct bo a;
	uint64_t va = VA_BASE + 2 * GiB;
	struct bind_op o;

	if (!ok(vm_open(&vm, va) == 0, "VM_INIT"))
		return;
	if (!ok(bo_new(&vm, &a, "a", 64 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0,
		"GEM_NEW 64 KiB VRAM")) {
		vm_close(&vm);
		return;
	}
	bo_fill(&vm, &a, 0xe0001);
	o = op_map(&a, va + 0x800, 4 * KiB, 0);
	ok(vm_bind(&vm, &o) == EINVAL, "map at an unaligned address: EINVAL");
	o = op_map(&a, va, 6 * KiB, 0);
	ok(vm_bind(&vm, &o) == EINVAL, "map of an unaligned range: EINVAL");
	o = op_map(&a, va, 4 * KiB, 0x200);
	ok(vm_bind(&vm, &o) == EINVAL, "map at an unaligned BO offset: EINVAL");
	o = op_map(&a, va, 4 * KiB, a.size);
	ok(vm_bind(&vm, &o) == EINVAL, "map at an offset past the BO: EINVAL");
	o = op_map(&a, va, a.size + 4 * KiB, 0);
	ok(vm_bind(&vm, &o) == EINVAL, "map larger than the BO: EINVAL");
	o = op_map(&a, 1 * GiB, 4 * KiB, 0);
	ok(vm_bind(&vm, &o) == EINVAL,
	   "map inside the kernel-managed window: EINVAL");
	o = op_map(&a, (1ULL << 47) - 4 * KiB, 8 * KiB, 0);
	ok(vm_bind(&vm, &o) == EINVAL,
	   "map past the end of the VA space: EINVAL");
	o = op_map(&a, va, 4 * KiB, 0);
	o.bo = &(struct bo){ .handle = 0xdead, .name = "bad" };
	ok(vm_bind(&vm, &o) == ENOENT, "map of an unknown handle: ENOENT");
	o = op_map(&a, va, a.size, 0);
	ok(vm_bind_ex(&vm, &o, 1, 0, 0, 1) == EINVAL,
	   "sync VM_BIND with a signal syncobj: EINVAL");
	/* Nothing of the above may have mapped anything. */
	checkpoint("errors");
	bo_free(&vm, &a);
	vm_close(&vm);
}

/* Sparse regions: creation, mappings inside, boundaries, removal. */
static void case_sparse(void)
{
	struct vm vm;
	struct bo a;
	uint64_t r0 = VA_BASE + 3 * GiB, rsz = 4 * MiB;
	struct bind_op o;

	if (!ok(vm_open(&vm, r0) == 0, "VM_INIT"))
		return;
	if (!ok(bo_new(&vm, &a, "a", 128 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0,
		"GEM_NEW 128 KiB VRAM")) {
		vm_close(&vm);
		return;
	}
	bo_fill(&vm, &a, 0x50001);
	o = op_sparse(r0, rsz);
	ok(vm_bind(&vm, &o) == 0, "VM_BIND sparse region of 4 MiB");
	checkpoint("sparse");
	o = op_map(&a, r0 + 1 * MiB, a.size, 0);
	ok(vm_bind(&vm, &o) == 0, "map inside the sparse region");
	o = op_map(&a, r0 + rsz - 64 * KiB, a.size, 0);
	ok(vm_bind(&vm, &o) == ENOSPC, "map across the region's end: ENOSPC");
	o = op_sparse(r0 + 2 * MiB, rsz);
	ok(vm_bind(&vm, &o) == ENOSPC, "overlapping sparse region: ENOSPC");
	o = op_map(&a, r0 + rsz + 1 * MiB, a.size, 0);
	ok(vm_bind(&vm, &o) == 0, "map just outside the region");
	o = op_sparse(r0 + rsz, 4 * MiB);
	ok(vm_bind(&vm, &o) == ENOSPC, "sparse region over a mapping: ENOSPC");
	checkpoint("sparse-mapped");
	/*
	 * 64 KiB aligned: the BO has 64 KiB pages.  An unmap of 32 KiB here
	 * hits nouveau's large-page bug on 6.19+ (it stays mapped, and
	 * removing the region then oopses): that is repro-c.
	 */
	o = op_unmap(r0 + 1 * MiB + 64 * KiB, 64 * KiB);
	ok(vm_bind(&vm, &o) == 0, "unmap inside the region: back to sparse");
	checkpoint("sparse-unmapped");
	o = op_unsparse(r0, 2 * MiB);
	ok(vm_bind(&vm, &o) == ENOENT,
	   "remove a region by a wrong range: ENOENT");
	o = op_unsparse(r0, rsz);
	ok(vm_bind(&vm, &o) == 0,
	   "remove the sparse region (and its mappings)");
	checkpoint("unsparse");
	bo_free(&vm, &a);
	vm_close(&vm);
}

/* RUN_ASYNC with syncobjs: wait on one, signal another; ops batched. */
static void case_async(void)
{
	struct vm vm;
	struct bo a, b;
	uint64_t va = VA_BASE + 4 * GiB;
	uint32_t s1, s2;
	struct bind_op ops[3];

	if (!ok(vm_open(&vm, va) == 0, "VM_INIT"))
		return;
	if (!ok(bo_new(&vm, &a, "a", 64 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0 &&
			bo_new(&vm, &b, "b", 64 * KiB,
			       NOUVEAU_GEM_DOMAIN_GART) == 0,
		"GEM_NEW VRAM and GART")) {
		vm_close(&vm);
		return;
	}
	bo_fill(&vm, &a, 0x7a001);
	bo_fill(&vm, &b, 0x7b001);
	s1 = syncobj_new(vm.fd);
	s2 = syncobj_new(vm.fd);
	ok(s1 && s2, "SYNCOBJ_CREATE x2");
	ops[0] = op_map(&a, va, a.size, 0);
	ops[1] = op_map(&b, va + 64 * KiB, b.size, 0);
	ops[2] = op_sparse(va + 1 * MiB, 1 * MiB);
	ok(vm_bind_ex(&vm, ops, 3, DRM_NOUVEAU_VM_BIND_RUN_ASYNC, 0, s1) == 0,
	   "VM_BIND RUN_ASYNC, 3 ops, signal syncobj 1");
	ok(syncobj_wait(vm.fd, s1, abs_timeout(10000000000LL)) == 0,
	   "syncobj 1 signals");
	ops[0] = op_unmap(va + 16 * KiB, 16 * KiB);
	ok(vm_bind_ex(&vm, ops, 1, DRM_NOUVEAU_VM_BIND_RUN_ASYNC, s1, s2) == 0,
	   "VM_BIND RUN_ASYNC waiting on syncobj 1, signal syncobj 2");
	ok(syncobj_wait(vm.fd, s2, abs_timeout(10000000000LL)) == 0,
	   "syncobj 2 signals");
	checkpoint("async");
	syncobj_free(vm.fd, s1);
	syncobj_free(vm.fd, s2);
	bo_free(&vm, &a);
	bo_free(&vm, &b);
	vm_close(&vm);
}

/*
 * Reproducers of nouveau's large-page bug (6.19+, see the header): each
 * runs only with -o, in a boot of its own (they oops on those kernels).
 * All ops are 4 KiB aligned, as the uAPI allows; the host check names the
 * stale PTEs.  Test names start with "repro X:".
 */
static bool repro_open(struct vm *vm, struct bo *a, uint64_t va,
		       const char *tag)
{
	if (!ok(vm_open(vm, va) == 0, "%s VM_INIT", tag))
		return false;
	if (!ok(bo_new(vm, a, "a", 64 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0,
		"%s GEM_NEW 64 KiB VRAM BO a + mmap", tag) ||
	    !a->cpu) {
		vm_close(vm);
		return false;
	}
	bo_fill(vm, a, 0xaa001);
	return true;
}

/* A: map X +64K; unmap its second half, then its first (the Oops). */
static void case_repro_a(void)
{
	const char *tag = "repro A:";
	uint64_t x = VA_BASE + 5 * GiB;
	struct vm vm;
	struct bo a;
	struct bind_op o;

	if (!repro_open(&vm, &a, x, tag))
		return;
	o = op_map(&a, x, 64 * KiB, 0);
	announce("%s map 64 KiB of a", tag);
	ok(vm_bind(&vm, &o) == 0, "%s map 64 KiB of a", tag);
	checkpoint("mapped");
	o = op_unmap(x + 32 * KiB, 32 * KiB);
	announce("%s unmap the second 32 KiB", tag);
	ok(vm_bind(&vm, &o) == 0, "%s unmap the second 32 KiB", tag);
	checkpoint("second-half-unmapped");
	o = op_unmap(x, 32 * KiB);
	announce("%s unmap the first 32 KiB", tag);
	ok(vm_bind(&vm, &o) == 0, "%s unmap the first 32 KiB", tag);
	checkpoint("unmapped");
	bo_free(&vm, &a);
	vm_close(&vm);
}

/* B: map X +64K of VRAM BO a; map 32 KiB of GART BO b over X+32K. */
static void case_repro_b(void)
{
	const char *tag = "repro B:";
	uint64_t x = VA_BASE + 6 * GiB;
	struct vm vm;
	struct bo a, b;
	struct bind_op o;

	if (!repro_open(&vm, &a, x, tag))
		return;
	if (!ok(bo_new(&vm, &b, "b", 64 * KiB, NOUVEAU_GEM_DOMAIN_GART) == 0,
		"%s GEM_NEW 64 KiB GART BO b + mmap", tag) ||
	    !b.cpu) {
		vm_close(&vm);
		return;
	}
	bo_fill(&vm, &b, 0xbb001);
	o = op_map(&a, x, 64 * KiB, 0);
	announce("%s map 64 KiB of a", tag);
	ok(vm_bind(&vm, &o) == 0, "%s map 64 KiB of a", tag);
	checkpoint("mapped");
	o = op_map(&b, x + 32 * KiB, 32 * KiB, 0);
	announce("%s map 32 KiB of b over the second half", tag);
	ok(vm_bind(&vm, &o) == 0, "%s map 32 KiB of b over the second half",
	   tag);
	checkpoint("remapped");
	o = op_unmap(x, 64 * KiB);
	announce("%s unmap all", tag);
	ok(vm_bind(&vm, &o) == 0, "%s unmap all", tag);
	checkpoint("unmapped");
	bo_free(&vm, &a);
	bo_free(&vm, &b);
	vm_close(&vm);
}

/* C: a mapping in a sparse region, 32 KiB of it unmapped, region removed. */
static void case_repro_c(void)
{
	const char *tag = "repro C:";
	uint64_t r0 = VA_BASE + 7 * GiB, rsz = 4 * MiB;
	struct vm vm;
	struct bo a;
	struct bind_op o;

	if (!ok(vm_open(&vm, r0) == 0, "%s VM_INIT", tag))
		return;
	if (!ok(bo_new(&vm, &a, "a", 128 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0,
		"%s GEM_NEW 128 KiB VRAM BO a + mmap", tag) ||
	    !a.cpu) {
		vm_close(&vm);
		return;
	}
	bo_fill(&vm, &a, 0xcc001);
	o = op_sparse(r0, rsz);
	ok(vm_bind(&vm, &o) == 0, "%s sparse region of 4 MiB", tag);
	o = op_map(&a, r0 + 1 * MiB, a.size, 0);
	ok(vm_bind(&vm, &o) == 0, "%s map a inside the region", tag);
	checkpoint("mapped");
	o = op_unmap(r0 + 1 * MiB + 32 * KiB, 32 * KiB);
	announce("%s unmap 32 KiB inside the mapping", tag);
	ok(vm_bind(&vm, &o) == 0, "%s unmap 32 KiB inside the mapping", tag);
	checkpoint("unmapped-32k");
	o = op_unsparse(r0, rsz);
	announce("%s remove the sparse region", tag);
	ok(vm_bind(&vm, &o) == 0, "%s remove the sparse region", tag);
	checkpoint("unsparse");
	bo_free(&vm, &a);
	vm_close(&vm);
}

/*
 * Bug zoo (tests/zoo): cases written for historical VM_BIND bugs that the
 * cases above did not catch.
 *
 * zoo-remap: a remap that leaves only a prev piece.  Two BOs back to
 * back, the tail of the first unmapped: the second must stay mapped
 * (upstream be141849ec00, CVE-2024-36018, unmapped the old mapping's
 * length from the new start, i.e. into the neighbour).  In a sparse
 * region, the prev piece of such a remap, unmapped in its turn, must go
 * back to sparse (c6b9075cfbd6: the pieces lost their region and were
 * unmapped to holes).  The region part uses c, a GART BO (4 KiB pages),
 * and 16 KiB pieces: nvkm itself puts a 64 KiB big PTE back to sparse
 * once none of its small PTEs is in use, which hides the hole; a piece
 * that shares its big page with a mapped one does not.
 */
static void case_zoo_remap(void)
{
	uint64_t va = VA_BASE + 9 * GiB, r0 = va + 64 * MiB, rsz = 2 * MiB;
	struct vm vm;
	struct bo a, b, c;
	struct bind_op o;

	if (!ok(vm_open(&vm, va) == 0, "zoo-remap: VM_INIT"))
		return;
	if (!ok(bo_new(&vm, &a, "a", 128 * KiB, NOUVEAU_GEM_DOMAIN_VRAM) == 0 &&
			bo_new(&vm, &b, "b", 128 * KiB,
			       NOUVEAU_GEM_DOMAIN_VRAM) == 0 &&
			bo_new(&vm, &c, "c", 128 * KiB,
			       NOUVEAU_GEM_DOMAIN_GART) == 0 &&
			a.cpu && b.cpu && c.cpu,
		"zoo-remap: GEM_NEW 2 x 128 KiB VRAM, 128 KiB GART + mmap")) {
		vm_close(&vm);
		return;
	}
	bo_fill(&vm, &a, 0x2a001);
	bo_fill(&vm, &b, 0x2b001);
	bo_fill(&vm, &c, 0x2c001);
	o = op_map(&a, va, a.size, 0);
	ok(vm_bind(&vm, &o) == 0, "zoo-remap: map a");
	o = op_map(&b, va + a.size, b.size, 0);
	ok(vm_bind(&vm, &o) == 0, "zoo-remap: map b right behind a");
	checkpoint("zoo-adjacent");
	o = op_unmap(va + 64 * KiB, 64 * KiB);
	announce(
		"zoo-remap: unmap the tail of a (remap with a prev piece only)");
	ok(vm_bind(&vm, &o) == 0,
	   "zoo-remap: unmap the tail of a (remap with a prev piece only)");
	checkpoint("zoo-tail-unmapped");
	o = op_unmap(va, a.size + b.size);
	ok(vm_bind(&vm, &o) == 0, "zoo-remap: unmap a's piece and b");
	checkpoint("zoo-unmapped");

	o = op_sparse(r0, rsz);
	ok(vm_bind(&vm, &o) == 0, "zoo-remap: sparse region of 2 MiB");
	o = op_map(&c, r0, c.size, 0);
	ok(vm_bind(&vm, &o) == 0, "zoo-remap: map GART BO c in the region");
	o = op_unmap(r0 + 16 * KiB, 16 * KiB);
	ok(vm_bind(&vm, &o) == 0,
	   "zoo-remap: unmap 16 KiB of c in the region (remap: prev and next piece)");
	checkpoint("zoo-sparse-remapped");
	o = op_unmap(r0, 16 * KiB);
	announce("zoo-remap: unmap the remap's prev piece in the region");
	ok(vm_bind(&vm, &o) == 0,
	   "zoo-remap: unmap the remap's prev piece in the region: back to sparse");
	checkpoint("zoo-sparse-prev-unmapped");
	o = op_unsparse(r0, rsz);
	ok(vm_bind(&vm, &o) == 0, "zoo-remap: remove the sparse region");
	checkpoint("zoo-unsparse");
	bo_free(&vm, &a);
	bo_free(&vm, &b);
	bo_free(&vm, &c);
	vm_close(&vm);
}

/*
 * zoo-client: the client state of a VM_BIND client.  GEM_NEW keeps the
 * requested PTE kind (aed9a1a4f710: VM_BIND clients' tile_flags were
 * ignored, the BO came back as kind 0).  The legacy GEM_PUSHBUF is refused
 * with ENOSYS and leaves the client usable (daf8739c3322: the refusal
 * kept the client's mutex, so its next ioctl blocked for ever; a child
 * process tries one, so a stuck task cannot stop the suite).
 */
static void case_zoo_client(void)
{
	uint64_t va = VA_BASE + 10 * GiB;
	struct drm_nouveau_gem_new gn = {
		.info = { .size = 64 * KiB,
			  .domain = NOUVEAU_GEM_DOMAIN_GART,
			  .tile_flags = 0xfe00 },
	};
	struct drm_nouveau_gem_pushbuf pb = { .channel = 0 };
	struct drm_gem_close c = { 0 };
	const char *why;
	struct vm vm;
	pid_t pid;
	int r, st = 0, i;

	if (!ok(vm_open(&vm, va) == 0, "zoo-client: VM_INIT"))
		return;
	r = xioctl(vm.fd, DRM_IOCTL_NOUVEAU_GEM_NEW, &gn);
	ok(r == 0 && ((gn.info.tile_flags >> 8) & 0xff) == 0xfe,
	   "zoo-client: GEM_NEW kind 0xfe on a VM_BIND client reports kind 0xfe (%s, tile_flags 0x%x)",
	   errname(r), gn.info.tile_flags);
	if (r == 0) {
		c.handle = gn.info.handle;
		xioctl(vm.fd, DRM_IOCTL_GEM_CLOSE, &c);
	}
	ok(xioctl(vm.fd, DRM_IOCTL_NOUVEAU_GEM_PUSHBUF, &pb) == ENOSYS,
	   "zoo-client: GEM_PUSHBUF on a VM_BIND client: ENOSYS");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct drm_nouveau_gem_pushbuf pb2 = { .channel = 0 };

		r = xioctl(vm.fd, DRM_IOCTL_NOUVEAU_GEM_PUSHBUF, &pb2);
		_exit(r == ENOSYS ? 0 : 1);
	}
	for (i = 0; pid > 0 && i < 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (pid <= 0)
		why = "fork failed";
	else if (i == 50)
		why = "a second GEM_PUSHBUF blocks for 5 s: the client's mutex was left locked";
	else
		why = "a second GEM_PUSHBUF: ENOSYS";
	ok(pid > 0 && i < 50 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "zoo-client: the client still answers after the refused GEM_PUSHBUF (%s)",
	   why);
	vm_close(&vm);
}

static const struct {
	const char *name;
	void (*run)(void);
	bool dflt;	   /* part of the default suite */
	unsigned int plan; /* its number of tests, printed first (0: at end) */
} cases[] = {
	{ "init", case_init_rules, true, 0 },
	{ "map", case_map_unmap_remap, true, 0 },
	{ "errors", case_errors, true, 0 },
	{ "sparse", case_sparse, true, 0 },
	{ "async", case_async, true, 0 },
	{ "repro-a", case_repro_a, false, 5 },
	{ "repro-b", case_repro_b, false, 6 },
	{ "repro-c", case_repro_c, false, 6 },
	{ "zoo-remap", case_zoo_remap, true, 0 },
	{ "zoo-client", case_zoo_client, true, 0 },
};

int main(int argc, char **argv)
{
	const char *port = NULL;
	bool found = false, planned = false;
	unsigned int i;
	int c;

	while ((c = getopt(argc, argv, "d:co:p:")) != -1) {
		switch (c) {
		case 'o':
			only = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'd':
			dev_path = optarg;
			break;
		case 'c':
			check_mode = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-d DEVICE] [-c] [-p PORT] [-o CASE]\n"
				"cases: init map errors sparse async zoo-remap zoo-client (default), repro-a repro-b repro-c\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (port) {
		int r = proto_open(port);

		if (r) {
			printf("# protocol port %s: %s; using the console\n",
			       port, strerror(r));
		}
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (only && !strcmp(only, cases[i].name))
			found = true;
	if (only && !found) {
		fprintf(stderr, "unknown case %s\n", only);
		return 2;
	}
	report("begin device=%s", dev_path);
	/*
	 * A reproducer's plan comes first: the harness counts what an Oops
	 * kept from running.
	 */
	for (i = 0; only && i < ARRAY_SIZE(cases); i++) {
		if (!strcmp(only, cases[i].name) && cases[i].plan) {
			printf("1..%u\n", cases[i].plan);
			planned = true;
		}
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (only && strcmp(only, cases[i].name))
			continue;
		if (!only && !cases[i].dflt)
			continue;
		cur_case = cases[i].name;
		printf("# case %s\n", cur_case);
		cases[i].run();
	}
	if (!planned)
		printf("1..%u\n", ntest);
	report("end");
	if (check_mode) {
		/* Let the host take its summary while the device is idle. */
		if (!read_answer())
			fprintf(stderr, "no answer from the host\n");
	}
	printf("%u passed, %u failed\n", ntest - nfail, nfail);
	return nfail ? 1 : 0;
}
