// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb: GEM objects in system memory and in VRAM.
 *
 * Every BO is a drm_gem_shmem_object.  System-memory BOs use the shmem
 * helper as is.  VRAM BOs own a range of VRAM below the device's page-table
 * pool (a drm_mm) and are mapped to user space through BAR2; their shmem
 * pages are only the backing store while they are evicted.
 *
 * The device learns about a BO when it is first bound: the bind job issues
 * BO_CREATE with the BO's backing (a VRAM offset, or a list of 4 KiB-aligned
 * system-memory extents).  Eviction and validation move a VRAM BO between
 * VRAM and system memory with BO_MOVE; the device re-points its mappings.
 * Freeing the GEM object issues BO_DESTROY.
 */
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include <drm/drm_drv.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include "nvvb_drv.h"

static void nvvb_gem_free(struct drm_gem_object *obj)
{
	struct nvvb_bo *bo = to_nvvb_bo(obj);
	struct nvvb_device *ndev = to_nvvb(obj->dev);
	struct drm_gem_object *r_obj = bo->r_obj;

	if (bo->hw_id) {
		struct nvvb_desc d;
		int ret;

		nvvb_desc_init(&d, NVVB_OP_BO_DESTROY);
		nvvb_desc_u32(&d, NVVB_BO_ID, bo->hw_id);
		ret = nvvb_ring_exec_sync(&ndev->bind, &d, 1);
		/* an id the device still holds must not be handed out again */
		if (ret)
			drm_err(&ndev->drm, "BO_DESTROY %u: %d; id not reused\n",
				bo->hw_id, ret);
		else
			ida_free(&ndev->bo_ida, bo->hw_id);
	}
	dma_fence_put(bo->create_fence);
	if (drm_mm_node_allocated(&bo->vram)) {
		mutex_lock(&ndev->vram_lock);
		drm_mm_remove_node(&bo->vram);
		mutex_unlock(&ndev->vram_lock);
	}
	if (bo->sg.cpu)
		dma_free_coherent(obj->dev->dev, bo->sg.bytes, bo->sg.cpu,
				  bo->sg.dma);
	mutex_destroy(&bo->backing_lock);
	/* frees bo; a NO_SHARE BO's resv lives in r_obj, put it after */
	drm_gem_shmem_free(&bo->base);
	drm_gem_object_put(r_obj);
}

static struct dma_buf *nvvb_gem_export(struct drm_gem_object *obj, int flags)
{
	if (to_nvvb_bo(obj)->flags & NVVB_GEM_NO_SHARE)
		return ERR_PTR(-EPERM);
	return drm_gem_prime_export(obj, flags);
}

static const struct drm_gem_object_funcs nvvb_sys_funcs = {
	.free = nvvb_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.export = nvvb_gem_export,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/*
 * CPU faults on a VRAM BO: BAR2 pages (write-combined) while in VRAM, the
 * shmem pages while evicted.  Moves zap the mapping (drm_vma_node_unmap()).
 */
static vm_fault_t nvvb_vram_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_gem_object *obj = vma->vm_private_data;
	struct nvvb_bo *bo = to_nvvb_bo(obj);
	struct nvvb_device *ndev = to_nvvb(obj->dev);
	pgoff_t page = vmf->pgoff - drm_vma_node_start(&obj->vma_node);
	unsigned long pfn;
	pgprot_t prot;
	vm_fault_t ret;

	if (page >= obj->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	if (dma_resv_lock_interruptible(obj->resv, NULL))
		return VM_FAULT_NOPAGE;
	if (bo->placement == NVVB_GEM_DOMAIN_VRAM) {
		pfn = PHYS_PFN(ndev->vram_phys + bo->vram.start) + page;
		prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	} else if (bo->base.pages) {
		pfn = page_to_pfn(bo->base.pages[page]);
		prot = vm_get_page_prot(vma->vm_flags);
	} else {
		dma_resv_unlock(obj->resv);
		return VM_FAULT_SIGBUS;
	}
	ret = vmf_insert_pfn_prot(vma, vmf->address, pfn, prot);
	dma_resv_unlock(obj->resv);
	return ret;
}

const struct vm_operations_struct nvvb_vram_vm_ops = {
	.fault = nvvb_vram_fault,
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs nvvb_vram_funcs = {
	.free = nvvb_gem_free,
	.export = nvvb_gem_export,
	.vm_ops = &nvvb_vram_vm_ops,
};

/* drm_driver.gem_create_object: every BO starts as a system-memory BO. */
struct drm_gem_object *nvvb_gem_create_object(struct drm_device *dev,
					      size_t size)
{
	struct nvvb_bo *bo = kzalloc_obj(*bo);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	mutex_init(&bo->backing_lock);
	bo->base.base.funcs = &nvvb_sys_funcs;
	return &bo->base.base;
}

static int nvvb_vram_alloc(struct nvvb_device *ndev, struct nvvb_bo *bo)
{
	u64 size = bo->base.base.size;
	u64 align = size >= SZ_2M ? SZ_2M : size >= SZ_64K ? SZ_64K : SZ_4K;
	int ret;

	mutex_lock(&ndev->vram_lock);
	ret = drm_mm_insert_node_generic(&ndev->vram_mm, &bo->vram, size,
					 align, 0, DRM_MM_INSERT_BEST);
	mutex_unlock(&ndev->vram_lock);
	return ret ? -ENOMEM : 0;
}

static void nvvb_vram_free(struct nvvb_device *ndev, struct nvvb_bo *bo)
{
	mutex_lock(&ndev->vram_lock);
	drm_mm_remove_node(&bo->vram);
	mutex_unlock(&ndev->vram_lock);
}

static struct nvvb_bo *nvvb_bo_create(struct nvvb_device *ndev, u64 size,
				      u32 domain, u32 flags,
				      struct nvvb_vm *vm)
{
	struct drm_gem_shmem_object *shmem;
	struct nvvb_bo *bo;
	int ret;

	shmem = drm_gem_shmem_create(&ndev->drm, size);
	if (IS_ERR(shmem))
		return ERR_CAST(shmem);
	bo = container_of(shmem, struct nvvb_bo, base);
	bo->domain = domain;
	bo->placement = domain;
	bo->flags = flags;
	if (flags & NVVB_GEM_NO_SHARE) {
		bo->r_obj = drm_gpuvm_resv_obj(&vm->base);
		drm_gem_object_get(bo->r_obj);
		shmem->base.resv = bo->r_obj->resv;
	}
	if (domain == NVVB_GEM_DOMAIN_VRAM) {
		shmem->base.funcs = &nvvb_vram_funcs;
		ret = nvvb_vram_alloc(ndev, bo);
		if (ret) {
			drm_gem_object_put(&shmem->base);
			return ERR_PTR(ret);
		}
		/* VRAM is not cleared by the device: no stale data leaks. */
		memset_io(ndev->vram + bo->vram.start, 0, size);
	}
	return bo;
}

int nvvb_ioctl_gem_new(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct nvvb_device *ndev = to_nvvb(dev);
	struct nvvb_file *nf = file->driver_priv;
	struct drm_nvvb_gem_new *args = data;
	struct nvvb_bo *bo;
	int ret;

	if (args->pad || (args->flags & ~NVVB_GEM_NO_SHARE))
		return -EINVAL;
	if (args->domain != NVVB_GEM_DOMAIN_SYSMEM &&
	    args->domain != NVVB_GEM_DOMAIN_VRAM)
		return -EINVAL;
	if (!args->size || args->size > NVVB_MAX_BO_SIZE)
		return -EINVAL;
	if (args->domain == NVVB_GEM_DOMAIN_VRAM &&
	    (!(ndev->caps & NVVB_CAP_VRAM) || !ndev->vram))
		return -ENODEV;

	mutex_lock(&nf->lock);
	/* as nouveau: a BO before VM_INIT rules VM_INIT out for this file */
	if (!nf->vm)
		nf->vm_disabled = true;
	if ((args->flags & NVVB_GEM_NO_SHARE) && !nf->vm) {
		ret = -EINVAL;
		goto out;
	}
	bo = nvvb_bo_create(ndev, PAGE_ALIGN(args->size), args->domain,
			    args->flags, nf->vm);
	if (IS_ERR(bo)) {
		ret = PTR_ERR(bo);
		goto out;
	}
	ret = drm_gem_handle_create(file, &bo->base.base, &args->handle);
	drm_gem_object_put(&bo->base.base);
out:
	mutex_unlock(&nf->lock);
	return ret;
}

int nvvb_ioctl_gem_info(struct drm_device *dev, void *data,
			struct drm_file *file)
{
	struct drm_nvvb_gem_info *args = data;
	struct drm_gem_object *obj;
	struct nvvb_bo *bo;
	int ret;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_nvvb_bo(obj);
	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		goto out;
	args->domain = bo->domain;
	args->placement = bo->placement;
	args->flags = bo->flags;
	args->size = obj->size;
	args->map_handle = drm_vma_node_offset_addr(&obj->vma_node);
	args->device_id = bo->hw_id;
	args->pad = 0;
	dma_resv_unlock(obj->resv);
out:
	drm_gem_object_put(obj);
	return ret;
}

/**
 * nvvb_bo_prepare_sysmem() - make a BO's system-memory backing device-ready
 * @bo: the BO; no dma_resv may be held (the shmem helper takes its resv)
 *
 * Pins the shmem pages (drm_gem_shmem_get_pages_sgt()) and builds the
 * device's extent list from their DMA addresses, once; both stay until the
 * BO is freed.
 *
 * Return: 0 or a negative errno.
 */
int nvvb_bo_prepare_sysmem(struct nvvb_bo *bo)
{
	struct device *dev = bo->base.base.dev->dev;
	struct scatterlist *sg;
	struct sg_table *sgt;
	u64 *ext = NULL;	/* (addr, len) pairs, CPU order */
	u64 end = ~0ULL;
	u32 i, n = 0;
	int ret = 0;

	mutex_lock(&bo->backing_lock);
	if (bo->sg.cpu)
		goto out;
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out;
	}
	ext = kvmalloc_array(sgt->nents, 2 * sizeof(u64), GFP_KERNEL);
	if (!ext) {
		ret = -ENOMEM;
		goto out;
	}
	/* merge DMA-contiguous segments into extents */
	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 addr = sg_dma_address(sg), len = sg_dma_len(sg);

		if (!IS_ALIGNED(addr | len, SZ_4K)) {
			ret = -EINVAL;
			goto out;
		}
		if (n && addr == end) {
			ext[2 * (n - 1) + 1] += len;
		} else {
			ext[2 * n] = addr;
			ext[2 * n + 1] = len;
			n++;
		}
		end = addr + len;
	}
	if (!n || n > NVVB_MAX_SG_ENTRIES) {
		ret = -E2BIG;
		goto out;
	}
	bo->sg.bytes = (size_t)n * NVVB_SG_ENTRY_SIZE;
	bo->sg.cpu = dma_alloc_coherent(dev, bo->sg.bytes, &bo->sg.dma,
					GFP_KERNEL);
	if (!bo->sg.cpu) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		u8 *e = bo->sg.cpu + i * NVVB_SG_ENTRY_SIZE;

		put_unaligned_le64(ext[2 * i], e + NVVB_SG_ADDR);
		put_unaligned_le64(ext[2 * i + 1], e + NVVB_SG_LEN);
	}
	bo->sg.count = n;
out:
	kvfree(ext);
	mutex_unlock(&bo->backing_lock);
	return ret;
}

/* BO_CREATE / BO_MOVE arguments for the BO's current placement. */
static void nvvb_bo_fill_backing(struct nvvb_bo *bo, struct nvvb_desc *d)
{
	nvvb_desc_u32(d, NVVB_BO_ID, bo->hw_id);
	nvvb_desc_u64(d, NVVB_BO_SIZE, bo->base.base.size);
	if (bo->placement == NVVB_GEM_DOMAIN_VRAM) {
		nvvb_desc_u32(d, NVVB_BO_PLACEMENT, NVVB_BO_VRAM);
		nvvb_desc_u64(d, NVVB_BO_ADDR, bo->vram.start);
	} else {
		nvvb_desc_u32(d, NVVB_BO_PLACEMENT, NVVB_BO_SYSMEM);
		nvvb_desc_u64(d, NVVB_BO_ADDR, bo->sg.dma);
		nvvb_desc_u32(d, NVVB_BO_SG_COUNT, bo->sg.count);
	}
}

/* The BO's resv is held and hw_id assigned. */
void nvvb_bo_emit_create(struct nvvb_bo *bo, struct nvvb_desc *d)
{
	nvvb_desc_init(d, NVVB_OP_BO_CREATE);
	nvvb_bo_fill_backing(bo, d);
}

/* Wait for every job using the BO; its resv is held. */
int nvvb_bo_wait_idle(struct nvvb_bo *bo)
{
	long t;

	t = dma_resv_wait_timeout(bo->base.base.resv, DMA_RESV_USAGE_BOOKKEEP,
				  true, msecs_to_jiffies(NVVB_KERNEL_WAIT_MS));
	if (t < 0)
		return t;
	return t ? 0 : -ETIMEDOUT;
}

static void nvvb_bo_copy(struct nvvb_device *ndev, struct nvvb_bo *bo,
			 bool to_vram)
{
	void __iomem *v = ndev->vram + bo->vram.start;
	size_t i, n = bo->base.base.size >> PAGE_SHIFT;

	for (i = 0; i < n; i++) {
		void *p = kmap_local_page(bo->base.pages[i]);

		if (to_vram)
			memcpy_toio(v + i * PAGE_SIZE, p, PAGE_SIZE);
		else
			memcpy_fromio(p, v + i * PAGE_SIZE, PAGE_SIZE);
		kunmap_local(p);
		cond_resched();
	}
}

/*
 * Move a VRAM BO to @to (VRAM or SYSMEM) with its contents; its resv is
 * held and, for SYSMEM, nvvb_bo_prepare_sysmem() has succeeded.  Updates
 * the evict state of the BO in every VM and zaps CPU mappings.
 */
static int nvvb_bo_move(struct nvvb_bo *bo, u32 to)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct nvvb_device *ndev = to_nvvb(obj->dev);
	struct nvvb_desc d;
	int ret;

	dma_resv_assert_held(obj->resv);
	if (bo->placement == to)
		return 0;
	if (!bo->sg.cpu)
		return -EINVAL;
	ret = nvvb_bo_wait_idle(bo);
	if (ret)
		return ret;

	if (to == NVVB_GEM_DOMAIN_VRAM) {
		ret = nvvb_vram_alloc(ndev, bo);
		if (ret)
			return ret;
		nvvb_bo_copy(ndev, bo, true);
	} else {
		nvvb_bo_copy(ndev, bo, false);
	}
	if (bo->hw_id) {
		u32 from = bo->placement;

		bo->placement = to;
		nvvb_desc_init(&d, NVVB_OP_BO_MOVE);
		nvvb_bo_fill_backing(bo, &d);
		ret = nvvb_ring_exec_sync(&ndev->bind, &d, 1);
		if (ret) {
			drm_err(&ndev->drm, "BO_MOVE %u: %d\n", bo->hw_id, ret);
			bo->placement = from;
			if (to == NVVB_GEM_DOMAIN_VRAM)
				nvvb_vram_free(ndev, bo);
			return ret;
		}
	}
	if (to == NVVB_GEM_DOMAIN_SYSMEM)
		nvvb_vram_free(ndev, bo);
	bo->placement = to;
	drm_gpuvm_bo_gem_evict(obj, to != bo->domain);
	drm_vma_node_unmap(&obj->vma_node, obj->dev->anon_inode->i_mapping);
	return 0;
}

/**
 * nvvb_bo_validate() - bring an evicted BO back to its domain
 * @bo: the BO, resv held (drm_gpuvm_validate() via EXEC)
 *
 * Return: 0 or a negative errno (-ENOMEM: no VRAM left).
 */
int nvvb_bo_validate(struct nvvb_bo *bo)
{
	if (bo->placement == bo->domain) {
		drm_gpuvm_bo_gem_evict(&bo->base.base, false);
		return 0;
	}
	return nvvb_bo_move(bo, bo->domain);
}

int nvvb_ioctl_gem_evict(struct drm_device *dev, void *data,
			 struct drm_file *file)
{
	struct drm_nvvb_gem_evict *args = data;
	struct drm_gem_object *obj;
	struct nvvb_bo *bo;
	int ret;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_nvvb_bo(obj);
	if (bo->domain != NVVB_GEM_DOMAIN_VRAM) {
		ret = -EINVAL;
		goto out;
	}
	ret = nvvb_bo_prepare_sysmem(bo);
	if (ret)
		goto out;
	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		goto out;
	ret = nvvb_bo_move(bo, NVVB_GEM_DOMAIN_SYSMEM);
	dma_resv_unlock(obj->resv);
out:
	drm_gem_object_put(obj);
	return ret;
}
