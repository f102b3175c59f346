/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvvb: DRM API differences between the kernels nvvb builds for.
 *
 * Debian's 6.12.y kernels (bookworm-backports 6.12.95, bookworm-security
 * 6.12.118) and 7.x kernels (sid 7.2, trixie-backports 7.3) differ in a
 * few DRM interfaces.  Kbuild greps the headers of the kernel being built
 * against (conftest style, never the version) and defines:
 *
 *   NVVB_HAVE_SCHED_INIT_ARGS      drm_sched_init(sched, const args *)
 *   NVVB_HAVE_SCHED_JOB_CLIENT_ID  drm_sched_job_init(..., u64 client_id)
 *   NVVB_HAVE_EXEC_FOREACH_2ARGS   drm_exec_for_each_locked_object(exec, obj)
 *   NVVB_HAVE_SCHED_START_ERRNO    drm_sched_start(sched, int errno)
 *   NVVB_HAVE_SCHED_STAT_NO_HANG   DRM_GPU_SCHED_STAT_NO_HANG exists
 *   NVVB_HAVE_DRIVER_GEM_GPUVA     the DRIVER_GEM_GPUVA feature bit exists
 *   NVVB_HAVE_DRIVER_DATE          struct drm_driver has .date
 *   NVVB_HAVE_GPUVM_MAP_REQ        drm_gpuvm_sm_map(gpuvm, priv, req)
 *   NVVB_HAVE_GPUVM_BO_OBTAIN_LOCKED  drm_gpuvm_bo_obtain_locked()
 *   NVVB_HAVE_WQ_PERCPU            the WQ_PERCPU workqueue flag exists
 *   NVVB_HAVE_KZALLOC_OBJ          kzalloc_obj() exists
 *
 * The wrappers keep one behaviour on all of them.  nvvb's VMs do not use
 * DRM_GPUVM_IMMEDIATE_MODE (7.x): the GEM's dma_resv protects its gpuva
 * list on every kernel, so vm_bo puts need no deferred cleanup.
 */
#ifndef NVVB_COMPAT_H
#define NVVB_COMPAT_H

#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gpuvm.h>
#include <drm/gpu_scheduler.h>

#ifndef NVVB_HAVE_KZALLOC_OBJ
/* One zeroed object of @P's type, as nvvb uses the newer kernels' macro. */
#define kzalloc_obj(P)		kzalloc(sizeof(P), GFP_KERNEL)
#endif

/*
 * A per-CPU workqueue, the default where WQ_PERCPU does not exist; 7.x
 * wants it spelt out.
 */
#ifdef NVVB_HAVE_WQ_PERCPU
#define NVVB_WQ_PERCPU		WQ_PERCPU
#else
#define NVVB_WQ_PERCPU		0
#endif

/* Gone in 7.3, where every driver may use drm_gpuvm. */
#ifdef NVVB_HAVE_DRIVER_GEM_GPUVA
#define NVVB_DRIVER_GEM_GPUVA	DRIVER_GEM_GPUVA
#else
#define NVVB_DRIVER_GEM_GPUVA	0
#endif

/**
 * nvvb_compat_sched_init() - drm_sched_init() with nvvb's parameters
 * @sched: the scheduler
 * @ops: its backend
 * @submit_wq: workqueue for run_job()/free_job()
 * @credit_limit: ring slots jobs may use
 * @timeout: job timeout in jiffies
 * @name: the ring's name
 * @dev: the device
 *
 * Return: 0 or a negative errno.
 */
static inline int nvvb_compat_sched_init(struct drm_gpu_scheduler *sched,
					 const struct drm_sched_backend_ops *ops,
					 struct workqueue_struct *submit_wq,
					 u32 credit_limit, long timeout,
					 const char *name, struct device *dev)
{
#ifdef NVVB_HAVE_SCHED_INIT_ARGS
	const struct drm_sched_init_args args = {
		.ops = ops,
		.submit_wq = submit_wq,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = credit_limit,
		.timeout = timeout,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#else
	return drm_sched_init(sched, ops, submit_wq, DRM_SCHED_PRIORITY_COUNT,
			      credit_limit, 0, timeout, NULL, NULL, name, dev);
#endif
}

/**
 * nvvb_compat_sched_job_init() - drm_sched_job_init() for a file's job
 * @job: the job
 * @entity: the VM's entity it goes to
 * @credits: ring slots it takes
 * @owner: the VM
 * @file: the DRM file that submits it
 *
 * Return: 0 or a negative errno.
 */
static inline int nvvb_compat_sched_job_init(struct drm_sched_job *job,
					     struct drm_sched_entity *entity,
					     u32 credits, void *owner,
					     struct drm_file *file)
{
#ifdef NVVB_HAVE_SCHED_JOB_CLIENT_ID
	return drm_sched_job_init(job, entity, credits, owner,
				  file->client_id);
#else
	return drm_sched_job_init(job, entity, credits, owner);
#endif
}

/**
 * nvvb_compat_exec_add_fence() - add a fence to every locked reservation
 * @exec: the drm_exec context
 * @fence: the fence
 * @usage: how it is used
 */
static inline void nvvb_compat_exec_add_fence(struct drm_exec *exec,
					      struct dma_fence *fence,
					      enum dma_resv_usage usage)
{
	struct drm_gem_object *obj;
#ifdef NVVB_HAVE_EXEC_FOREACH_2ARGS
	drm_exec_for_each_locked_object(exec, obj)
		dma_resv_add_fence(obj->resv, fence, usage);
#else
	unsigned long index;

	drm_exec_for_each_locked_object(exec, index, obj)
		dma_resv_add_fence(obj->resv, fence, usage);
#endif
}

/**
 * nvvb_compat_sched_keep_waiting() - timedout_job() for a device that has
 * no ring reset
 * @sched: the job's scheduler
 * @job: the job that ran past its timeout
 *
 * The job keeps running on the device and its timeout is re-armed.
 *
 * Return: the status timedout_job() returns for that.
 */
static inline enum drm_gpu_sched_stat
nvvb_compat_sched_keep_waiting(struct drm_gpu_scheduler *sched,
			       struct drm_sched_job *job)
{
#ifdef NVVB_HAVE_SCHED_STAT_NO_HANG
	/* the scheduler puts the job back and restarts the timer itself */
	return DRM_GPU_SCHED_STAT_NO_HANG;
#else
	drm_sched_stop(sched, job);
#ifdef NVVB_HAVE_SCHED_START_ERRNO
	drm_sched_start(sched, 0);
#else
	drm_sched_start(sched);
#endif
	return DRM_GPU_SCHED_STAT_NOMINAL;
#endif
}

/**
 * nvvb_compat_sm_map() - drm_gpuvm_sm_map()
 * @gpuvm: the VA space; its ops have the sm_step callbacks
 * @priv: passed to the callbacks
 * @addr: start of the new mapping
 * @range: its length
 * @obj: the BO it maps
 * @offset: offset into @obj
 *
 * Return: 0 or the first callback error.
 */
static inline int nvvb_compat_sm_map(struct drm_gpuvm *gpuvm, void *priv,
				     u64 addr, u64 range,
				     struct drm_gem_object *obj, u64 offset)
{
#ifdef NVVB_HAVE_GPUVM_MAP_REQ
	const struct drm_gpuvm_map_req req = {
		.map.va.addr = addr,
		.map.va.range = range,
		.map.gem.obj = obj,
		.map.gem.offset = offset,
	};

	return drm_gpuvm_sm_map(gpuvm, priv, &req);
#else
	return drm_gpuvm_sm_map(gpuvm, priv, addr, range, obj, offset);
#endif
}

/**
 * nvvb_compat_gpuvm_bo_obtain() - find or create the vm_bo of @obj in @gpuvm
 * @gpuvm: the VA space (not DRM_GPUVM_IMMEDIATE_MODE)
 * @obj: the BO; its resv, which is its gpuva lock, is held
 *
 * Return: the vm_bo with a new reference, or an ERR_PTR().
 */
static inline struct drm_gpuvm_bo *
nvvb_compat_gpuvm_bo_obtain(struct drm_gpuvm *gpuvm, struct drm_gem_object *obj)
{
	dma_resv_assert_held(obj->resv);
#ifdef NVVB_HAVE_GPUVM_BO_OBTAIN_LOCKED
	return drm_gpuvm_bo_obtain_locked(gpuvm, obj);
#else
	return drm_gpuvm_bo_obtain(gpuvm, obj);
#endif
}

#endif /* NVVB_COMPAT_H */
