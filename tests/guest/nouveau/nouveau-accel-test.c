// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nouveau-accel-test: buffer moves through the copy engine, on nouveau
 * with acceleration: the kernel's copy-engine channel only.  Raw ioctls
 * through nouveau's own uAPI header; no channel of its own (user channels
 * and EXEC: nouveau-exec-test.c).
 *
 *   nouveau-accel-test [-d /dev/dri/renderD128] [-v VRAM_MIB] [-c] [-p PORT]
 *
 * evict: VRAM-only BOs of 4 MiB, each filled through its mapping right
 *   after creation, twice as many bytes as VRAM: TTM evicts the older
 *   ones to GART, which on this kernel is a copy-engine copy VRAM -> GART
 *   ("MM: using COPY"); every BO must still hold its pattern.  (GEM_INFO
 *   reports a VRAM-only BO's valid domain, not where it is: the host
 *   counts the copy engine's launches, gp107-accel.sh.)
 * revalidate: VM_BIND maps every BO; nouveau validates each into VRAM
 *   (GART -> VRAM through the copy engine, evicting others the other
 *   way); every BO must still hold its pattern.
 * evict-mapped: as many new VRAM BOs again, so the mapped ones are
 *   evicted to GART while their VM_BIND mappings stay.
 * rebind: VM_BIND maps every first BO a second time, which validates it
 *   back into VRAM (evicting the new ones).
 *
 * Every request is reported as an "@nvvb" line (nvvb-proto.h); after
 * revalidate, evict-mapped and rebind the test stops at a checkpoint
 * (with -c, until the host answers) so the host can check that every
 * mapping points at its BO's current pages and reads its pattern.
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
#include <unistd.h>

#include <drm/drm.h>
#include <drm/nouveau_drm.h>

#include "nv-tap.h"
#include "nvvb-proto.h"

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)
#define BO_SIZE (4 * MiB)
#define MAX_BOS 512
#define KM_ADDR 0x0ULL
#define KM_SIZE (4 * GiB)
#define VA_BASE (8 * GiB)
/* The second mapping of a BO (rebind), inside the same 1 GiB window. */
#define VA_REBIND (VA_BASE + 512 * MiB)
#define VM_ID 1

struct bo {
	uint32_t handle;
	uint64_t map_handle;
	uint32_t seed;
	uint32_t *cpu;
	uint32_t domain; /* GEM_INFO: where it is now */
};

static const char *dev_path = "/dev/dri/renderD128";
static struct bo bos[MAX_BOS];
static unsigned int nbos;
static int fd = -1;
static bool check_mode;

static void bo_fill(struct bo *bo)
{
	uint64_t i;

	for (i = 0; i < BO_SIZE / 4; i++)
		bo->cpu[i] = nvvb_pattern(bo->seed, i);
	__sync_synchronize();
	report("fill %u b%u seed=0x%x", VM_ID, (unsigned int)(bo - bos),
	       bo->seed);
}

/*
 * Stop until the host has looked (with -c).  @resident: the BO just
 * validated (it must be mapped wherever it is bound), or -1.
 */
static void checkpoint(const char *what, int resident)
{
	if (resident >= 0)
		report("check %u %s resident=b%d", VM_ID, what, resident);
	else
		report("check %u %s", VM_ID, what);
	if (check_mode && !read_answer())
		fprintf(stderr, "no answer from the host\n");
}

/* Words that differ from the pattern (every 64th word is compared). */
static uint64_t bo_bad_words(const struct bo *bo)
{
	uint64_t i, bad = 0;

	for (i = 0; i < BO_SIZE / 4; i += 64) {
		bad += bo->cpu[i] != nvvb_pattern(bo->seed, i);
		bad += bo->cpu[i + 63] != nvvb_pattern(bo->seed, i + 63);
	}
	return bad;
}

static int bo_where(struct bo *bo)
{
	struct drm_nouveau_gem_info info = {.handle = bo->handle};
	int r = xioctl(fd, DRM_IOCTL_NOUVEAU_GEM_INFO, &info);

	if (!r)
		bo->domain = info.domain;
	return r;
}

static bool verify_all(const char *when)
{
	unsigned int i, bad_bos = 0;
	uint64_t bad = 0;

	for (i = 0; i < nbos; i++) {
		uint64_t b = bo_bad_words(&bos[i]);

		if (b) {
			bad_bos++;
			bad += b;
			bo_where(&bos[i]);
			printf("# BO %u (%s): %" PRIu64 " words differ\n", i,
			       bos[i].domain == NOUVEAU_GEM_DOMAIN_VRAM
				       ? "vram"
				       : "gart",
			       b);
		}
	}
	return ok(bad_bos == 0,
		  "%s: %u BOs hold their pattern (%u differ, %" PRIu64
		  " words)",
		  when, nbos - bad_bos, bad_bos, bad);
}

/* Create and fill up to @want more VRAM BOs of BO_SIZE; returns the errno. */
static int bos_create(unsigned int want)
{
	unsigned int end = nbos + want;
	int r = 0;

	if (end > MAX_BOS)
		end = MAX_BOS;
	while (nbos < end) {
		struct drm_nouveau_gem_new req = {
			.info = {.size = BO_SIZE,
				 .domain = NOUVEAU_GEM_DOMAIN_VRAM},
		};
		struct bo *bo = &bos[nbos];

		r = xioctl(fd, DRM_IOCTL_NOUVEAU_GEM_NEW, &req);
		if (r)
			break;
		bo->handle = req.info.handle;
		bo->map_handle = req.info.map_handle;
		bo->seed = 0x1000 + nbos;
		report("bo %u b%u handle=%u size=0x%llx domain=vram kind=0x0",
		       VM_ID, nbos, bo->handle, BO_SIZE);
		bo->cpu = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, bo->map_handle);
		if (bo->cpu == MAP_FAILED) {
			r = errno;
			break;
		}
		nbos++;
		bo_fill(bo);
	}
	return r;
}

/* VM_BIND maps BOs [0, @count) at @va + i * BO_SIZE; returns how many. */
static unsigned int bos_map(unsigned int count, uint64_t va)
{
	unsigned int i, mapped = 0;

	for (i = 0; i < count; i++) {
		struct drm_nouveau_vm_bind_op op = {
			.op = DRM_NOUVEAU_VM_BIND_OP_MAP,
			.handle = bos[i].handle,
			.addr = va + i * BO_SIZE,
			.range = BO_SIZE,
		};
		struct drm_nouveau_vm_bind req = {
			.op_count = 1,
			.op_ptr = (uintptr_t)&op,
		};
		char desc[96];
		int r;

		snprintf(desc, sizeof(desc), "map 0x%llx 0x%llx b%u 0x0",
			 (unsigned long long)op.addr, BO_SIZE, i);
		report("try %u %s", VM_ID, desc);
		r = xioctl(fd, DRM_IOCTL_NOUVEAU_VM_BIND, &req);
		if (r) {
			report("refused %u %d %s", VM_ID, r, desc);
			printf("# VM_BIND of BO %u: %s\n", i, strerror(r));
			continue;
		}
		report("op %u %s", VM_ID, desc);
		mapped++;
	}
	return mapped;
}

static void case_evict(unsigned int want)
{
	int r = bos_create(want);

	ok(r == 0 && nbos == want,
	   "evict: %u of %u VRAM BOs of 4 MiB created and filled (%s)",
	   nbos, want, strerror(r));
	verify_all("evict");
}

static void case_revalidate(unsigned int count)
{
	unsigned int mapped = bos_map(count, VA_BASE);

	ok(mapped == count, "revalidate: %u of %u BOs mapped by VM_BIND",
	   mapped, count);
	verify_all("revalidate");
	checkpoint("revalidate", (int)count - 1);
}

/* Push the mapped BOs out to GART; their mappings must follow them. */
static void case_evict_mapped(unsigned int want)
{
	unsigned int before = nbos;
	int r = bos_create(want);

	ok(r == 0 && nbos == before + want,
	   "evict-mapped: %u more VRAM BOs created and filled (%s)",
	   nbos - before, strerror(r));
	verify_all("evict-mapped");
	checkpoint("evict-mapped", -1);
}

/* A second mapping validates each first BO back into VRAM. */
static void case_rebind(unsigned int count)
{
	unsigned int mapped = bos_map(count, VA_REBIND);

	ok(mapped == count, "rebind: %u of %u BOs mapped a second time",
	   mapped, count);
	verify_all("rebind");
	checkpoint("rebind", (int)count - 1);
}

int main(int argc, char **argv)
{
	struct drm_nouveau_vm_init init = {
		.kernel_managed_addr = KM_ADDR,
		.kernel_managed_size = KM_SIZE,
	};
	unsigned int vram_mib = 64, want;
	const char *port = NULL;
	int c;

	while ((c = getopt(argc, argv, "d:v:cp:")) != -1) {
		switch (c) {
		case 'd':
			dev_path = optarg;
			break;
		case 'v':
			vram_mib = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			check_mode = true;
			break;
		case 'p':
			port = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-d DEV] [-v VRAM_MIB] [-c] [-p PORT]\n",
				argv[0]);
			return 2;
		}
	}
	printf("TAP version 13\n");
	if (port && proto_open(port)) {
		fprintf(stderr, "cannot open %s: %s\n", port, strerror(errno));
		return 2;
	}
	/* Twice VRAM in BOs, at most half of the BO table per phase. */
	want = vram_mib * MiB * 2 / BO_SIZE;
	if (want > MAX_BOS / 2)
		want = MAX_BOS / 2;
	fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (!ok(fd >= 0, "open %s", dev_path) ||
	    !ok(xioctl(fd, DRM_IOCTL_NOUVEAU_VM_INIT, &init) == 0, "VM_INIT")) {
		printf("1..%u\n%u passed, %u failed\n", ntest, ntest - nfail,
		       nfail);
		return 1;
	}
	report("vm %u case=accel evictable=1 start=0x0 range=0x%llx kstart=0x%llx krange=0x%llx window=0x%llx,0x%llx",
	       VM_ID, 1ULL << 47, KM_ADDR, KM_SIZE, VA_BASE, GiB);
	case_evict(want);
	printf("nvvb-accel: phase revalidate\n");
	fflush(stdout);
	case_revalidate(want);
	case_evict_mapped(want);
	case_rebind(want);
	report("end");
	if (check_mode && !read_answer())
		fprintf(stderr, "no answer from the host\n");
	printf("1..%u\n%u passed, %u failed\n", ntest, ntest - nfail, nfail);
	return nfail != 0;
}
