// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb: VA spaces (drm_gpuvm), VM_INIT and VM_BIND.
 *
 * Each DRM file has at most one VM, created by VM_INIT, as in nouveau.  The
 * VM's state is a drm_gpuvm over [0, 2^47) plus nouveau's sparse regions.
 * A VM_BIND job changes that state when it is submitted (so later jobs
 * validate against it) and its descriptors, one per operation plus a
 * BO_CREATE before the first MAP of a BO the device has not seen, reach the
 * device's bind queue when the job runs.  The device applies the very same
 * requests to its own GPUVM, in the same order, and builds page tables; the
 * driver never sends split/merge steps.
 *
 * Submission follows nouveau_uvmm.c's structure: look up BOs and check each
 * operation; check them against the regions; under the VM lock apply each
 * operation's drm_gpuva_ops to the VA tree (unwinding all of them on any
 * error); lock the VM's and the BOs' reservations; link and unlink mappings
 * to their vm_bo; publish the job's fence.  Mappings removed by a job stay
 * allocated, holding their BO, until the job has completed on the device.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_print.h>

#include "nvvb_drv.h"

/*
 * Fault injection for the test harness: every N-th MAP descriptor sent to
 * the device gets a BO offset one page off what drm_gpuvm recorded, so
 * that the suite and the host check can show they catch a driver that lies.
 */
static unsigned int nvvb_x_corrupt_bind;
module_param_named(x_corrupt_bind, nvvb_x_corrupt_bind, uint, 0644);
MODULE_PARM_DESC(x_corrupt_bind,
		 "testing: send every N-th MAP with a wrong BO offset (0 = off)");
static atomic_t nvvb_maps_sent = ATOMIC_INIT(0);

/*
 * Test only: while non-zero, each allocation nvvb_sm_step() would make
 * counts it down, and the one that reaches zero fails with -ENOMEM (the
 * kernels we test have no failslab).  The guest suite sets it through
 * sysfs to fail each allocation of a split in turn.
 */
static unsigned int nvvb_x_fail_step;
module_param_named(x_fail_step, nvvb_x_fail_step, uint, 0644);
MODULE_PARM_DESC(x_fail_step,
		 "test only: fail the Nth MAP step allocation from now (0: off)");

/* Whether this step allocation is the one x_fail_step fails (vm->lock). */
static bool nvvb_x_fail_now(void)
{
	unsigned int n = READ_ONCE(nvvb_x_fail_step);

	if (!n)
		return false;
	WRITE_ONCE(nvvb_x_fail_step, n - 1);
	return n == 1;
}

enum nvvb_bind_kind {
	NVVB_BIND_INVALID,
	NVVB_BIND_MAP,
	NVVB_BIND_UNMAP,
	NVVB_BIND_MAP_SPARSE,
	NVVB_BIND_UNMAP_SPARSE,
};

#define NVVB_BIND_MAP_FLAGS	(NVVB_VM_BIND_KIND_MASK | NVVB_VM_BIND_READ_ONLY | \
			 NVVB_VM_BIND_PRIV | NVVB_VM_BIND_NO_ATOMIC)

struct nvvb_bind_op {
	enum nvvb_bind_kind kind;
	u32 flags;
	u32 handle;
	u32 pad;
	u32 uop;
	u64 addr;
	u64 range;
	u64 offset;
	struct drm_gem_object *obj;
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva_ops *ops;	/* applied to the VA tree */
	/* a MAP's steps (ops points here), the first without an allocation */
	struct drm_gpuva_ops map_ops;
	struct nvvb_gpuva_op map_step;
	struct nvvb_region *reg;
	bool applied;
	bool new_hw_id;			/* this op gave the BO its device id */
};

struct nvvb_bind_job {
	struct nvvb_job base;
	struct drm_exec exec;
	bool locked;
	u32 nops;
	struct nvvb_bind_op ops[] __counted_by(nops);
};

static struct nvvb_bind_job *to_bind_job(struct nvvb_job *job)
{
	return container_of(job, struct nvvb_bind_job, base);
}

/* drm_gpuvm callbacks */

static void nvvb_gpuvm_free(struct drm_gpuvm *gpuvm)
{
	struct nvvb_vm *vm = to_nvvb_vm(gpuvm);

	mutex_destroy(&vm->lock);
	mutex_destroy(&vm->submit_lock);
	kfree(vm);
}

static struct drm_gpuva_op *nvvb_gpuva_op_alloc(void)
{
	struct nvvb_gpuva_op *op = kzalloc_obj(*op);

	return op ? &op->base : NULL;
}

static void nvvb_gpuva_op_free(struct drm_gpuva_op *op)
{
	kfree(to_nvvb_op(op));
}

static int nvvb_vm_bo_validate(struct drm_gpuvm_bo *vm_bo,
			       struct drm_exec *exec)
{
	return nvvb_bo_validate(to_nvvb_bo(vm_bo->obj));
}

/* A copy of a remap piece, or NULL (out of memory, or x_fail_step). */
static void *nvvb_step_dup(const void *piece, size_t size)
{
	return nvvb_x_fail_now() ? NULL : kmemdup(piece, size, GFP_KERNEL);
}

/*
 * A MAP's split/merge steps, recorded as drm_gpuvm_sm_map_ops_create()
 * records them (remap pieces copied), but into the bind op: the first step,
 * the only one of a MAP into free space, needs no allocation (under TCG
 * the list and step allocations were a tenth of a 256-op job).
 */
static int nvvb_sm_step(struct drm_gpuva_op *step, void *priv)
{
	struct nvvb_bind_op *op = priv;
	struct drm_gpuva_op_remap *r;
	struct nvvb_gpuva_op *o;

	if (list_empty(&op->map_ops.list)) {
		o = &op->map_step;
	} else {
		o = nvvb_x_fail_now() ? NULL : kzalloc_obj(*o);
		if (!o)
			return -ENOMEM;
	}
	o->base = *step;
	list_add_tail(&o->base.entry, &op->map_ops.list);
	if (step->op != DRM_GPUVA_OP_REMAP)
		return 0;
	/* the step's pieces live on drm_gpuvm's stack */
	r = &o->base.remap;
	r->prev = NULL;
	r->next = NULL;
	r->unmap = nvvb_step_dup(step->remap.unmap, sizeof(*r->unmap));
	if (step->remap.prev)
		r->prev = nvvb_step_dup(step->remap.prev, sizeof(*r->prev));
	if (step->remap.next)
		r->next = nvvb_step_dup(step->remap.next, sizeof(*r->next));
	/* what was copied is freed with the list (nvvb_bind_ops_free()) */
	if (!r->unmap || (step->remap.prev && !r->prev) ||
	    (step->remap.next && !r->next))
		return -ENOMEM;
	return 0;
}

static const struct drm_gpuvm_ops nvvb_gpuvm_ops = {
	.vm_free = nvvb_gpuvm_free,
	.op_alloc = nvvb_gpuva_op_alloc,
	.op_free = nvvb_gpuva_op_free,
	.vm_bo_validate = nvvb_vm_bo_validate,
	.sm_step_map = nvvb_sm_step,
	.sm_step_remap = nvvb_sm_step,
	.sm_step_unmap = nvvb_sm_step,
};

/* Free an op's step list: a MAP's (nvvb_sm_step()) or drm_gpuvm's. */
static void nvvb_bind_ops_free(struct nvvb_vm *vm, struct nvvb_bind_op *op,
			       struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *s, *n;

	if (ops != &op->map_ops) {
		drm_gpuva_ops_free(&vm->base, ops);
		return;
	}
	drm_gpuva_for_each_op_safe(s, n, ops) {
		list_del(&s->entry);
		if (s->op == DRM_GPUVA_OP_REMAP) {
			kfree(s->remap.prev);
			kfree(s->remap.next);
			kfree(s->remap.unmap);
		}
		if (to_nvvb_op(s) != &op->map_step)
			kfree(to_nvvb_op(s));
	}
}

/* Mappings: each holds a reference to its BO until freed. */

static struct nvvb_va *nvvb_va_alloc(void)
{
	return kzalloc_obj(struct nvvb_va);
}

static void nvvb_va_free(struct nvvb_va *va)
{
	if (!va)
		return;
	drm_gem_object_put(va->base.gem.obj);
	kfree(va);
}

/* Sparse regions, in a maple tree keyed by [addr, addr + range - 1]. */

static struct nvvb_region *nvvb_region_first(struct nvvb_vm *vm, u64 addr,
					     u64 range)
{
	unsigned long index = addr;

	/* most VMs have no sparse region: skip the walk (vm->lock held) */
	if (mtree_empty(&vm->regions))
		return NULL;
	return mt_find(&vm->regions, &index, addr + range - 1);
}

static struct nvvb_region *nvvb_region_find(struct nvvb_vm *vm, u64 addr,
					    u64 range)
{
	struct nvvb_region *reg = nvvb_region_first(vm, addr, range);

	if (reg && reg->addr == addr && reg->range == range)
		return reg;
	return NULL;
}

/*
 * Allocate the new mappings an op list creates; nothing is applied yet, so
 * a failure here leaves the VA tree untouched.
 */
static int nvvb_ops_alloc(struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops) {
		struct nvvb_gpuva_op *o = to_nvvb_op(op);

		if (op->op == DRM_GPUVA_OP_MAP) {
			o->map = nvvb_va_alloc();
			if (!o->map)
				return -ENOMEM;
		} else if (op->op == DRM_GPUVA_OP_REMAP) {
			if (op->remap.prev) {
				o->prev = nvvb_va_alloc();
				if (!o->prev)
					return -ENOMEM;
			}
			if (op->remap.next) {
				o->next = nvvb_va_alloc();
				if (!o->next)
					return -ENOMEM;
			}
		}
	}
	return 0;
}

/* Free what nvvb_ops_alloc() allocated, for an op list never applied. */
static void nvvb_ops_free_unapplied(struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops) {
		struct nvvb_gpuva_op *o = to_nvvb_op(op);

		kfree(o->map);
		kfree(o->prev);
		kfree(o->next);
		o->map = NULL;
		o->prev = NULL;
		o->next = NULL;
	}
}

/* Apply an op list to the VA tree; cannot fail after nvvb_ops_alloc(). */
static void nvvb_ops_apply(struct nvvb_vm *vm, struct drm_gpuva_ops *ops,
			   u32 map_flags)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops) {
		struct nvvb_gpuva_op *o = to_nvvb_op(op);

		switch (op->op) {
		case DRM_GPUVA_OP_MAP:
			o->map->flags = map_flags;
			drm_gpuva_map(&vm->base, &o->map->base, &op->map);
			drm_gem_object_get(o->map->base.gem.obj);
			break;
		case DRM_GPUVA_OP_REMAP: {
			struct nvvb_va *old = to_nvvb_va(op->remap.unmap->va);

			drm_gpuva_remap(o->prev ? &o->prev->base : NULL,
					o->next ? &o->next->base : NULL,
					&op->remap);
			if (o->prev) {
				o->prev->flags = old->flags;
				drm_gem_object_get(o->prev->base.gem.obj);
			}
			if (o->next) {
				o->next->flags = old->flags;
				drm_gem_object_get(o->next->base.gem.obj);
			}
			break;
		}
		case DRM_GPUVA_OP_UNMAP:
			drm_gpuva_unmap(&op->unmap);
			break;
		default:
			break;
		}
	}
}

/* Undo nvvb_ops_apply(), in reverse; mappings are not yet (un)linked. */
static void nvvb_ops_unwind(struct nvvb_vm *vm, struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op_reverse(op, ops) {
		struct nvvb_gpuva_op *o = to_nvvb_op(op);

		switch (op->op) {
		case DRM_GPUVA_OP_MAP:
			drm_gpuva_remove(&o->map->base);
			nvvb_va_free(o->map);
			o->map = NULL;
			break;
		case DRM_GPUVA_OP_REMAP:
			if (o->next) {
				drm_gpuva_remove(&o->next->base);
				nvvb_va_free(o->next);
				o->next = NULL;
			}
			if (o->prev) {
				drm_gpuva_remove(&o->prev->base);
				nvvb_va_free(o->prev);
				o->prev = NULL;
			}
			drm_WARN_ON(vm->base.drm,
				    drm_gpuva_insert(&vm->base,
						     op->remap.unmap->va));
			break;
		case DRM_GPUVA_OP_UNMAP:
			drm_WARN_ON(vm->base.drm,
				    drm_gpuva_insert(&vm->base, op->unmap.va));
			break;
		default:
			break;
		}
	}
}

/* Link new mappings to their vm_bo, unlink removed ones; resvs held. */
static void nvvb_ops_link(struct drm_gpuva_ops *ops, struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops) {
		struct nvvb_gpuva_op *o = to_nvvb_op(op);

		switch (op->op) {
		case DRM_GPUVA_OP_MAP:
			drm_gpuva_link(&o->map->base, vm_bo);
			break;
		case DRM_GPUVA_OP_REMAP: {
			struct drm_gpuva *old = op->remap.unmap->va;

			if (o->prev)
				drm_gpuva_link(&o->prev->base, old->vm_bo);
			if (o->next)
				drm_gpuva_link(&o->next->base, old->vm_bo);
			drm_gpuva_unlink(old);
			break;
		}
		case DRM_GPUVA_OP_UNMAP:
			drm_gpuva_unlink(op->unmap.va);
			break;
		default:
			break;
		}
	}
}

/* After the job: free the mappings its ops removed (they hold BOs). */
static void nvvb_ops_release(struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops) {
		if (op->op == DRM_GPUVA_OP_REMAP)
			nvvb_va_free(to_nvvb_va(op->remap.unmap->va));
		else if (op->op == DRM_GPUVA_OP_UNMAP)
			nvvb_va_free(to_nvvb_va(op->unmap.va));
	}
}

static struct drm_gem_object *nvvb_op_obj(struct drm_gpuva_op *op)
{
	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		return op->map.gem.obj;
	case DRM_GPUVA_OP_REMAP:
		return op->remap.unmap->va->gem.obj;
	case DRM_GPUVA_OP_UNMAP:
		return op->unmap.va->gem.obj;
	default:
		return NULL;
	}
}

/*
 * Per-operation checks, in nouveau's order (bind_validate_op() and
 * nouveau_uvmm_validate_range()), after our stricter field checks.  @prev
 * is the job's last checked MAP: a MAP of the same handle takes new
 * references to its BO and vm_bo instead of a lookup and a resv lock each
 * (jobs of many MAPs of one BO are the common case).
 */
static int nvvb_bind_check_op(struct nvvb_vm *vm, struct drm_file *file,
			      struct nvvb_bind_op *op,
			      const struct nvvb_bind_op *prev)
{
	u32 allowed;

	switch (op->uop) {
	case NVVB_VM_BIND_OP_MAP:
		op->kind = op->flags & NVVB_VM_BIND_SPARSE ?
			   NVVB_BIND_MAP_SPARSE : NVVB_BIND_MAP;
		break;
	case NVVB_VM_BIND_OP_UNMAP:
		op->kind = op->flags & NVVB_VM_BIND_SPARSE ?
			   NVVB_BIND_UNMAP_SPARSE : NVVB_BIND_UNMAP;
		break;
	default:
		return -EINVAL;
	}
	switch (op->kind) {
	case NVVB_BIND_MAP:
		allowed = NVVB_BIND_MAP_FLAGS;
		break;
	case NVVB_BIND_MAP_SPARSE:
		/* the kind is ignored for sparse regions, as in nouveau */
		allowed = NVVB_VM_BIND_SPARSE | NVVB_VM_BIND_KIND_MASK;
		break;
	default:
		allowed = NVVB_VM_BIND_SPARSE;
		break;
	}
	if ((op->flags & ~allowed) || op->pad)
		return -EINVAL;

	if (op->kind == NVVB_BIND_MAP && prev && prev->handle == op->handle) {
		op->obj = prev->obj;
		drm_gem_object_get(op->obj);
		op->vm_bo = drm_gpuvm_bo_get(prev->vm_bo);
		if (op->offset & ~PAGE_MASK || op->offset >= op->obj->size ||
		    op->range > op->obj->size - op->offset)
			return -EINVAL;
	} else if (op->kind == NVVB_BIND_MAP) {
		struct drm_gem_object *obj;

		obj = drm_gem_object_lookup(file, op->handle);
		if (!obj)
			return -ENOENT;
		op->obj = obj;
		if ((to_nvvb_bo(obj)->flags & NVVB_GEM_NO_SHARE) &&
		    obj->resv != drm_gpuvm_resv(&vm->base))
			return -EINVAL;

		dma_resv_lock(obj->resv, NULL);
		op->vm_bo = nvvb_compat_gpuvm_bo_obtain(&vm->base, obj);
		dma_resv_unlock(obj->resv);
		if (IS_ERR(op->vm_bo)) {
			int ret = PTR_ERR(op->vm_bo);

			op->vm_bo = NULL;
			return ret;
		}
		drm_gpuvm_bo_extobj_add(op->vm_bo);

		if (op->offset & ~PAGE_MASK || op->offset >= obj->size ||
		    op->range > obj->size - op->offset)
			return -EINVAL;
	}
	if ((op->addr | op->range) & ~PAGE_MASK || !op->range ||
	    !drm_gpuvm_range_valid(&vm->base, op->addr, op->range))
		return -EINVAL;
	return 0;
}

/* Against the regions before the job (nouveau's bind_validate_region()). */
static int nvvb_bind_check_regions(struct nvvb_vm *vm,
				   struct nvvb_bind_job *job)
{
	u32 i;

	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];
		struct nvvb_region *reg;

		if (op->kind != NVVB_BIND_MAP &&
		    op->kind != NVVB_BIND_MAP_SPARSE)
			continue;
		reg = nvvb_region_first(vm, op->addr, op->range);
		if (!reg)
			continue;
		if (op->kind == NVVB_BIND_MAP_SPARSE)
			return -ENOSPC;
		/* a mapping is wholly inside a region or outside all */
		if (reg->addr > op->addr ||
		    reg->addr + reg->range < op->addr + op->range)
			return -ENOSPC;
	}
	return 0;
}

/* Apply one operation to the VA tree and regions (vm->lock held). */
static int nvvb_bind_apply_op(struct nvvb_vm *vm, struct nvvb_bind_op *op)
{
	struct drm_gpuva_ops *ops;
	struct nvvb_region *reg;
	int ret;

	switch (op->kind) {
	case NVVB_BIND_MAP_SPARSE:
		if (!drm_gpuvm_interval_empty(&vm->base, op->addr, op->range))
			return -ENOSPC;
		reg = kzalloc_obj(*reg);
		if (!reg)
			return -ENOMEM;
		reg->addr = op->addr;
		reg->range = op->range;
		ret = mtree_insert_range(&vm->regions, op->addr,
					 op->addr + op->range - 1, reg,
					 GFP_KERNEL);
		if (ret) {
			kfree(reg);
			return ret;	/* -EEXIST: overlaps one of this job */
		}
		op->reg = reg;
		op->applied = true;
		return 0;
	case NVVB_BIND_UNMAP_SPARSE:
		reg = nvvb_region_find(vm, op->addr, op->range);
		if (!reg || reg->dirty)
			return -ENOENT;
		ops = drm_gpuvm_sm_unmap_ops_create(&vm->base, op->addr,
						    op->range);
		break;
	case NVVB_BIND_MAP:
		reg = nvvb_region_first(vm, op->addr, op->range);
		if (reg) {
			/* destroyed earlier in this job */
			if (reg->dirty)
				return -EINVAL;
			if (reg->addr > op->addr ||
			    reg->addr + reg->range < op->addr + op->range)
				return -ENOSPC;
		}
		ops = &op->map_ops;
		INIT_LIST_HEAD(&ops->list);
		ret = nvvb_compat_sm_map(&vm->base, op, op->addr, op->range,
					 op->obj, op->offset);
		if (ret) {
			nvvb_bind_ops_free(vm, op, ops);
			return ret;
		}
		break;
	case NVVB_BIND_UNMAP:
		ops = drm_gpuvm_sm_unmap_ops_create(&vm->base, op->addr,
						    op->range);
		break;
	default:
		return -EINVAL;
	}
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	ret = nvvb_ops_alloc(ops);
	if (ret) {
		nvvb_ops_free_unapplied(ops);
		nvvb_bind_ops_free(vm, op, ops);
		return ret;
	}
	nvvb_ops_apply(vm, ops, op->flags & NVVB_BIND_MAP_FLAGS);
	op->ops = ops;
	if (op->kind == NVVB_BIND_UNMAP_SPARSE) {
		reg->dirty = true;
		op->reg = reg;
	}
	op->applied = true;
	return 0;
}

static void nvvb_bind_unwind_op(struct nvvb_vm *vm, struct nvvb_bind_op *op)
{
	if (!op->applied)
		return;
	switch (op->kind) {
	case NVVB_BIND_MAP_SPARSE:
		mtree_erase(&vm->regions, op->reg->addr);
		kfree(op->reg);
		break;
	case NVVB_BIND_UNMAP_SPARSE:
		op->reg->dirty = false;
		fallthrough;
	default:
		nvvb_ops_unwind(vm, op->ops);
		nvvb_bind_ops_free(vm, op, op->ops);
		op->ops = NULL;
		break;
	}
	op->reg = NULL;
	op->applied = false;
}

static int nvvb_bind_lock(struct nvvb_vm *vm, struct nvvb_bind_job *job)
{
	struct drm_exec *exec = &job->exec;
	int ret = 0;
	u32 i;

	/*
	 * Room for the VM's resv and one BO per op (drm_exec grows the array
	 * if more are locked); 0 would allocate a page, which init_on_alloc
	 * clears byte by byte: a quarter of a synchronous bind under TCG.
	 */
	drm_exec_init(exec, DRM_EXEC_INTERRUPTIBLE_WAIT |
		      DRM_EXEC_IGNORE_DUPLICATES,
		      min_t(u32, job->nops + 1, PAGE_SIZE / sizeof(void *)));
	drm_exec_until_all_locked(exec) {
		/* one prepare per run of ops on the same BO */
		struct drm_gem_object *last = NULL;

		ret = drm_exec_prepare_obj(exec, drm_gpuvm_resv_obj(&vm->base),
					   1);
		drm_exec_retry_on_contention(exec);
		if (ret)
			break;
		for (i = 0; i < job->nops && !ret; i++) {
			struct drm_gpuva_op *va_op;

			if (!job->ops[i].ops)
				continue;
			drm_gpuva_for_each_op(va_op, job->ops[i].ops) {
				struct drm_gem_object *obj = nvvb_op_obj(va_op);

				if (!obj || obj == last)
					continue;
				last = obj;
				ret = drm_exec_prepare_obj(exec, obj, 1);
				drm_exec_retry_on_contention(exec);
				if (ret)
					break;
			}
		}
	}
	if (ret) {
		drm_exec_fini(exec);
		return ret;
	}
	job->locked = true;
	return 0;
}

/*
 * Give BOs mapped for the first time their device id; add a dependency on
 * the job that creates a BO another job named first.  Resvs are held.
 */
static int nvvb_bind_prepare_bos(struct nvvb_device *ndev,
				 struct nvvb_bind_job *job)
{
	u32 i;
	int ret;

	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];
		struct nvvb_bo *bo;

		if (op->kind != NVVB_BIND_MAP)
			continue;
		bo = to_nvvb_bo(op->obj);
		if (bo->placement == NVVB_GEM_DOMAIN_SYSMEM && !bo->sg.cpu)
			return -EINVAL;
		if (!bo->hw_id) {
			ret = ida_alloc_range(&ndev->bo_ida, 1,
					      NVVB_MAX_BOS - 1, GFP_KERNEL);
			if (ret < 0)
				return ret;
			bo->hw_id = ret;
			op->new_hw_id = true;
		} else if (bo->create_fence &&
			   !dma_fence_is_signaled(bo->create_fence)) {
			struct dma_fence *f = dma_fence_get(bo->create_fence);

			ret = drm_sched_job_add_dependency(&job->base.base, f);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static void nvvb_bind_release_ids(struct nvvb_device *ndev,
				  struct nvvb_bind_job *job)
{
	u32 i;

	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];

		if (!op->new_hw_id)
			continue;
		ida_free(&ndev->bo_ida, to_nvvb_bo(op->obj)->hw_id);
		to_nvvb_bo(op->obj)->hw_id = 0;
		op->new_hw_id = false;
	}
}

static u64 nvvb_maybe_corrupt(struct nvvb_bind_op *op)
{
	u64 off = op->offset;

	if (!nvvb_x_corrupt_bind ||
	    atomic_inc_return(&nvvb_maps_sent) % nvvb_x_corrupt_bind)
		return off;
	if (off + op->range + PAGE_SIZE <= op->obj->size)
		off += PAGE_SIZE;
	else if (off >= PAGE_SIZE)
		off -= PAGE_SIZE;
	pr_info("nvvb: x_corrupt_bind: MAP at 0x%llx sent with BO offset 0x%llx, not 0x%llx\n",
		op->addr, off, op->offset);
	return off;
}

/* The requests, in order, as device descriptors. */
static void nvvb_bind_build(struct nvvb_vm *vm, struct nvvb_bind_job *job)
{
	struct nvvb_job *base = &job->base;
	u32 i;

	/* the uAPI's MAP flags are the device's */
	BUILD_BUG_ON((NVVB_VM_BIND_KIND_MASK ^ NVVB_MAP_KIND_MASK) |
		     (NVVB_VM_BIND_SPARSE ^ NVVB_MAP_SPARSE) |
		     (NVVB_VM_BIND_READ_ONLY ^ NVVB_MAP_READ_ONLY) |
		     (NVVB_VM_BIND_PRIV ^ NVVB_MAP_PRIV) |
		     (NVVB_VM_BIND_NO_ATOMIC ^ NVVB_MAP_NO_ATOMIC));

	base->ndesc = 0;
	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];
		struct nvvb_desc *d;
		u32 flags = 0, bo_id = 0;
		u16 opcode;

		switch (op->kind) {
		case NVVB_BIND_MAP:
			if (op->new_hw_id)
				nvvb_bo_emit_create(to_nvvb_bo(op->obj),
						    &base->desc[base->ndesc++]);
			opcode = NVVB_OP_MAP;
			flags = op->flags & NVVB_BIND_MAP_FLAGS;
			bo_id = to_nvvb_bo(op->obj)->hw_id;
			break;
		case NVVB_BIND_MAP_SPARSE:
			opcode = NVVB_OP_MAP;
			flags = NVVB_MAP_SPARSE;
			break;
		case NVVB_BIND_UNMAP_SPARSE:
			opcode = NVVB_OP_UNMAP;
			flags = NVVB_MAP_SPARSE;
			break;
		default:
			opcode = NVVB_OP_UNMAP;
			break;
		}
		d = &base->desc[base->ndesc++];
		nvvb_desc_init(d, opcode);
		nvvb_desc_u32(d, NVVB_MAP_VM_ID, vm->hw_id);
		nvvb_desc_u32(d, NVVB_MAP_BO_ID, bo_id);
		nvvb_desc_u64(d, NVVB_MAP_VA, op->addr);
		nvvb_desc_u64(d, NVVB_MAP_RANGE, op->range);
		if (op->kind == NVVB_BIND_MAP)
			nvvb_desc_u64(d, NVVB_MAP_BO_OFFSET,
				      nvvb_maybe_corrupt(op));
		nvvb_desc_u32(d, NVVB_MAP_FLAGS, flags);
	}
	if (!base->ndesc)
		nvvb_desc_init(&base->desc[base->ndesc++], NVVB_OP_NOP);
}

static int nvvb_bind_submit(struct nvvb_job *base)
{
	struct nvvb_bind_job *job = to_bind_job(base);
	const struct nvvb_bind_op *prev = NULL;
	struct nvvb_vm *vm = base->vm;
	struct nvvb_device *ndev = vm->ndev;
	u32 i, ndesc;
	int ret = 0;

	for (i = 0; i < job->nops; i++) {
		ret = nvvb_bind_check_op(vm, base->file, &job->ops[i], prev);
		if (ret)
			return ret;
		if (job->ops[i].kind == NVVB_BIND_MAP)
			prev = &job->ops[i];
	}
	/* pin system-memory BOs and build their extent lists, no locks held */
	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];

		if (op->kind == NVVB_BIND_MAP &&
		    to_nvvb_bo(op->obj)->domain == NVVB_GEM_DOMAIN_SYSMEM) {
			ret = nvvb_bo_prepare_sysmem(to_nvvb_bo(op->obj));
			if (ret)
				return ret;
		}
	}

	mutex_lock(&vm->lock);
	ret = nvvb_bind_check_regions(vm, job);
	if (ret)
		goto out_unlock;
	for (i = 0; i < job->nops; i++) {
		ret = nvvb_bind_apply_op(vm, &job->ops[i]);
		if (ret)
			goto unwind;
	}
	ret = nvvb_bind_lock(vm, job);
	if (ret)
		goto unwind;
	ret = nvvb_bind_prepare_bos(ndev, job);
	if (ret)
		goto unwind_locked;
	/* one per op, a BO_CREATE per new BO, at least one (a NOP) */
	ndesc = job->nops;
	for (i = 0; i < job->nops; i++)
		ndesc += job->ops[i].new_hw_id;
	base->desc = kvmalloc_array(max(1U, ndesc), sizeof(*base->desc),
				    GFP_KERNEL);
	if (!base->desc) {
		ret = -ENOMEM;
		goto unwind_locked;
	}
	base->maxdesc = max(1U, ndesc);

	/* nothing fails from here on */
	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];

		if (op->ops)
			nvvb_ops_link(op->ops, op->vm_bo);
		if (op->kind == NVVB_BIND_MAP &&
		    to_nvvb_bo(op->obj)->placement !=
		    to_nvvb_bo(op->obj)->domain)
			drm_gpuvm_bo_evict(op->vm_bo, true);
		if (op->kind == NVVB_BIND_UNMAP_SPARSE) {
			mtree_erase(&vm->regions, op->reg->addr);
			kfree(op->reg);
		}
		op->reg = NULL;
	}
	nvvb_bind_build(vm, job);
	mutex_unlock(&vm->lock);
	return 0;

unwind_locked:
	nvvb_bind_release_ids(ndev, job);
	drm_exec_fini(&job->exec);
	job->locked = false;
unwind:
	for (i = job->nops; i-- > 0;)
		nvvb_bind_unwind_op(vm, &job->ops[i]);
out_unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

static void nvvb_bind_armed(struct nvvb_job *base)
{
	struct nvvb_bind_job *job = to_bind_job(base);
	u32 i;

	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];

		if (op->new_hw_id) {
			struct nvvb_bo *bo = to_nvvb_bo(op->obj);

			dma_fence_put(bo->create_fence);
			bo->create_fence = dma_fence_get(base->done);
		}
	}
	/* BO moves wait for this job (nvvb_bo_wait_idle()) */
	nvvb_compat_exec_add_fence(&job->exec, base->done,
				   DMA_RESV_USAGE_BOOKKEEP);
	/*
	 * The mappings hold their vm_bos now: drop the ops' references while
	 * the resvs are held, so that free_job() needs no resv (op->obj keeps
	 * each BO alive across the put).
	 */
	for (i = 0; i < job->nops; i++) {
		drm_gpuvm_bo_put(job->ops[i].vm_bo);
		job->ops[i].vm_bo = NULL;
	}
	drm_exec_fini(&job->exec);
	job->locked = false;
}

static void nvvb_bind_free(struct nvvb_job *base)
{
	struct nvvb_bind_job *job = to_bind_job(base);
	struct nvvb_vm *vm = base->vm;
	u32 i;

	for (i = 0; i < job->nops; i++) {
		struct nvvb_bind_op *op = &job->ops[i];

		if (op->ops) {
			nvvb_ops_release(op->ops);
			nvvb_bind_ops_free(vm, op, op->ops);
		}
		if (op->vm_bo) {
			/* a job never armed; op->obj keeps the BO alive */
			dma_resv_lock(op->obj->resv, NULL);
			drm_gpuvm_bo_put(op->vm_bo);
			dma_resv_unlock(op->obj->resv);
		}
		drm_gem_object_put(op->obj);
	}
	nvvb_job_release(base);
	kvfree(job);
}

static const struct nvvb_job_ops nvvb_bind_job_ops = {
	.submit = nvvb_bind_submit,
	.armed = nvvb_bind_armed,
	.free = nvvb_bind_free,
};

struct nvvb_vm *nvvb_file_vm(struct drm_file *file)
{
	struct nvvb_file *nf = file->driver_priv;
	struct nvvb_vm *vm;

	mutex_lock(&nf->lock);
	vm = nf->vm;
	mutex_unlock(&nf->lock);
	return vm;
}

/* User ops copied at a time: no staging allocation (see below). */
#define NVVB_BIND_COPY_CHUNK	8

int nvvb_ioctl_vm_bind(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct drm_nvvb_vm_bind_op uops[NVVB_BIND_COPY_CHUNK];
	struct nvvb_device *ndev = to_nvvb(dev);
	struct drm_nvvb_vm_bind *args = data;
	struct nvvb_bind_job *job;
	struct nvvb_vm *vm;
	u32 i, k, c, n = args->op_count;
	int ret;

	vm = nvvb_file_vm(file);
	if (!vm)
		return -EOPNOTSUPP;
	if (args->flags & ~NVVB_VM_BIND_RUN_ASYNC || n > NVVB_MAX_BIND_OPS)
		return -EINVAL;
	/*
	 * The ops are all set below and only the header is cleared, and the
	 * user's ops come through a small buffer on the stack: with Debian's
	 * init_on_alloc every allocated page is cleared byte by byte (rep
	 * stosb), which under TCG was ~10% of a 256-op job.
	 */
	job = kvmalloc(struct_size(job, ops, n), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	memset(job, 0, struct_size(job, ops, 0));
	job->nops = n;
	for (i = 0; i < n; i += c) {
		c = min_t(u32, n - i, NVVB_BIND_COPY_CHUNK);
		if (copy_from_user(uops, u64_to_user_ptr(args->op_ptr) +
				   i * sizeof(*uops), c * sizeof(*uops))) {
			kvfree(job);
			return -EFAULT;
		}
		for (k = 0; k < c; k++) {
			job->ops[i + k] = (struct nvvb_bind_op) {
				.uop = uops[k].op,
				.flags = uops[k].flags,
				.handle = uops[k].handle,
				.pad = uops[k].pad,
				.addr = uops[k].addr,
				.offset = uops[k].bo_offset,
				.range = uops[k].range,
			};
		}
	}

	ret = nvvb_job_init(&job->base, vm, file, &ndev->bind,
			    &vm->bind_entity, &nvvb_bind_job_ops,
			    args->flags & NVVB_VM_BIND_RUN_ASYNC,
			    args->wait_count, args->wait_ptr,
			    args->sig_count, args->sig_ptr, 0);
	if (ret) {
		nvvb_job_put_unsubmitted(&job->base);
		return ret;
	}
	atomic64_inc(&ndev->bind_jobs);
	return nvvb_job_submit(&job->base);
}

static int nvvb_vm_hw_create(struct nvvb_vm *vm)
{
	struct nvvb_desc d;

	nvvb_desc_init(&d, NVVB_OP_VM_CREATE);
	nvvb_desc_u32(&d, NVVB_VM_ID, vm->hw_id);
	nvvb_desc_u64(&d, NVVB_VM_KERNEL_START, vm->kernel_addr);
	nvvb_desc_u64(&d, NVVB_VM_KERNEL_RANGE, vm->kernel_size);
	return nvvb_ring_exec_sync(&vm->ndev->bind, &d, 1);
}

static void nvvb_vm_hw_destroy(struct nvvb_vm *vm)
{
	struct nvvb_desc d;
	int ret;

	nvvb_desc_init(&d, NVVB_OP_VM_DESTROY);
	nvvb_desc_u32(&d, NVVB_VM_ID, vm->hw_id);
	ret = nvvb_ring_exec_sync(&vm->ndev->bind, &d, 1);
	if (ret)
		drm_err(&vm->ndev->drm, "VM_DESTROY %u: %d\n", vm->hw_id, ret);
}

static struct nvvb_vm *nvvb_vm_create(struct nvvb_device *ndev, u64 kaddr,
				      u64 ksize)
{
	struct drm_gem_object *r_obj;
	struct nvvb_vm *vm;
	int ret;

	vm = kzalloc_obj(*vm);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	vm->ndev = ndev;
	vm->kernel_addr = kaddr;
	vm->kernel_size = ksize;
	vm->pid = task_tgid_nr(current);
	get_task_comm(vm->comm, current);
	mutex_init(&vm->submit_lock);
	mutex_init(&vm->lock);
	mt_init(&vm->regions);
	init_waitqueue_head(&vm->jobs_wq);

	ret = ida_alloc_max(&ndev->vm_ida, ndev->max_vms - 1, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	vm->hw_id = ret;
	ret = nvvb_vm_hw_create(vm);
	if (ret) {
		drm_err(&ndev->drm, "VM_CREATE %u: %d\n", vm->hw_id, ret);
		goto err_ida;
	}

	ret = drm_sched_entity_init(&vm->bind_entity, DRM_SCHED_PRIORITY_NORMAL,
				    ndev->bind.sched_list, 1, NULL);
	if (ret)
		goto err_hw;
	if (ndev->ce.sched_ready) {
		ret = drm_sched_entity_init(&vm->exec_entity,
					    DRM_SCHED_PRIORITY_NORMAL,
					    ndev->ce.sched_list, 1, NULL);
		if (ret)
			goto err_entity;
	}

	r_obj = drm_gpuvm_resv_object_alloc(&ndev->drm);
	if (!r_obj) {
		ret = -ENOMEM;
		goto err_entities;
	}
	/*
	 * No flags: the VA tree changes in the ioctl, where resvs can be
	 * taken (see the lock order in nvvb_drv.h), never in run_job().
	 */
	drm_gpuvm_init(&vm->base, "nvvb", 0, &ndev->drm, r_obj, 0,
		       NVVB_VA_END, kaddr, ksize, &nvvb_gpuvm_ops);
	drm_gem_object_put(r_obj);	/* the gpuvm holds it */

	mutex_lock(&ndev->vms_lock);
	list_add_tail(&vm->link, &ndev->vms);
	mutex_unlock(&ndev->vms_lock);
	return vm;

err_entities:
	if (ndev->ce.sched_ready)
		drm_sched_entity_destroy(&vm->exec_entity);
err_entity:
	drm_sched_entity_destroy(&vm->bind_entity);
err_hw:
	nvvb_vm_hw_destroy(vm);
err_ida:
	ida_free(&ndev->vm_ida, vm->hw_id);
err_free:
	mtree_destroy(&vm->regions);
	mutex_destroy(&vm->lock);
	mutex_destroy(&vm->submit_lock);
	kfree(vm);
	return ERR_PTR(ret);
}

/**
 * nvvb_vm_destroy() - tear a file's VM down (postclose)
 * @vm: the VM
 *
 * Waits for the VM's jobs, destroys the device's VM, then drops the
 * driver's mappings and regions.  The memory goes with the last drm_gpuvm
 * reference.
 */
void nvvb_vm_destroy(struct nvvb_vm *vm)
{
	struct nvvb_device *ndev = vm->ndev;
	struct drm_gpuva *va, *next;
	struct nvvb_region *reg;
	unsigned long index = 0;

	mutex_lock(&ndev->vms_lock);
	list_del(&vm->link);
	mutex_unlock(&ndev->vms_lock);

	if (!wait_event_timeout(vm->jobs_wq, !atomic_read(&vm->jobs),
				msecs_to_jiffies(NVVB_KERNEL_WAIT_MS)))
		drm_warn(&ndev->drm, "VM %u closed with jobs still waiting\n",
			 vm->hw_id);
	drm_sched_entity_destroy(&vm->bind_entity);
	if (ndev->ce.sched_ready)
		drm_sched_entity_destroy(&vm->exec_entity);
	dma_fence_put(vm->bind_last);
	dma_fence_put(vm->exec_last);
	vm->bind_last = NULL;
	vm->exec_last = NULL;

	/* before the mappings' BOs can go (BO_DESTROY fails while mapped) */
	nvvb_vm_hw_destroy(vm);

	mutex_lock(&vm->lock);
	drm_gpuvm_for_each_va_safe(va, next, &vm->base) {
		struct drm_gem_object *obj = va->gem.obj;

		if (va == &vm->base.kernel_alloc_node)
			continue;
		drm_gpuva_remove(va);
		dma_resv_lock(obj->resv, NULL);
		drm_gpuva_unlink(va);
		dma_resv_unlock(obj->resv);
		nvvb_va_free(to_nvvb_va(va));
	}
	mt_for_each(&vm->regions, reg, index, ULONG_MAX)
		kfree(reg);
	mtree_destroy(&vm->regions);
	mutex_unlock(&vm->lock);

	ida_free(&ndev->vm_ida, vm->hw_id);
	drm_gpuvm_put(&vm->base);
}

int nvvb_ioctl_vm_init(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct nvvb_device *ndev = to_nvvb(dev);
	struct nvvb_file *nf = file->driver_priv;
	struct drm_nvvb_vm_init *args = data;
	struct nvvb_vm *vm;
	u64 end;
	int ret = 0;

	if (!ndev->has_rings)
		return -ENODEV;
	if (check_add_overflow(args->kernel_managed_addr,
			       args->kernel_managed_size, &end) ||
	    end > NVVB_VA_END)
		return -EINVAL;
	if ((args->kernel_managed_addr | args->kernel_managed_size) &
	    ~PAGE_MASK)
		return -EINVAL;

	mutex_lock(&nf->lock);
	if (nf->vm) {
		ret = -EEXIST;
	} else if (nf->vm_disabled) {
		ret = -EOPNOTSUPP;
	} else {
		vm = nvvb_vm_create(ndev, args->kernel_managed_addr,
				    args->kernel_managed_size);
		if (IS_ERR(vm))
			ret = PTR_ERR(vm);
		else
			nf->vm = vm;
	}
	mutex_unlock(&nf->lock);
	return ret;
}
