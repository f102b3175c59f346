// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nouveau-accel-test: buffer moves through the copy engine, on nouveau
 * with acceleration: the kernel's copy-engine channel only.  Raw ioctls
 * through nouveau's own uAPI header; no channel of its own (user channels
 * and EXEC: nouveau-exec-test.c).
 *
 *   nouveau-accel-test [-d /dev/dri/renderD128] [-v VRAM_MIB]
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

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)
#define BO_SIZE (4 * MiB)
#define MAX_BOS 256
#define KM_ADDR 0x0ULL
#define KM_SIZE (4 * GiB)
#define VA_BASE (8 * GiB)

struct bo {
	uint32_t handle;
	uint64_t map_handle;
	uint32_t seed;
	uint32_t *cpu;
	uint32_t domain; /* GEM_INFO: where it is now */
};

static const char *dev_path = "/dev/dri/renderD128";
static unsigned int ntest, nfail;
static struct bo bos[MAX_BOS];
static unsigned int nbos;
static int fd = -1;

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

static int xioctl(unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r < 0 ? errno : 0;
}

static uint32_t pattern(uint32_t seed, uint32_t i)
{
	uint32_t x = seed * 0x9e3779b1u ^ i * 0x85ebca6bu;

	return x ^ x >> 15;
}

static void bo_fill(struct bo *bo)
{
	uint64_t i;

	for (i = 0; i < BO_SIZE / 4; i++)
		bo->cpu[i] = pattern(bo->seed, i);
	__sync_synchronize();
}

/* Words that differ from the pattern (every 64th word is compared). */
static uint64_t bo_bad_words(const struct bo *bo)
{
	uint64_t i, bad = 0;

	for (i = 0; i < BO_SIZE / 4; i += 64) {
		bad += bo->cpu[i] != pattern(bo->seed, i);
		bad += bo->cpu[i + 63] != pattern(bo->seed, i + 63);
	}
	return bad;
}

static int bo_where(struct bo *bo)
{
	struct drm_nouveau_gem_info info = {.handle = bo->handle};
	int r = xioctl(DRM_IOCTL_NOUVEAU_GEM_INFO, &info);

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

static void case_evict(unsigned int vram_mib)
{
	unsigned int want = vram_mib * MiB * 2 / BO_SIZE, i;
	int r = 0;

	if (want > MAX_BOS)
		want = MAX_BOS;
	for (i = 0; i < want; i++) {
		struct drm_nouveau_gem_new req = {
			.info = {.size = BO_SIZE,
				 .domain = NOUVEAU_GEM_DOMAIN_VRAM},
		};
		struct bo *bo = &bos[i];

		r = xioctl(DRM_IOCTL_NOUVEAU_GEM_NEW, &req);
		if (r)
			break;
		bo->handle = req.info.handle;
		bo->map_handle = req.info.map_handle;
		bo->seed = 0x1000 + i;
		bo->cpu = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, bo->map_handle);
		if (bo->cpu == MAP_FAILED) {
			r = errno;
			break;
		}
		nbos++;
		bo_fill(bo);
	}
	ok(r == 0 && nbos == want,
	   "evict: %u of %u VRAM BOs of 4 MiB created and filled (%s)",
	   nbos, want, strerror(r));
	verify_all("evict");
}

static void case_revalidate(void)
{
	unsigned int i, mapped = 0;
	int r = 0;

	for (i = 0; i < nbos; i++) {
		struct drm_nouveau_vm_bind_op op = {
			.op = DRM_NOUVEAU_VM_BIND_OP_MAP,
			.handle = bos[i].handle,
			.addr = VA_BASE + i * BO_SIZE,
			.range = BO_SIZE,
		};
		struct drm_nouveau_vm_bind req = {
			.op_count = 1,
			.op_ptr = (uintptr_t)&op,
		};

		r = xioctl(DRM_IOCTL_NOUVEAU_VM_BIND, &req);
		if (r) {
			printf("# VM_BIND of BO %u: %s\n", i, strerror(r));
			continue;
		}
		mapped++;
	}
	ok(mapped == nbos, "revalidate: %u of %u BOs mapped by VM_BIND", mapped,
	   nbos);
	verify_all("revalidate");
}

int main(int argc, char **argv)
{
	struct drm_nouveau_vm_init init = {
		.kernel_managed_addr = KM_ADDR,
		.kernel_managed_size = KM_SIZE,
	};
	unsigned int vram_mib = 64;
	int c;

	while ((c = getopt(argc, argv, "d:v:")) != -1) {
		switch (c) {
		case 'd':
			dev_path = optarg;
			break;
		case 'v':
			vram_mib = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-v VRAM_MIB]\n",
				argv[0]);
			return 2;
		}
	}
	printf("TAP version 13\n");
	fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (!ok(fd >= 0, "open %s", dev_path) ||
	    !ok(xioctl(DRM_IOCTL_NOUVEAU_VM_INIT, &init) == 0, "VM_INIT")) {
		printf("1..%u\n%u passed, %u failed\n", ntest, ntest - nfail,
		       nfail);
		return 1;
	}
	case_evict(vram_mib);
	printf("nvvb-accel: phase revalidate\n");
	fflush(stdout);
	case_revalidate();
	printf("1..%u\n%u passed, %u failed\n", ntest, ntest - nfail, nfail);
	return nfail != 0;
}
