// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nouveau-exec-test: user channels and DRM_NOUVEAU_EXEC on the unmodified
 * nouveau, through the emulated copy engine (issue 13, tier 2).  Raw
 * ioctls through nouveau's own uAPI header; every push carries its own
 * SET_OBJECT (the kernel binds no subchannel on user channels).
 *
 *   nouveau-exec-test [-d /dev/dri/renderD128] [-v VRAM_MIB] [-F] [-p PORT]
 *
 * -p PORT: after each EXEC waited for, while its BOs are still mapped,
 *   write "@nvvb ce-check NAME chans=C,... bytes=N" to the serial port PORT
 *   (raw) and wait for the host's answer line: the host compares every
 *   access the device recorded for those channels with the VM's page
 *   tables (scripts/guest/gp107-ce-check.py).
 *
 * exec: two copy-engine channels (CHANNEL_ALLOC, fb_ctxdma_handle ~0,
 *   tt_ctxdma_handle NOUVEAU_FIFO_ENGINE_CE) in one VM.  EXEC 1 on channel A
 *   copies src (VRAM) to mid (GART) and signals syncobj s1; EXEC 2 on
 *   channel B waits for s1, copies mid to dst (VRAM), writes a marker
 *   word (the copy engine's semaphore) over dst's last word and fills a
 *   64 KiB BO with a constant (the copy engine's remap of CONST_A),
 *   signalling s2.  After SYNCOBJ_WAIT(s2) dst must be src's pattern with
 *   the marker, and the fill BO the constant.
 * extobj: a BO exported (PRIME) from this VM and imported into a second
 *   VM (second open file, second VM_INIT); each VM maps it at its own VA.
 *   VM 1 copies its src into it, VM 2 copies it into a BO of its own
 *   (its EXEC waits on VM 1's syncobj): VM 2's BO must hold VM 1's pattern.
 * evict: two VRAM-only BOs mapped in the VM; after an EXEC, twice VRAM's
 *   size of other BOs is created and filled, so TTM evicts both; the next
 *   EXEC's drm_gpuvm_exec_lock / exec_validate must move them back
 *   (without that their 64 KiB/2 MiB PTEs stay unmapped and the copy
 *   faults), and the copy must hold the pattern.
 * -F (fault, alone: the kernel logs the fault): a push copying into a VA
 *   no VM_BIND mapped.  nouveau must log the fault and kill the channel:
 *   the EXEC's syncobj signals, a later EXEC on that channel is refused
 *   with ENODEV, and a new channel in the same VM copies correctly.
 *
 * Output is TAP, then "N passed, N failed".
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
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/nouveau_drm.h>

#include "nv-tap.h"
#include "nvvb-proto.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define KM_ADDR 0x0ULL
#define KM_SIZE (4 * GiB)
#define VA_BASE (8 * GiB)
#define UNMAPPED_VA (64 * GiB) /* inside the VM, never mapped */
#define PUSH_SIZE (64 * KiB)
#define PUSH_SLOT 256 /* bytes per EXEC's push */
#define LINE 4096u
#define WAIT_NS (20ULL * 1000 * 1000 * 1000)

#define SUBC_CE 4
#define CLASS_COPY 0xc0b5 /* PASCAL_DMA_COPY_A */

/* Method header, incrementing: count, subchannel, method. */
#define PUSH_INC(n, sc, m) (0x20000000u | (n) << 16 | (sc) << 13 | (m) >> 2)
/* Immediate-data method header. */
#define PUSH_IMM(d, sc, m) (0x80000000u | (d) << 16 | (sc) << 13 | (m) >> 2)

/* PASCAL_DMA_COPY_A methods (NVIDIA's clc0b5.h) */
#define CE_SET_OBJECT 0x000
#define CE_SEMAPHORE_A 0x240
#define CE_LAUNCH_DMA 0x300
#define CE_OFFSET_IN_UPPER 0x400
/* LAUNCH_DMA: non-pipelined, flush, pitch in/out, multi-line */
#define CE_LAUNCH_COPY 0x386u
/* LAUNCH_DMA: no transfer, flush, one-word semaphore release */
#define CE_LAUNCH_SEM 0x00cu
/* LAUNCH_DMA: CE_LAUNCH_COPY + remap (components from SET_REMAP_*) */
#define CE_LAUNCH_REMAP 0x786u
#define CE_SET_REMAP_CONST_A 0x700
/* SET_REMAP_COMPONENTS: DST_X = CONST_A, 4-byte components, 1 src, 1 dst */
#define CE_REMAP_FILL32 (4u | 3u << 16)
#define FILL_WORD 0x5eedf111u

struct vm {
	int fd;
	uint32_t push;
	uint32_t *push_cpu;
	uint64_t push_va;
	unsigned int push_used;
	uint64_t next_va;
};

struct bo {
	uint32_t handle;
	uint32_t *cpu;
	uint64_t size;
	uint64_t va;
};

static const char *dev_path = "/dev/dri/renderD128";
static bool proto_on;	/* -p: the host checks at each stop */

/*
 * Stop for the host's check of the copy engine's accesses of channels
 * @chans (@n of them), which wrote at least @bytes; no-op without -p.
 */
static void ce_check(const char *name, const int *chans, unsigned int n,
		     uint64_t bytes)
{
	char list[160];
	int len = 0, i;

	if (!proto_on)
		return;
	list[0] = '\0';
	for (i = 0; i < (int)n && len < (int)sizeof(list) - 16; i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%d",
				i ? "," : "", chans[i]);
	report("ce-check %s chans=%s bytes=%" PRIu64, name, list, bytes);
	read_answer();
}

/*
 * Tell the host that what channels did so far is not to be checked: their
 * ids (and page directories) may be reused from a previous process, whose
 * teardown still ran fences in VMs that no longer exist.
 */
static void ce_mark(void)
{
	if (!proto_on)
		return;
	report("ce-mark");
	read_answer();
}

/*
 * Stop for the host to check that @va (@n of them) translate to nothing in
 * channel @chan's VM right now (evicted BOs whose PTEs nouveau removed).
 */
static void expect_unmapped(const char *name, int chan, const uint64_t *va,
			    unsigned int n)
{
	char list[200];
	int len = 0, i;

	if (!proto_on)
		return;
	list[0] = '\0';
	for (i = 0; i < (int)n && len < (int)sizeof(list) - 24; i++)
		len += snprintf(list + len, sizeof(list) - len, "%s0x%" PRIx64,
				i ? "," : "", va[i]);
	report("expect-unmapped %s chan=%d va=%s", name, chan, list);
	read_answer();
}

static uint32_t pattern(uint32_t seed, uint64_t i)
{
	uint32_t x = seed * 0x9e3779b1u ^ (uint32_t)i * 0x85ebca6bu;

	return x ^ x >> 15;
}

static void bo_fill(struct bo *bo, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < bo->size / 4; i++)
		bo->cpu[i] = pattern(seed, i);
	__sync_synchronize();
}

/* Words of @bo that differ from @seed's pattern; @marker replaces the last. */
static uint64_t bo_bad(const struct bo *bo, uint32_t seed, bool marker,
		       uint32_t mark)
{
	uint64_t i, n = bo->size / 4, bad = 0;

	for (i = 0; i < n; i++) {
		uint32_t want = marker && i == n - 1 ? mark : pattern(seed, i);

		if (bo->cpu[i] != want) {
			if (!bad)
				printf("# word %" PRIu64 ": %08x, want %08x\n",
				       i, bo->cpu[i], want);
			bad++;
		}
	}
	return bad;
}

static int vm_open(struct vm *vm)
{
	struct drm_nouveau_vm_init init = {
		.kernel_managed_addr = KM_ADDR,
		.kernel_managed_size = KM_SIZE,
	};

	memset(vm, 0, sizeof(*vm));
	vm->next_va = VA_BASE;
	vm->fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (vm->fd < 0)
		return errno;
	return xioctl(vm->fd, DRM_IOCTL_NOUVEAU_VM_INIT, &init);
}

static int bo_mmap(struct vm *vm, struct bo *bo, uint64_t map_handle)
{
	bo->cpu = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, map_handle);
	return bo->cpu == MAP_FAILED ? errno : 0;
}

static int bo_bind(struct vm *vm, struct bo *bo, uint32_t op_kind)
{
	struct drm_nouveau_vm_bind_op op = {
		.op = op_kind,
		.handle = op_kind == DRM_NOUVEAU_VM_BIND_OP_MAP ? bo->handle : 0,
		.addr = bo->va,
		.range = bo->size,
	};
	struct drm_nouveau_vm_bind req = {
		.op_count = 1,
		.op_ptr = (uintptr_t)&op,
	};

	return xioctl(vm->fd, DRM_IOCTL_NOUVEAU_VM_BIND, &req);
}

/* A BO of @size in @domain, mmapped and VM_BIND-mapped at the next VA. */
static int bo_new(struct vm *vm, struct bo *bo, uint64_t size,
		  uint32_t domain)
{
	struct drm_nouveau_gem_new req = {
		.info = {.size = size, .domain = domain},
	};
	int r;

	memset(bo, 0, sizeof(*bo));
	r = xioctl(vm->fd, DRM_IOCTL_NOUVEAU_GEM_NEW, &req);
	if (r)
		return r;
	bo->handle = req.info.handle;
	bo->size = size;
	r = bo_mmap(vm, bo, req.info.map_handle);
	if (r)
		return r;
	/* 2 MiB-aligned VAs: any page size nouveau picks fits. */
	bo->va = vm->next_va;
	vm->next_va += (size + 2 * MiB - 1) & ~(2 * MiB - 1);
	return bo_bind(vm, bo, DRM_NOUVEAU_VM_BIND_OP_MAP);
}

static int push_init(struct vm *vm)
{
	struct bo bo;
	int r = bo_new(vm, &bo, PUSH_SIZE,
		       NOUVEAU_GEM_DOMAIN_GART | NOUVEAU_GEM_DOMAIN_NO_SHARE);

	vm->push = bo.handle;
	vm->push_cpu = bo.cpu;
	vm->push_va = bo.va;
	return r;
}

static int chan_new(struct vm *vm, int *chan)
{
	struct drm_nouveau_channel_alloc req = {
		.fb_ctxdma_handle = ~0u,
		.tt_ctxdma_handle = NOUVEAU_FIFO_ENGINE_CE,
	};
	int r = xioctl(vm->fd, DRM_IOCTL_NOUVEAU_CHANNEL_ALLOC, &req);

	*chan = req.channel;
	return r;
}

static int syncobj_new(struct vm *vm, uint32_t *handle)
{
	struct drm_syncobj_create req = {0};
	int r = xioctl(vm->fd, DRM_IOCTL_SYNCOBJ_CREATE, &req);

	*handle = req.handle;
	return r;
}

static int syncobj_wait(struct vm *vm, uint32_t handle)
{
	struct timespec ts;
	struct drm_syncobj_wait req = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	req.timeout_nsec = ts.tv_sec * 1000000000LL + ts.tv_nsec + WAIT_NS;
	return xioctl(vm->fd, DRM_IOCTL_SYNCOBJ_WAIT, &req);
}

/* Share a syncobj of @from with @to (through a file descriptor). */
static int syncobj_share(struct vm *from, uint32_t h, struct vm *to,
			 uint32_t *out)
{
	struct drm_syncobj_handle exp = {.handle = h};
	struct drm_syncobj_handle imp = {0};
	int r = xioctl(from->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &exp);

	if (r)
		return r;
	imp.fd = exp.fd;
	r = xioctl(to->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp);
	close(exp.fd);
	*out = imp.handle;
	return r;
}

/* The next push slot; its GPU VA in *va. */
static uint32_t *push_begin(struct vm *vm, uint64_t *va)
{
	uint32_t *p;

	if (vm->push_used + PUSH_SLOT > PUSH_SIZE)
		vm->push_used = 0;
	p = vm->push_cpu + vm->push_used / 4;
	*va = vm->push_va + vm->push_used;
	vm->push_used += PUSH_SLOT;
	return p;
}

/*
 * A copy of @len bytes (whole LINEs) from @src to @dst as LINE-byte lines,
 * then, if @mark_va, a one-word semaphore release of @mark there.
 * Returns the push's length in bytes.
 */
static uint32_t push_copy(uint32_t *p, uint64_t src, uint64_t dst,
			  uint64_t len, uint64_t mark_va, uint32_t mark)
{
	uint32_t *s = p;

	*p++ = PUSH_INC(1, SUBC_CE, CE_SET_OBJECT);
	*p++ = CLASS_COPY;
	*p++ = PUSH_INC(8, SUBC_CE, CE_OFFSET_IN_UPPER);
	*p++ = src >> 32;
	*p++ = (uint32_t)src;
	*p++ = dst >> 32;
	*p++ = (uint32_t)dst;
	*p++ = LINE;
	*p++ = LINE;
	*p++ = LINE;
	*p++ = (uint32_t)(len / LINE);
	*p++ = PUSH_IMM(CE_LAUNCH_COPY, SUBC_CE, CE_LAUNCH_DMA);
	if (mark_va) {
		*p++ = PUSH_INC(3, SUBC_CE, CE_SEMAPHORE_A);
		*p++ = mark_va >> 32;
		*p++ = (uint32_t)mark_va;
		*p++ = mark;
		*p++ = PUSH_IMM(CE_LAUNCH_SEM, SUBC_CE, CE_LAUNCH_DMA);
	}
	__sync_synchronize();
	return (uint32_t)((p - s) * 4);
}

/*
 * Append to the push at @p (@len bytes so far) a fill of @bytes (a
 * multiple of 4) at @dst with FILL_WORD: the copy engine's remap of a
 * constant.  Returns the new length.
 */
static uint32_t push_fill(uint32_t *p, uint32_t len, uint64_t dst,
			  uint64_t bytes)
{
	uint32_t *s = p;

	p += len / 4;
	*p++ = PUSH_INC(3, SUBC_CE, CE_SET_REMAP_CONST_A);
	*p++ = FILL_WORD;
	*p++ = 0;
	*p++ = CE_REMAP_FILL32;
	*p++ = PUSH_INC(8, SUBC_CE, CE_OFFSET_IN_UPPER);
	*p++ = 0;
	*p++ = 0;
	*p++ = dst >> 32;
	*p++ = (uint32_t)dst;
	*p++ = 0;
	*p++ = (uint32_t)bytes;
	*p++ = (uint32_t)(bytes / 4);	/* components */
	*p++ = 1;
	*p++ = PUSH_IMM(CE_LAUNCH_REMAP, SUBC_CE, CE_LAUNCH_DMA);
	__sync_synchronize();
	return (uint32_t)((p - s) * 4);
}

/* EXEC one push on @chan; @wait / @sig are syncobjs (0: none). */
static int exec_push(struct vm *vm, int chan, uint64_t va, uint32_t len,
		     uint32_t wait, uint32_t sig)
{
	struct drm_nouveau_exec_push push = {.va = va, .va_len = len};
	struct drm_nouveau_sync w = {.flags = DRM_NOUVEAU_SYNC_SYNCOBJ,
				     .handle = wait};
	struct drm_nouveau_sync s = {.flags = DRM_NOUVEAU_SYNC_SYNCOBJ,
				     .handle = sig};
	struct drm_nouveau_exec req = {
		.channel = chan,
		.push_count = 1,
		.push_ptr = (uintptr_t)&push,
		.wait_count = wait ? 1 : 0,
		.wait_ptr = (uintptr_t)&w,
		.sig_count = sig ? 1 : 0,
		.sig_ptr = (uintptr_t)&s,
	};

	return xioctl(vm->fd, DRM_IOCTL_NOUVEAU_EXEC, &req);
}

/* Copy @src to @dst on @chan (+ marker over dst's last word); wait. */
static int exec_copy(struct vm *vm, int chan, struct bo *src, struct bo *dst,
		     uint32_t wait, uint32_t sig, bool marker, uint32_t mark)
{
	uint64_t va;
	uint32_t *p = push_begin(vm, &va);
	uint32_t len = push_copy(p, src->va, dst->va, dst->size,
				 marker ? dst->va + dst->size - 4 : 0, mark);

	return exec_push(vm, chan, va, len, wait, sig);
}

static void case_exec(struct vm *vm)
{
	struct bo src = {0}, mid = {0}, dst = {0}, fill = {0};
	uint64_t i, bad_fill = 0, va;
	uint32_t *p, len;
	int a = -1, b = -1, r;
	uint32_t s1 = 0, s2 = 0;

	r = bo_new(vm, &src, MiB,
		   NOUVEAU_GEM_DOMAIN_VRAM | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	r = r ?: bo_new(vm, &mid, MiB,
			NOUVEAU_GEM_DOMAIN_GART | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	r = r ?: bo_new(vm, &dst, MiB,
			NOUVEAU_GEM_DOMAIN_VRAM | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	r = r ?: bo_new(vm, &fill, 64 * KiB,
			NOUVEAU_GEM_DOMAIN_GART | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	if (!ok(r == 0,
		"exec: src (VRAM), mid (GART), dst (VRAM), fill (GART) created and mapped (%s)",
		strerror(r)))
		return;
	bo_fill(&src, 0x51);
	memset(mid.cpu, 0, mid.size);
	memset(dst.cpu, 0, dst.size);
	memset(fill.cpu, 0, fill.size);
	r = chan_new(vm, &a);
	r = r ?: chan_new(vm, &b);
	if (!ok(r == 0,
		"exec: CHANNEL_ALLOC on the copy engine: channels %d, %d (%s)",
		a, b, strerror(r)))
		return;
	r = syncobj_new(vm, &s1);
	r = r ?: syncobj_new(vm, &s2);
	r = r ?: exec_copy(vm, a, &src, &mid, 0, s1, false, 0);
	ok(r == 0, "exec: EXEC 1 (channel %d: src -> mid, signals s1): %s", a,
	   strerror(r));
	if (r == 0) {
		p = push_begin(vm, &va);
		len = push_copy(p, mid.va, dst.va, dst.size,
				dst.va + dst.size - 4, 0xc0ffee01);
		len = push_fill(p, len, fill.va, fill.size);
		r = exec_push(vm, b, va, len, s1, s2);
	}
	ok(r == 0,
	   "exec: EXEC 2 (channel %d: waits s1, mid -> dst + marker, fill, signals s2): %s",
	   b, strerror(r));
	r = r ?: syncobj_wait(vm, s2);
	ok(r == 0, "exec: SYNCOBJ_WAIT s2: %s", strerror(r));
	if (r == 0) {
		int chans[] = {a, b};

		ce_check("exec", chans, 2, 2 * MiB + 64 * KiB);
	}
	ok(bo_bad(&mid, 0x51, false, 0) == 0, "exec: mid holds src's pattern");
	ok(bo_bad(&dst, 0x51, true, 0xc0ffee01) == 0,
	   "exec: dst holds src's pattern and the marker word");
	for (i = 0; i < fill.size / 4; i++)
		bad_fill += fill.cpu[i] != FILL_WORD;
	ok(bad_fill == 0,
	   "exec: the copy engine's remap of a constant filled 64 KiB with %08x (%llu words differ)",
	   FILL_WORD, (unsigned long long)bad_fill);
}

static void case_extobj(struct vm *vm1)
{
	struct vm vm2;
	struct bo src = {0}, shared1 = {0}, shared2, dst = {0};
	struct drm_prime_handle exp = {0}, imp = {0};
	int c1 = -1, c2 = -1, r;
	uint32_t s1 = 0, s1_in2 = 0, s2 = 0;

	r = vm_open(&vm2);
	r = r ?: push_init(&vm2);
	if (!ok(r == 0, "extobj: second open file with its own VM (%s)",
		strerror(r)))
		return;
	/* Shareable (no NO_SHARE): its own reservation, an extobj. */
	r = bo_new(vm1, &src, MiB,
		   NOUVEAU_GEM_DOMAIN_VRAM | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	r = r ?: bo_new(vm1, &shared1, MiB, NOUVEAU_GEM_DOMAIN_VRAM);
	exp.handle = shared1.handle;
	exp.flags = DRM_CLOEXEC | DRM_RDWR;
	r = r ?: xioctl(vm1->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);
	imp.fd = exp.fd;
	r = r ?: xioctl(vm2.fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp);
	if (exp.fd > 0)
		close(exp.fd);
	memset(&shared2, 0, sizeof(shared2));
	shared2.handle = imp.handle;
	shared2.size = MiB;
	shared2.va = vm2.next_va + 6 * MiB; /* another VA than in VM 1 */
	vm2.next_va = shared2.va + 2 * MiB;
	r = r ?: bo_bind(&vm2, &shared2, DRM_NOUVEAU_VM_BIND_OP_MAP);
	r = r ?: bo_new(&vm2, &dst, MiB,
			NOUVEAU_GEM_DOMAIN_GART | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	if (!ok(r == 0, "extobj: BO exported from VM 1 (VA 0x%" PRIx64
		") and mapped in VM 2 (VA 0x%" PRIx64 ") (%s)", shared1.va,
		shared2.va, strerror(r)))
		return;
	bo_fill(&src, 0x77);
	memset(dst.cpu, 0, dst.size);
	r = chan_new(vm1, &c1);
	r = r ?: chan_new(&vm2, &c2);
	r = r ?: syncobj_new(vm1, &s1);
	r = r ?: syncobj_new(&vm2, &s2);
	r = r ?: syncobj_share(vm1, s1, &vm2, &s1_in2);
	r = r ?: exec_copy(vm1, c1, &src, &shared1, 0, s1, false, 0);
	r = r ?: exec_copy(&vm2, c2, &shared2, &dst, s1_in2, s2, false, 0);
	ok(r == 0,
	   "extobj: VM 1 copies into the shared BO, VM 2 (waiting on VM 1's syncobj) copies it out: %s",
	   strerror(r));
	r = r ?: syncobj_wait(&vm2, s2);
	ok(r == 0, "extobj: SYNCOBJ_WAIT on VM 2's EXEC: %s", strerror(r));
	if (r == 0) {
		int chans[] = {c1, c2};

		ce_check("extobj", chans, 2, 2 * MiB);
	}
	ok(bo_bad(&dst, 0x77, false, 0) == 0,
	   "extobj: VM 2's BO holds VM 1's pattern");
	close(vm2.fd);
}

static void case_evict(struct vm *vm, unsigned int vram_mib)
{
	struct bo a = {0}, b = {0}, c = {0};
	uint32_t fill[64];
	unsigned int want = vram_mib * 2 / 4, n = 0, i;
	int chan = -1, r;
	uint32_t s = 0;

	if (want > 64)
		want = 64;
	r = bo_new(vm, &a, 4 * MiB, NOUVEAU_GEM_DOMAIN_VRAM);
	r = r ?: bo_new(vm, &b, 4 * MiB, NOUVEAU_GEM_DOMAIN_VRAM);
	r = r ?: chan_new(vm, &chan);
	r = r ?: syncobj_new(vm, &s);
	if (!ok(r == 0, "evict: two VRAM-only 4 MiB BOs, a channel (%s)",
		strerror(r)))
		return;
	bo_fill(&a, 0x99);
	memset(b.cpu, 0, b.size);
	r = exec_copy(vm, chan, &a, &b, 0, s, false, 0);
	r = r ?: syncobj_wait(vm, s);
	if (r == 0)
		ce_check("evict-before", &chan, 1, 4 * MiB);
	ok(r == 0 && bo_bad(&b, 0x99, false, 0) == 0,
	   "evict: EXEC a -> b before the pressure (%s)", strerror(r));
	/*
	 * Twice VRAM of other VRAM BOs: each is placed in VRAM when created,
	 * so TTM evicts the least recently used, a and b among them, to GART.
	 * Their 2 MiB-page placement differs from GART's 4 KiB pages, so
	 * nouveau_bo_move_ntfy unmaps them from the VM (the host checks that).
	 */
	for (i = 0; i < want; i++) {
		struct drm_nouveau_gem_new req = {
			.info = {.size = 4 * MiB,
				 .domain = NOUVEAU_GEM_DOMAIN_VRAM},
		};

		if (xioctl(vm->fd, DRM_IOCTL_NOUVEAU_GEM_NEW, &req))
			break;
		fill[n++] = req.info.handle;
	}
	ok(n == want, "evict: %u of %u pressure BOs of 4 MiB created", n, want);
	for (i = 0; i < n; i++) {
		struct drm_gem_close cl = {.handle = fill[i]};

		xioctl(vm->fd, DRM_IOCTL_GEM_CLOSE, &cl);
	}
	{
		uint64_t vas[] = {a.va, b.va};

		expect_unmapped("evict", chan, vas, 2);
	}
	/* c: new, so validation of a and b must make room again. */
	r = bo_new(vm, &c, 4 * MiB, NOUVEAU_GEM_DOMAIN_VRAM);
	memset(c.cpu, 0, c.size);
	r = r ?: exec_copy(vm, chan, &b, &c, 0, s, true, 0xc0ffee02);
	r = r ?: syncobj_wait(vm, s);
	if (r == 0)
		ce_check("evict-after", &chan, 1, 4 * MiB);
	ok(r == 0,
	   "evict: EXEC b -> c after the pressure (exec_lock + validate moved the evicted BOs back): %s",
	   strerror(r));
	ok(bo_bad(&c, 0x99, true, 0xc0ffee02) == 0,
	   "evict: c holds a's pattern and the marker");
	ok(bo_bad(&a, 0x99, false, 0) == 0, "evict: a still holds its pattern");
}

static void case_fault(struct vm *vm)
{
	struct bo src = {0}, dst = {0};
	int bad = -1, good = -1, r;
	uint32_t s = 0;
	uint64_t va;
	uint32_t *p, len;

	r = bo_new(vm, &src, MiB,
		   NOUVEAU_GEM_DOMAIN_VRAM | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	r = r ?: bo_new(vm, &dst, MiB,
			NOUVEAU_GEM_DOMAIN_GART | NOUVEAU_GEM_DOMAIN_NO_SHARE);
	r = r ?: chan_new(vm, &bad);
	r = r ?: syncobj_new(vm, &s);
	if (!ok(r == 0, "fault: BOs, channel %d (%s)", bad, strerror(r)))
		return;
	bo_fill(&src, 0x33);
	memset(dst.cpu, 0, dst.size);
	printf("nvvb-exec: fault case: channel %d copies to unmapped VA 0x%llx\n",
	       bad, (unsigned long long)UNMAPPED_VA);
	fflush(stdout);
	p = push_begin(vm, &va);
	len = push_copy(p, src.va, UNMAPPED_VA, MiB, 0, 0);
	r = exec_push(vm, bad, va, len, 0, s);
	ok(r == 0, "fault: EXEC of a copy to an unmapped VA accepted (%s)",
	   strerror(r));
	r = r ?: syncobj_wait(vm, s);
	ok(r == 0,
	   "fault: its syncobj signals (the channel was killed, not hung): %s",
	   strerror(r));
	/* nouveau marks the channel killed from a work item: give it time. */
	for (int i = 0; i < 50; i++) {
		p = push_begin(vm, &va);
		len = push_copy(p, src.va, dst.va, MiB, 0, 0);
		r = exec_push(vm, bad, va, len, 0, 0);
		if (r == ENODEV)
			break;
		usleep(100 * 1000);
	}
	ok(r == ENODEV, "fault: a later EXEC on the killed channel is refused (%s)", strerror(r));
	/* The device is healthy: a new channel in the same VM works. */
	r = chan_new(vm, &good);
	ce_mark();
	r = r ?: exec_copy(vm, good, &src, &dst, 0, s, true, 0xc0ffee03);
	r = r ?: syncobj_wait(vm, s);
	if (r == 0)
		ce_check("after-fault", &good, 1, MiB);
	ok(r == 0 && bo_bad(&dst, 0x33, true, 0xc0ffee03) == 0,
	   "fault: a new channel %d copies correctly afterwards (%s)", good,
	   strerror(r));
}

int main(int argc, char **argv)
{
	struct vm vm;
	unsigned int vram_mib = 64;
	bool fault = false;
	int c, r;

	while ((c = getopt(argc, argv, "d:v:Fp:")) != -1) {
		switch (c) {
		case 'd':
			dev_path = optarg;
			break;
		case 'v':
			vram_mib = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			fault = true;
			break;
		case 'p':
			r = proto_open(optarg);
			proto_on = !r;
			if (r)
				printf("# protocol port %s: %s; no host checks\n",
				       optarg, strerror(r));
			break;
		default:
			fprintf(stderr,
				"usage: %s [-d DEV] [-v VRAM_MIB] [-F] [-p PORT]\n",
				argv[0]);
			return 2;
		}
	}
	printf("TAP version 13\n");
	r = vm_open(&vm);
	r = r ?: push_init(&vm);
	if (!ok(r == 0, "open %s, VM_INIT, push BO mapped (%s)", dev_path,
		strerror(r))) {
		printf("1..%u\n%u passed, %u failed\n", ntest, ntest - nfail,
		       nfail);
		return 1;
	}
	ce_mark();
	if (fault) {
		case_fault(&vm);
	} else {
		case_exec(&vm);
		case_extobj(&vm);
		case_evict(&vm, vram_mib);
	}
	printf("1..%u\n%u passed, %u failed\n", ntest, ntest - nfail, nfail);
	return nfail != 0;
}
