/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nvvb: uAPI of the DRM driver for the nv-vmbind paravirtual GPU.
 *
 * VM_INIT, VM_BIND and EXEC are shaped like nouveau's (include/uapi/drm/
 * nouveau_drm.h): the same operations and flags, the same sync structure,
 * synchronous binds by default and RUN_ASYNC with syncobj / timeline syncobj
 * waits and signals.  EXEC runs copy-engine commands instead of push buffers.
 */
#ifndef _UAPI_NVVB_DRM_H_
#define _UAPI_NVVB_DRM_H_

#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include "drm.h"	/* libdrm's: pkg-config --cflags libdrm */
#endif

#if defined(__cplusplus)
extern "C" {
#endif

/* GETPARAM parameters. */
#define NVVB_PARAM_VRAM_SIZE		1	/* bytes of VRAM */
#define NVVB_PARAM_VRAM_AVAIL		2	/* bytes for BOs (below tables) */
#define NVVB_PARAM_VA_BITS		3	/* 47: VA space is [0, 2^47) */
#define NVVB_PARAM_MAX_BIND_OPS		4	/* ops per VM_BIND */
#define NVVB_PARAM_MAX_EXEC_CMDS	5	/* commands per EXEC */
#define NVVB_PARAM_MAX_SYNCS		6	/* waits or signals per ioctl */
#define NVVB_PARAM_CE_MAX_LENGTH	7	/* bytes per COPY / FILL */
#define NVVB_PARAM_DEVICE_CAPS		8	/* the device's CAPS register */
#define NVVB_PARAM_MAX_BO_SIZE		9	/* bytes */
#define NVVB_PARAM_VM_ID		10	/* the file's VM on the device */

struct drm_nvvb_getparam {
	__u64 param;
	__u64 value;
};

/* GEM domains (where a BO wants to live) and placements (where it is). */
#define NVVB_GEM_DOMAIN_SYSMEM		(1 << 0)
#define NVVB_GEM_DOMAIN_VRAM		(1 << 1)

/*
 * NVVB_GEM_NO_SHARE: the BO shares the VM's reservation object (it is not
 * an external object of the VM); it cannot be exported and needs VM_INIT.
 */
#define NVVB_GEM_NO_SHARE		(1 << 0)

struct drm_nvvb_gem_new {
	__u64 size;		/* in: bytes, rounded up to 4 KiB */
	__u32 domain;		/* in: exactly one NVVB_GEM_DOMAIN_* */
	__u32 flags;		/* in: NVVB_GEM_* */
	__u32 handle;		/* out */
	__u32 pad;		/* must be 0 */
};

struct drm_nvvb_gem_info {
	__u32 handle;		/* in */
	__u32 domain;		/* out: the domain it was created with */
	__u32 placement;	/* out: NVVB_GEM_DOMAIN_* it is in now */
	__u32 flags;		/* out: NVVB_GEM_* */
	__u64 size;		/* out */
	__u64 map_handle;	/* out: offset for mmap() on the DRM fd */
	__u32 device_id;	/* out: device BO id, 0 until first bound */
	__u32 pad;		/* must be 0 */
};

/*
 * GEM_EVICT moves a VRAM BO to system memory, as memory pressure would: its
 * contents are kept, its GPU mappings stay valid (the device re-points
 * them), it is put on the evict list of every VM it is bound in, and the
 * next EXEC in such a VM moves it back (drm_gpuvm_validate()).  A testing
 * aid for evict tracking.  -EINVAL for a system-memory BO; a no-op for a
 * BO already evicted.
 */
struct drm_nvvb_gem_evict {
	__u32 handle;
	__u32 pad;		/* must be 0 */
};

/* Sync objects, as struct drm_nouveau_sync. */
struct drm_nvvb_sync {
	__u32 flags;
#define NVVB_SYNC_SYNCOBJ		0x0
#define NVVB_SYNC_TIMELINE_SYNCOBJ	0x1
#define NVVB_SYNC_TYPE_MASK		0xf
	__u32 handle;
	__u64 timeline_value;
};

/*
 * VM_INIT: create the file's VA space [0, 2^47) with a reserved
 * ("kernel-managed") window, as struct drm_nouveau_vm_init.  Must come
 * before the first GEM_NEW of the file (-EOPNOTSUPP after); once per file
 * (-EEXIST).  The window must be 4 KiB aligned, must not overflow and must
 * end at or below 2^47 (-EINVAL).  VM_BIND and EXEC before VM_INIT fail
 * with -EOPNOTSUPP.  (nouveau uses -ENOSYS for both; the kernel reserves
 * ENOSYS for invalid system call numbers.)
 */
struct drm_nvvb_vm_init {
	__u64 kernel_managed_addr;
	__u64 kernel_managed_size;
};

/* VM_BIND operation, as struct drm_nouveau_vm_bind_op. */
struct drm_nvvb_vm_bind_op {
	__u32 op;
#define NVVB_VM_BIND_OP_MAP		0x0
#define NVVB_VM_BIND_OP_UNMAP		0x1
	__u32 flags;
#define NVVB_VM_BIND_KIND_MASK		0xff	/* PTE kind (MAP) */
#define NVVB_VM_BIND_SPARSE		(1 << 8)
#define NVVB_VM_BIND_READ_ONLY		(1 << 9)
#define NVVB_VM_BIND_PRIV		(1 << 10)
#define NVVB_VM_BIND_NO_ATOMIC		(1 << 11)
	__u32 handle;		/* GEM handle (MAP without SPARSE) */
	__u32 pad;		/* must be 0 */
	__u64 addr;
	__u64 bo_offset;
	__u64 range;
};

struct drm_nvvb_vm_bind {
	__u32 op_count;
	__u32 flags;
#define NVVB_VM_BIND_RUN_ASYNC		0x1
	__u32 wait_count;
	__u32 sig_count;
	__u64 wait_ptr;		/* struct drm_nvvb_sync[wait_count] */
	__u64 sig_ptr;		/* struct drm_nvvb_sync[sig_count] */
	__u64 op_ptr;		/* struct drm_nvvb_vm_bind_op[op_count] */
};

/*
 * EXEC commands, run in order by the copy engine in the file's VM.  All
 * addresses are GPU virtual addresses; a fault ends the job with -EFAULT.
 */
struct drm_nvvb_exec_cmd {
	__u32 op;
#define NVVB_EXEC_COPY			0x0	/* src_va -> dst_va, length bytes */
#define NVVB_EXEC_FILL			0x1	/* dst_va, length bytes of pattern */
#define NVVB_EXEC_SEMAPHORE		0x2	/* 64-bit value to dst_va */
	__u32 pattern;		/* FILL: 32-bit pattern */
	__u64 src_va;
	__u64 dst_va;
	__u64 length;
	__u64 value;		/* SEMAPHORE */
};

/* EXEC: at least one command (-EINVAL for none). */
struct drm_nvvb_exec {
	__u32 cmd_count;
	__u32 flags;
#define NVVB_EXEC_RUN_ASYNC		0x1
	__u32 wait_count;
	__u32 sig_count;
	__u64 wait_ptr;
	__u64 sig_ptr;
	__u64 cmd_ptr;		/* struct drm_nvvb_exec_cmd[cmd_count] */
};

#define DRM_NVVB_GETPARAM		0x00
#define DRM_NVVB_GEM_NEW		0x01
#define DRM_NVVB_GEM_INFO		0x02
#define DRM_NVVB_GEM_EVICT		0x03
#define DRM_NVVB_VM_INIT		0x10
#define DRM_NVVB_VM_BIND		0x11
#define DRM_NVVB_EXEC			0x12

#define DRM_IOCTL_NVVB_GETPARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVVB_GETPARAM, struct drm_nvvb_getparam)
#define DRM_IOCTL_NVVB_GEM_NEW \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVVB_GEM_NEW, struct drm_nvvb_gem_new)
#define DRM_IOCTL_NVVB_GEM_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NVVB_GEM_INFO, struct drm_nvvb_gem_info)
#define DRM_IOCTL_NVVB_GEM_EVICT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_NVVB_GEM_EVICT, struct drm_nvvb_gem_evict)
#define DRM_IOCTL_NVVB_VM_INIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_NVVB_VM_INIT, struct drm_nvvb_vm_init)
#define DRM_IOCTL_NVVB_VM_BIND \
	DRM_IOW(DRM_COMMAND_BASE + DRM_NVVB_VM_BIND, struct drm_nvvb_vm_bind)
#define DRM_IOCTL_NVVB_EXEC \
	DRM_IOW(DRM_COMMAND_BASE + DRM_NVVB_EXEC, struct drm_nvvb_exec)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_NVVB_DRM_H_ */
