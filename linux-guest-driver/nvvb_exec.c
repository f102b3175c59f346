// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb: EXEC - copy-engine commands in the file's VM.
 *
 * As nouveau's EXEC: the job locks every reservation of the VM with
 * drm_gpuvm_exec_lock() (the VM's own and its external objects'),
 * validates evicted BOs with drm_gpuvm_validate() (moving them back to
 * VRAM), and adds its fence to all of them.  Its commands become CE_COPY,
 * CE_FILL and CE_SEMAPHORE descriptors on the copy-engine ring; a GPU fault
 * completes the job with -EFAULT.  Dependencies on earlier asynchronous
 * binds are explicit (syncobjs), as in nouveau.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nvvb_drv.h"

struct nvvb_exec_job {
	struct nvvb_job base;
	struct drm_gpuvm_exec vme;
	u32 ncmds;
	struct drm_nvvb_exec_cmd cmds[] __counted_by(ncmds);
};

static struct nvvb_exec_job *to_exec_job(struct nvvb_job *job)
{
	return container_of(job, struct nvvb_exec_job, base);
}

static bool nvvb_va_ok(u64 va, u64 len)
{
	u64 end;

	return !check_add_overflow(va, len, &end) && end <= NVVB_VA_END;
}

static int nvvb_exec_check(const struct drm_nvvb_exec_cmd *c)
{
	switch (c->op) {
	case NVVB_EXEC_COPY:
		if (!nvvb_va_ok(c->src_va, c->length))
			return -EINVAL;
		fallthrough;
	case NVVB_EXEC_FILL:
		if (!c->length || c->length > NVVB_CE_LENGTH_MAX ||
		    !nvvb_va_ok(c->dst_va, c->length))
			return -EINVAL;
		return 0;
	case NVVB_EXEC_SEMAPHORE:
		if (!IS_ALIGNED(c->dst_va, 8) || !nvvb_va_ok(c->dst_va, 8))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static void nvvb_exec_build(struct nvvb_exec_job *job)
{
	struct nvvb_job *base = &job->base;
	u32 vm_id = base->vm->hw_id;
	u32 i;

	for (i = 0; i < job->ncmds; i++) {
		const struct drm_nvvb_exec_cmd *c = &job->cmds[i];
		struct nvvb_desc *d = &base->desc[i];

		switch (c->op) {
		case NVVB_EXEC_COPY:
			nvvb_desc_init(d, NVVB_OP_CE_COPY);
			nvvb_desc_u64(d, NVVB_CE_SRC_VA, c->src_va);
			nvvb_desc_u64(d, NVVB_CE_LENGTH, c->length);
			break;
		case NVVB_EXEC_FILL:
			nvvb_desc_init(d, NVVB_OP_CE_FILL);
			nvvb_desc_u32(d, NVVB_CE_PATTERN, c->pattern);
			nvvb_desc_u64(d, NVVB_CE_LENGTH, c->length);
			break;
		default:
			nvvb_desc_init(d, NVVB_OP_CE_SEMAPHORE);
			nvvb_desc_u64(d, NVVB_CE_SEM_VALUE, c->value);
			break;
		}
		nvvb_desc_u32(d, NVVB_CE_VM_ID, vm_id);
		nvvb_desc_u64(d, NVVB_CE_DST_VA, c->dst_va);
	}
	base->ndesc = job->ncmds;
}

static int nvvb_exec_submit(struct nvvb_job *base)
{
	struct nvvb_exec_job *job = to_exec_job(base);
	struct nvvb_vm *vm = base->vm;
	int ret;

	job->vme.vm = &vm->base;
	job->vme.flags = DRM_EXEC_INTERRUPTIBLE_WAIT |
			 DRM_EXEC_IGNORE_DUPLICATES;
	job->vme.num_fences = 1;

	/* the VM lock keeps the extobj list stable while it is walked */
	mutex_lock(&vm->lock);
	ret = drm_gpuvm_exec_lock(&job->vme);
	mutex_unlock(&vm->lock);
	if (ret)
		return ret;
	ret = drm_gpuvm_exec_validate(&job->vme);
	if (ret) {
		drm_gpuvm_exec_unlock(&job->vme);
		return ret;
	}
	nvvb_exec_build(job);
	return 0;
}

static void nvvb_exec_armed(struct nvvb_job *base)
{
	struct nvvb_exec_job *job = to_exec_job(base);

	drm_gpuvm_exec_resv_add_fence(&job->vme, base->done,
				      DMA_RESV_USAGE_BOOKKEEP,
				      DMA_RESV_USAGE_BOOKKEEP);
	drm_gpuvm_exec_unlock(&job->vme);
}

static void nvvb_exec_free(struct nvvb_job *base)
{
	nvvb_job_release(base);
	kvfree(to_exec_job(base));
}

static const struct nvvb_job_ops nvvb_exec_job_ops = {
	.submit = nvvb_exec_submit,
	.armed = nvvb_exec_armed,
	.free = nvvb_exec_free,
};

int nvvb_ioctl_exec(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct nvvb_device *ndev = to_nvvb(dev);
	struct drm_nvvb_exec *args = data;
	struct nvvb_exec_job *job;
	struct nvvb_vm *vm;
	u32 i, n = args->cmd_count;
	int ret;

	vm = nvvb_file_vm(file);
	if (!vm)
		return -EOPNOTSUPP;
	if (!ndev->ce.sched_ready)
		return -ENODEV;
	/* the copy engine has no no-op to carry a fence for an empty job */
	if (args->flags & ~NVVB_EXEC_RUN_ASYNC || !n || n > NVVB_MAX_EXEC_CMDS)
		return -EINVAL;
	job = kvzalloc(struct_size(job, cmds, n), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	job->ncmds = n;
	if (copy_from_user(job->cmds, u64_to_user_ptr(args->cmd_ptr),
			   n * sizeof(*job->cmds))) {
		kvfree(job);
		return -EFAULT;
	}
	for (i = 0; i < n; i++) {
		ret = nvvb_exec_check(&job->cmds[i]);
		if (ret) {
			kvfree(job);
			return ret;
		}
	}
	ret = nvvb_job_init(&job->base, vm, file, &ndev->ce, &vm->exec_entity,
			    &nvvb_exec_job_ops,
			    args->flags & NVVB_EXEC_RUN_ASYNC,
			    args->wait_count, args->wait_ptr,
			    args->sig_count, args->sig_ptr, n);
	if (ret) {
		nvvb_job_put_unsubmitted(&job->base);
		return ret;
	}
	atomic64_inc(&ndev->exec_jobs);
	return nvvb_job_submit(&job->base);
}
