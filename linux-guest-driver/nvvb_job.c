// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb: jobs - syncobj waits and signals, drm_sched submission.
 *
 * A job (VM_BIND or EXEC) is built in its ioctl and submitted under the
 * VM's submit_lock, so that the order of the scheduler entity's queue is
 * the order in which submit() changed driver state: submit() locks and
 * validates, the job is armed, armed() publishes the job's fence and
 * unlocks, the signal syncobjs get the fence, the job is pushed.  The
 * scheduler runs it once its waits have signalled; run_job() only copies
 * the descriptors built in submit() to the ring, so nothing allocates or
 * fails in the fence-signalling path.  Without RUN_ASYNC the ioctl waits
 * for the job and returns its error.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "nvvb_drv.h"

static int nvvb_copy_syncs(struct drm_nvvb_sync **out, u32 n, u64 ptr)
{
	struct drm_nvvb_sync *s;

	if (!n)
		return 0;
	s = kvmalloc_array(n, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	if (copy_from_user(s, u64_to_user_ptr(ptr), n * sizeof(*s))) {
		kvfree(s);
		return -EFAULT;
	}
	*out = s;
	return 0;
}

/**
 * nvvb_job_init() - common part of a job
 * @job: zeroed job
 * @vm: the file's VM
 * @file: the DRM file
 * @ring: ring the job's descriptors go to
 * @entity: the VM's entity for that ring
 * @ops: the job type
 * @async: RUN_ASYNC was given
 * @nwait: wait syncs
 * @wait_ptr: user pointer to them
 * @nsig: signal syncs
 * @sig_ptr: user pointer to them
 * @maxdesc: most descriptors the job can need, or 0 if the job type
 *           allocates job->desc in its submit()
 *
 * On failure the caller releases the job with nvvb_job_put_unsubmitted().
 *
 * Return: 0 or a negative errno.
 */
int nvvb_job_init(struct nvvb_job *job, struct nvvb_vm *vm,
		  struct drm_file *file, struct nvvb_ring *ring,
		  struct drm_sched_entity *entity, const struct nvvb_job_ops *ops,
		  u32 async, u32 nwait, u64 wait_ptr, u32 nsig, u64 sig_ptr,
		  u32 maxdesc)
{
	int ret;

	job->vm = vm;
	job->file = file;
	job->ring = ring;
	job->ops = ops;
	job->last = entity == &vm->bind_entity ? &vm->bind_last :
						 &vm->exec_last;
	job->sync = !async;
	if (job->sync && (nwait || nsig))
		return -EINVAL;
	if (nwait > NVVB_MAX_SYNCS || nsig > NVVB_MAX_SYNCS)
		return -EINVAL;
	ret = nvvb_copy_syncs(&job->wait, nwait, wait_ptr);
	if (ret)
		return ret;
	job->nwait = nwait;
	ret = nvvb_copy_syncs(&job->sig, nsig, sig_ptr);
	if (ret)
		return ret;
	job->nsig = nsig;
	if (nsig) {
		job->sig_objs = kcalloc(nsig, sizeof(*job->sig_objs),
					GFP_KERNEL);
		job->sig_chains = kcalloc(nsig, sizeof(*job->sig_chains),
					  GFP_KERNEL);
		if (!job->sig_objs || !job->sig_chains)
			return -ENOMEM;
	}
	if (maxdesc) {
		/* each used descriptor is initialised whole */
		job->desc = kvmalloc_array(maxdesc, sizeof(*job->desc),
					   GFP_KERNEL);
		if (!job->desc)
			return -ENOMEM;
		job->maxdesc = maxdesc;
	}
	job->hw = nvvb_fence_alloc();
	if (!job->hw)
		return -ENOMEM;
	/* credits are set to the real descriptor count before arming */
	ret = nvvb_compat_sched_job_init(&job->base, entity, 1, vm, file);
	if (ret)
		return ret;
	job->sched_inited = true;
	return 0;
}

static int nvvb_job_add_waits(struct nvvb_job *job)
{
	u32 i;
	int ret;

	for (i = 0; i < job->nwait; i++) {
		const struct drm_nvvb_sync *s = &job->wait[i];
		u32 type = s->flags & NVVB_SYNC_TYPE_MASK;
		struct dma_fence *fence;

		if (s->flags & ~NVVB_SYNC_TYPE_MASK)
			return -EINVAL;
		if (type != NVVB_SYNC_SYNCOBJ &&
		    type != NVVB_SYNC_TIMELINE_SYNCOBJ)
			return -EOPNOTSUPP;
		ret = drm_syncobj_find_fence(job->file, s->handle,
					     type == NVVB_SYNC_TIMELINE_SYNCOBJ ?
					     s->timeline_value : 0, 0, &fence);
		if (ret)
			return ret;
		/* consumes the reference, also on error */
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}

static int nvvb_job_prepare_signals(struct nvvb_job *job)
{
	u32 i;

	for (i = 0; i < job->nsig; i++) {
		const struct drm_nvvb_sync *s = &job->sig[i];
		u32 type = s->flags & NVVB_SYNC_TYPE_MASK;

		if ((s->flags & ~NVVB_SYNC_TYPE_MASK) ||
		    (type != NVVB_SYNC_SYNCOBJ &&
		     type != NVVB_SYNC_TIMELINE_SYNCOBJ))
			return -EINVAL;
		job->sig_objs[i] = drm_syncobj_find(job->file, s->handle);
		if (!job->sig_objs[i])
			return -ENOENT;
		if (type == NVVB_SYNC_TIMELINE_SYNCOBJ) {
			job->sig_chains[i] = dma_fence_chain_alloc();
			if (!job->sig_chains[i])
				return -ENOMEM;
		}
	}
	return 0;
}

static void nvvb_job_attach_signals(struct nvvb_job *job)
{
	u32 i;

	for (i = 0; i < job->nsig; i++) {
		if (job->sig_chains[i]) {
			drm_syncobj_add_point(job->sig_objs[i],
					      job->sig_chains[i], job->done,
					      job->sig[i].timeline_value);
			job->sig_chains[i] = NULL;
		} else {
			drm_syncobj_replace_fence(job->sig_objs[i], job->done);
		}
	}
}

/* Everything but the type's own state; the job may never have run. */
void nvvb_job_release(struct nvvb_job *job)
{
	u32 i;

	for (i = 0; i < job->nsig; i++) {
		if (job->sig_objs && job->sig_objs[i])
			drm_syncobj_put(job->sig_objs[i]);
		if (job->sig_chains && job->sig_chains[i])
			dma_fence_chain_free(job->sig_chains[i]);
	}
	kfree(job->sig_objs);
	kfree(job->sig_chains);
	kvfree(job->wait);
	kvfree(job->sig);
	kvfree(job->desc);
	if (job->hw)
		nvvb_fence_free_unused(job->hw);
	dma_fence_put(job->done);
}

/* A job that failed before drm_sched_entity_push_job(). */
void nvvb_job_put_unsubmitted(struct nvvb_job *job)
{
	if (job->sched_inited)
		drm_sched_job_cleanup(&job->base);
	job->ops->free(job);
}

/* Under submit_lock: @fence is now the last job of the job's entity. */
static void nvvb_job_set_last(struct nvvb_job *job, struct dma_fence *fence)
{
	dma_fence_put(*job->last);
	*job->last = dma_fence_get(fence);
}

/*
 * A synchronous job that waits for nothing, submitted when every earlier
 * job of its entity has completed, is one the scheduler would run at once;
 * it goes to the ring from the ioctl instead, which saves the switches to
 * the scheduler's worker and back (most of a small bind's latency under
 * emulation).  The ring's order is still the order of submit_lock, so
 * later jobs of the entity execute after it.
 */
static bool nvvb_job_direct(struct nvvb_job *job)
{
	return job->sync && xa_empty(&job->base.dependencies) &&
	       (!*job->last || dma_fence_is_signaled(*job->last));
}

/* Called with submit_lock held after a successful submit(); drops it. */
static int nvvb_job_run_direct(struct nvvb_job *job)
{
	struct nvvb_vm *vm = job->vm;
	struct dma_fence *done;
	int ret;

	done = nvvb_ring_submit(job->ring, job->desc, job->ndesc, job->hw);
	job->hw = NULL;
	job->done = dma_fence_get(done);
	job->ops->armed(job);
	nvvb_job_set_last(job, done);
	mutex_unlock(&vm->submit_lock);

	/* a small job is usually complete once the doorbell write returns */
	if (!dma_fence_is_signaled(done))
		nvvb_ring_retire(job->ring);
	while (!dma_fence_wait_timeout(done, false,
				       msecs_to_jiffies(NVVB_JOB_TIMEOUT_MS)))
		drm_err(&vm->ndev->drm, "%s job of VM %u still running after %u ms\n",
			job->ring->name, vm->hw_id, NVVB_JOB_TIMEOUT_MS);
	ret = done->error;
	dma_fence_put(done);
	nvvb_job_put_unsubmitted(job);
	return ret;
}

/**
 * nvvb_job_submit() - submit an initialised job
 * @job: the job; it belongs to the scheduler afterwards, or is freed here
 *       if it could not be submitted or ran directly
 *
 * Return: 0, a validation error, or (synchronous jobs) the job's error.
 */
int nvvb_job_submit(struct nvvb_job *job)
{
	struct nvvb_vm *vm = job->vm;
	bool sync = job->sync;
	struct dma_fence *done;
	int ret;

	ret = nvvb_job_add_waits(job);
	if (!ret)
		ret = nvvb_job_prepare_signals(job);
	if (ret)
		goto err;

	mutex_lock(&vm->submit_lock);
	ret = job->ops->submit(job);
	if (ret) {
		mutex_unlock(&vm->submit_lock);
		goto err;
	}
	if (nvvb_job_direct(job))
		return nvvb_job_run_direct(job);
	job->base.credits = job->ndesc;
	drm_sched_job_arm(&job->base);
	job->done = dma_fence_get(&job->base.s_fence->finished);
	done = dma_fence_get(job->done);
	job->ops->armed(job);
	nvvb_job_attach_signals(job);
	nvvb_job_set_last(job, done);
	/* the VM outlives its jobs: see nvvb_sched_free_job() */
	drm_gpuvm_get(&vm->base);
	atomic_inc(&vm->jobs);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&vm->submit_lock);

	ret = 0;
	if (sync) {
		dma_fence_wait(done, false);
		ret = done->error;
	}
	dma_fence_put(done);
	return ret;

err:
	nvvb_job_put_unsubmitted(job);
	return ret;
}

static struct dma_fence *nvvb_sched_run_job(struct drm_sched_job *sched_job)
{
	struct nvvb_job *job = to_nvvb_job(sched_job);
	struct dma_fence *fence;

	fence = nvvb_ring_submit(job->ring, job->desc, job->ndesc, job->hw);
	job->hw = NULL;
	return fence;
}

static enum drm_gpu_sched_stat
nvvb_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct nvvb_job *job = to_nvvb_job(sched_job);
	struct drm_gpu_scheduler *sched = sched_job->sched;

	/* The device has no reset for a ring; keep waiting, loudly. */
	drm_err(&job->vm->ndev->drm, "%s job of VM %u still running after %u ms\n",
		job->ring->name, job->vm->hw_id, NVVB_JOB_TIMEOUT_MS);
	return nvvb_compat_sched_keep_waiting(sched, sched_job);
}

static void nvvb_sched_free_job(struct drm_sched_job *sched_job)
{
	struct nvvb_job *job = to_nvvb_job(sched_job);
	struct nvvb_vm *vm = job->vm;

	drm_sched_job_cleanup(sched_job);
	job->ops->free(job);
	if (atomic_dec_and_test(&vm->jobs))
		wake_up_all(&vm->jobs_wq);
	drm_gpuvm_put(&vm->base);
}

static const struct drm_sched_backend_ops nvvb_sched_ops = {
	.run_job = nvvb_sched_run_job,
	.timedout_job = nvvb_sched_timedout_job,
	.free_job = nvvb_sched_free_job,
};

/*
 * One scheduler per ring; credits are ring slots.  Its work items run on a
 * workqueue that is not ordered (drm_sched would otherwise create an
 * ordered one): a free_job() that sleeps (dropping the last reference to a
 * BO frees it, which waits for BO_DESTROY and takes its resv) must never
 * hold up run_job() of a job someone is waiting for.
 */
int nvvb_sched_init(struct nvvb_device *ndev, struct nvvb_ring *ring)
{
	int ret;

	ring->sched_wq = alloc_workqueue("nvvb-%s",
					 WQ_MEM_RECLAIM | NVVB_WQ_PERCPU, 0,
					 ring->name);
	if (!ring->sched_wq)
		return -ENOMEM;
	ret = nvvb_compat_sched_init(&ring->sched, &nvvb_sched_ops,
				     ring->sched_wq,
				     ring->size - 1 - NVVB_RING_KERNEL,
				     msecs_to_jiffies(NVVB_JOB_TIMEOUT_MS),
				     ring->name, ndev->drm.dev);
	if (ret) {
		destroy_workqueue(ring->sched_wq);
		ring->sched_wq = NULL;
		return ret;
	}
	ring->sched_ready = true;
	return 0;
}

void nvvb_sched_fini(struct nvvb_ring *ring)
{
	if (ring->sched_ready)
		drm_sched_fini(&ring->sched);
	ring->sched_ready = false;
	if (ring->sched_wq)
		destroy_workqueue(ring->sched_wq);
	ring->sched_wq = NULL;
}
