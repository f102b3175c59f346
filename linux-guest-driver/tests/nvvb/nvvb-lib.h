/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the nvvb guest tests and benchmarks: the driver's uAPI as
 * functions returning 0 or -errno, and the debugfs VA-space dump parsed.
 */
#ifndef NVVB_LIB_H
#define NVVB_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xf86drm.h>

#include "nvvb_drm.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define NV_VA_END (1ULL << 47)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Open the nvvb render node; -errno if there is none. */
int nv_open(void);
/* Any ioctl: 0 or -errno (retries EINTR/EAGAIN as drmIoctl does). */
int nv_ioctl(int fd, unsigned long req, void *arg);
int nv_getparam(int fd, uint64_t param, uint64_t *val);
uint64_t nv_param(int fd, uint64_t param);	/* 0 on error */

int nv_gem_new(int fd, uint64_t size, uint32_t domain, uint32_t flags,
	       uint32_t *handle);
int nv_gem_info(int fd, uint32_t handle, struct drm_nvvb_gem_info *info);
int nv_gem_evict(int fd, uint32_t handle);
int nv_gem_close(int fd, uint32_t handle);
void *nv_mmap(int fd, uint32_t handle, uint64_t size);
uint32_t nv_bo_id(int fd, uint32_t handle);	/* device id, 0 if none */

int nv_vm_init(int fd, uint64_t kaddr, uint64_t ksize);
uint32_t nv_vm_id(int fd);			/* ~0u if none */

struct drm_nvvb_vm_bind_op nv_op_map(uint32_t handle, uint64_t va,
				     uint64_t offset, uint64_t range,
				     uint32_t flags);
struct drm_nvvb_vm_bind_op nv_op_unmap(uint64_t va, uint64_t range);
struct drm_nvvb_vm_bind_op nv_op_sparse(uint64_t va, uint64_t range);
struct drm_nvvb_vm_bind_op nv_op_unsparse(uint64_t va, uint64_t range);

int nv_bind(int fd, const struct drm_nvvb_vm_bind_op *ops, uint32_t n,
	    uint32_t flags, const struct drm_nvvb_sync *waits, uint32_t nwait,
	    const struct drm_nvvb_sync *sigs, uint32_t nsig);
int nv_map(int fd, uint32_t handle, uint64_t va, uint64_t offset,
	   uint64_t range);
int nv_unmap(int fd, uint64_t va, uint64_t range);
int nv_sparse(int fd, uint64_t va, uint64_t range);
int nv_unsparse(int fd, uint64_t va, uint64_t range);

struct drm_nvvb_exec_cmd nv_cmd_copy(uint64_t src, uint64_t dst, uint64_t len);
struct drm_nvvb_exec_cmd nv_cmd_fill(uint64_t dst, uint64_t len,
				     uint32_t pattern);
struct drm_nvvb_exec_cmd nv_cmd_sem(uint64_t dst, uint64_t value);
int nv_exec(int fd, const struct drm_nvvb_exec_cmd *cmds, uint32_t n,
	    uint32_t flags, const struct drm_nvvb_sync *waits, uint32_t nwait,
	    const struct drm_nvvb_sync *sigs, uint32_t nsig);

struct drm_nvvb_sync nv_sync(uint32_t handle);
struct drm_nvvb_sync nv_sync_tl(uint32_t handle, uint64_t point);

/* The VA space of one VM as the driver's debugfs shows it. */
#define NV_DUMP_MAX 8192
#define NV_DUMP_MAX_REGIONS 256
struct nv_dump_map {
	uint64_t va, range, offset;
	uint32_t bo, flags;
};
struct nv_dump_region {
	uint64_t va, range;
};
struct nv_dump {
	uint32_t id;
	uint64_t kaddr, ksize;
	int nmaps, nregions;
	struct nv_dump_map maps[NV_DUMP_MAX];
	struct nv_dump_region regions[NV_DUMP_MAX_REGIONS];
};

/* Read a debugfs file of the device behind @fd; malloc()ed, or NULL. */
char *nv_debugfs(int fd, const char *name);
/* Parse nvvb_vms for VM @id: 0, or -ENOENT if it is not listed. */
int nv_dump_vm(int fd, uint32_t id, struct nv_dump *d);
/* A counter from nvvb_status (e.g. "bind_desc_errors"); -1 if absent. */
int64_t nv_status(int fd, const char *key);

uint64_t nv_now_ns(void);

#endif /* NVVB_LIB_H */
