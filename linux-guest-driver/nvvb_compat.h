/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvvb: API differences inside Linux 6.12.y stable.
 *
 * Debian's bookworm-backports (6.12.95) and bookworm-security (6.12.117)
 * kernels differ in drm_sched_init(), drm_sched_job_init() and
 * drm_exec_for_each_locked_object().  Kbuild greps the headers of the
 * kernel being built against (conftest style) and defines:
 *
 *   NVVB_HAVE_SCHED_INIT_ARGS      drm_sched_init(sched, const args *)
 *   NVVB_HAVE_SCHED_JOB_CLIENT_ID  drm_sched_job_init(..., u64 client_id)
 *   NVVB_HAVE_EXEC_FOREACH_2ARGS   drm_exec_for_each_locked_object(exec, obj)
 */
#ifndef NVVB_COMPAT_H
#define NVVB_COMPAT_H

#include <linux/dma-resv.h>

#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>

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

/* Add @fence to the reservation of every object @exec has locked. */
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

#endif /* NVVB_COMPAT_H */
