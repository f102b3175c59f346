/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvvb: DRM driver for the nv-vmbind paravirtual GPU.
 *
 * Lock order (outermost first).  No path takes a lock listed above one it
 * already holds:
 *
 *   nvvb_file.lock        VM_INIT against GEM_NEW (the "no VM yet" rule)
 *   nvvb_device.vms_lock  the list of VMs (debugfs walks it)
 *   nvvb_vm.submit_lock   job submission: queue order == VA-tree order
 *   nvvb_bo.backing_lock  building a BO's system-memory scatter list; held
 *                         alone (it nests the shmem helper's resv lock)
 *   nvvb_vm.lock          the drm_gpuvm VA tree and the sparse regions
 *   dma_resv (ww class)   via drm_exec: the VM's resv and the BOs'; guards
 *                         the GEM gpuva lists, vm_bo evicted state, a BO's
 *                         placement, device id and VRAM node
 *   nvvb_device.vram_lock the VRAM drm_mm
 *   nvvb_ring.lock        spinlock (also taken in the interrupt handler)
 *
 * drm_gpuvm's extobj and evict lists use its internal spinlocks (the VM is
 * not DRM_GPUVM_RESV_PROTECTED).  Nor is it DRM_GPUVM_IMMEDIATE_MODE (7.x):
 * a GEM object's gpuva list is under its dma_resv, which every link,
 * unlink and possibly last drm_gpuvm_bo_put() holds, so no vm_bo cleanup
 * is ever deferred.  The last reference to a GEM object is
 * never dropped with a dma_resv held: freeing a shmem object takes its
 * resv, which for a NO_SHARE BO is the VM's.
 */
#ifndef NVVB_DRV_H
#define NVVB_DRV_H

#include <linux/dma-fence.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/unaligned.h>
#include <linux/wait.h>

#include <drm/drm_device.h>
#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_mm.h>
#include <drm/gpu_scheduler.h>

#include "hw/display/nv-vmbind-regs.h"
#include "nvvb_drm.h"
#include "nvvb_compat.h"

#define NVVB_DRIVER_NAME	"nvvb"
#define NVVB_VA_BITS		47
#define NVVB_VA_END		BIT_ULL(NVVB_VA_BITS)

#define NVVB_RING_ENTRIES	4096	/* both rings */
#define NVVB_RING_KERNEL	64	/* slots kept for kernel descriptors */
#define NVVB_MAX_BIND_OPS	1024	/* two descriptors each at most */
#define NVVB_MAX_EXEC_CMDS	1024
#define NVVB_MAX_SYNCS		64
#define NVVB_MAX_BO_SIZE	(256ULL << 20)
#define NVVB_JOB_TIMEOUT_MS	30000
#define NVVB_KERNEL_WAIT_MS	60000	/* kernel descriptors (BO_MOVE...) */
#define NVVB_FAULT_ENTRIES	64

struct nvvb_device;
struct nvvb_ring;

/* One 64-byte descriptor, filled with nvvb_desc_*(). */
struct nvvb_desc {
	u8 b[NVVB_DESC_SIZE];
};

/*
 * A submission to a ring: its fence signals when the device has completed
 * its last descriptor; error is the first failing descriptor's -status.
 */
struct nvvb_fence {
	struct dma_fence base;
	struct nvvb_ring *ring;
	struct list_head link;		/* ring->pending, under ring->lock */
	u32 first;
	u32 count;
	int error;
	u16 bad_opcode;			/* opcode of that descriptor */
};

struct nvvb_ring {
	struct nvvb_device *ndev;
	const char *name;
	u32 reg;			/* NVVB_REG_BIND_RING / NVVB_REG_CE_RING */
	u32 size;
	struct nvvb_desc *desc;
	dma_addr_t desc_dma;
	u64 *fence_cpu;			/* written by the device */
	dma_addr_t fence_dma;

	spinlock_t lock;		/* the fields below; fence lock too */
	u32 tail;			/* next slot to fill */
	u32 retired;			/* oldest slot not yet retired */
	u64 seqno;			/* last seqno emitted */
	u64 context;
	struct list_head pending;
	wait_queue_head_t space_wq;

	/* statistics, under lock */
	u64 submitted;
	u64 completed;
	u64 desc_errors;

	struct drm_gpu_scheduler sched;
	struct drm_gpu_scheduler *sched_list[1];	/* for entities */
	struct workqueue_struct *sched_wq;
	bool sched_ready;
};

struct nvvb_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *mmio;
	void __iomem *vram;		/* BAR2, write-combined */
	resource_size_t vram_phys;
	u64 vram_size;
	u64 vram_avail;			/* PT_POOL_BASE: BOs live below */
	u32 caps;
	u32 max_vms;
	bool has_rings;

	struct mutex vram_lock;		/* vram_mm */
	struct drm_mm vram_mm;

	struct ida vm_ida;
	struct ida bo_ida;

	struct nvvb_ring bind;
	struct nvvb_ring ce;

	/* fence words and the fault ring, one coherent page */
	void *aux;
	dma_addr_t aux_dma;
	spinlock_t fault_lock;		/* fault_get, faults */
	u32 fault_get;
	u64 faults;

	struct mutex vms_lock;		/* vms */
	struct list_head vms;
	atomic64_t bind_jobs;
	atomic64_t exec_jobs;
};

static inline struct nvvb_device *to_nvvb(struct drm_device *drm)
{
	return container_of(drm, struct nvvb_device, drm);
}

struct nvvb_file {
	struct mutex lock;		/* vm_disabled, vm */
	bool vm_disabled;		/* a BO was created before VM_INIT */
	struct nvvb_vm *vm;
};

struct nvvb_region {
	u64 addr;
	u64 range;
	bool dirty;			/* destroyed by the job being built */
};

struct nvvb_vm {
	struct drm_gpuvm base;
	struct nvvb_device *ndev;
	struct list_head link;		/* ndev->vms, under vms_lock */
	u32 hw_id;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	u64 kernel_addr;
	u64 kernel_size;

	struct mutex submit_lock;	/* order of job submission */
	struct mutex lock;		/* VA tree (base), regions */
	struct maple_tree regions;	/* struct nvvb_region, under lock */

	struct drm_sched_entity bind_entity;
	struct drm_sched_entity exec_entity;
	/* under submit_lock: the last job submitted to each entity */
	struct dma_fence *bind_last;
	struct dma_fence *exec_last;
	atomic_t jobs;			/* submitted, not yet freed */
	wait_queue_head_t jobs_wq;
};

static inline struct nvvb_vm *to_nvvb_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct nvvb_vm, base);
}

struct nvvb_sg {
	void *cpu;			/* NVVB_SG_ENTRY_SIZE-byte extents */
	dma_addr_t dma;
	size_t bytes;
	u32 count;
};

struct nvvb_bo {
	struct drm_gem_shmem_object base;	/* first: the helper kfree()s it */
	u32 domain;			/* NVVB_GEM_DOMAIN_* asked for */
	u32 flags;			/* NVVB_GEM_* */
	/* under the BO's resv: */
	u32 placement;			/* NVVB_GEM_DOMAIN_* it is in */
	struct drm_mm_node vram;	/* while placement is VRAM */
	u32 hw_id;			/* device BO id, 0 = none */
	struct dma_fence *create_fence;	/* job that issues BO_CREATE */
	/* under backing_lock, then stable until free: */
	struct mutex backing_lock;
	struct nvvb_sg sg;
	struct drm_gem_object *r_obj;	/* NO_SHARE: the VM's resv object */
};

static inline struct nvvb_bo *to_nvvb_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct nvvb_bo, base);
}

/* A mapping. */
struct nvvb_va {
	struct drm_gpuva base;
	u32 flags;			/* NVVB_VM_BIND_* of the MAP */
};

static inline struct nvvb_va *to_nvvb_va(struct drm_gpuva *va)
{
	return container_of(va, struct nvvb_va, base);
}

/* A drm_gpuva_op with the new mappings it creates, allocated up front. */
struct nvvb_gpuva_op {
	struct drm_gpuva_op base;
	struct nvvb_va *map;
	struct nvvb_va *prev;
	struct nvvb_va *next;
};

static inline struct nvvb_gpuva_op *to_nvvb_op(struct drm_gpuva_op *op)
{
	return container_of(op, struct nvvb_gpuva_op, base);
}

struct nvvb_job;

struct nvvb_job_ops {
	/*
	 * Called with vm->submit_lock held.  On success the job's resv locks
	 * are held and descriptors are built; nothing may fail afterwards.
	 */
	int (*submit)(struct nvvb_job *job);
	/* After drm_sched_job_arm(): publish job->done, drop the locks. */
	void (*armed)(struct nvvb_job *job);
	/* Release everything; the job may never have been armed. */
	void (*free)(struct nvvb_job *job);
};

struct nvvb_job {
	struct drm_sched_job base;
	struct nvvb_vm *vm;
	struct drm_file *file;
	struct nvvb_ring *ring;
	const struct nvvb_job_ops *ops;
	bool sync;
	bool sched_inited;
	u32 nwait;
	u32 nsig;
	struct drm_nvvb_sync *wait;
	struct drm_nvvb_sync *sig;
	struct drm_syncobj **sig_objs;
	struct dma_fence_chain **sig_chains;
	struct dma_fence *done;
	struct dma_fence **last;	/* vm->bind_last or vm->exec_last */
	struct nvvb_fence *hw;		/* preallocated, the ring's once run */
	struct nvvb_desc *desc;
	u32 ndesc;
	u32 maxdesc;
};

static inline struct nvvb_job *to_nvvb_job(struct drm_sched_job *job)
{
	return container_of(job, struct nvvb_job, base);
}

/*
 * Descriptor field helpers (little endian).  Inline: a 256-op job builds
 * 256 descriptors, and under TCG every call and return is a TB lookup.
 */
static inline void nvvb_desc_init(struct nvvb_desc *d, u16 opcode)
{
	memset(d, 0, sizeof(*d));
	put_unaligned_le16(opcode, d->b + NVVB_DESC_OPCODE);
	put_unaligned_le32(NVVB_STATUS_PENDING, d->b + NVVB_DESC_STATUS);
}

static inline void nvvb_desc_u32(struct nvvb_desc *d, unsigned int off, u32 v)
{
	put_unaligned_le32(v, d->b + off);
}

static inline void nvvb_desc_u64(struct nvvb_desc *d, unsigned int off, u64 v)
{
	put_unaligned_le64(v, d->b + off);
}

/* nvvb_hw.c */
int nvvb_hw_init(struct nvvb_device *ndev);
void nvvb_hw_fini(struct nvvb_device *ndev);
u32 nvvb_rd32(struct nvvb_device *ndev, u32 reg);
void nvvb_wr32(struct nvvb_device *ndev, u32 reg, u32 val);
struct nvvb_fence *nvvb_fence_alloc(void);
void nvvb_fence_free_unused(struct nvvb_fence *f);
struct dma_fence *nvvb_ring_submit(struct nvvb_ring *ring,
				   const struct nvvb_desc *desc, u32 n,
				   struct nvvb_fence *f);
int nvvb_ring_exec_sync(struct nvvb_ring *ring, const struct nvvb_desc *desc,
			u32 n);
void nvvb_ring_retire(struct nvvb_ring *ring);
void nvvb_ring_stats(struct nvvb_ring *ring, u64 *submitted, u64 *completed,
		     u64 *errors);

/* nvvb_gem.c */
extern const struct vm_operations_struct nvvb_vram_vm_ops;
struct drm_gem_object *nvvb_gem_create_object(struct drm_device *dev,
					      size_t size);
int nvvb_ioctl_gem_new(struct drm_device *dev, void *data,
		       struct drm_file *file);
int nvvb_ioctl_gem_info(struct drm_device *dev, void *data,
			struct drm_file *file);
int nvvb_ioctl_gem_evict(struct drm_device *dev, void *data,
			 struct drm_file *file);
int nvvb_bo_prepare_sysmem(struct nvvb_bo *bo);
int nvvb_bo_validate(struct nvvb_bo *bo);
int nvvb_bo_wait_idle(struct nvvb_bo *bo);
void nvvb_bo_emit_create(struct nvvb_bo *bo, struct nvvb_desc *d);

/* nvvb_job.c */
int nvvb_job_init(struct nvvb_job *job, struct nvvb_vm *vm,
		  struct drm_file *file, struct nvvb_ring *ring,
		  struct drm_sched_entity *entity, const struct nvvb_job_ops *ops,
		  u32 flags_async, u32 nwait, u64 wait_ptr, u32 nsig,
		  u64 sig_ptr, u32 maxdesc);
int nvvb_job_submit(struct nvvb_job *job);
void nvvb_job_put_unsubmitted(struct nvvb_job *job);
void nvvb_job_release(struct nvvb_job *job);
int nvvb_sched_init(struct nvvb_device *ndev, struct nvvb_ring *ring);
void nvvb_sched_fini(struct nvvb_ring *ring);

/* nvvb_vm.c */
int nvvb_ioctl_vm_init(struct drm_device *dev, void *data,
		       struct drm_file *file);
int nvvb_ioctl_vm_bind(struct drm_device *dev, void *data,
		       struct drm_file *file);
void nvvb_vm_destroy(struct nvvb_vm *vm);
struct nvvb_vm *nvvb_file_vm(struct drm_file *file);

/* nvvb_exec.c */
int nvvb_ioctl_exec(struct drm_device *dev, void *data,
		    struct drm_file *file);

/* nvvb_debugfs.c */
void nvvb_debugfs_init(struct nvvb_device *ndev);

#endif /* NVVB_DRV_H */
