// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb: DRM render driver for the nv-vmbind paravirtual GPU (PCI 1234:4e56).
 *
 * The device keeps GPU VA spaces itself (a drm_gpuvm-equivalent with
 * nouveau's sparse rules) and builds real NVIDIA page tables; this driver
 * keeps its own view in the kernel's drm_gpuvm, forwards VM_BIND requests
 * to the device's bind queue and EXEC commands to its copy engine, both
 * through drm_sched.  The register interface is hw/display/nv-vmbind-regs.h
 * of the nv-vmbind repository.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include "nvvb_drv.h"

static int nvvb_ioctl_getparam(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	struct nvvb_device *ndev = to_nvvb(dev);
	struct drm_nvvb_getparam *args = data;

	switch (args->param) {
	case NVVB_PARAM_VRAM_SIZE:
		args->value = ndev->vram_size;
		break;
	case NVVB_PARAM_VRAM_AVAIL:
		args->value = ndev->vram_avail;
		break;
	case NVVB_PARAM_VA_BITS:
		args->value = NVVB_VA_BITS;
		break;
	case NVVB_PARAM_MAX_BIND_OPS:
		args->value = NVVB_MAX_BIND_OPS;
		break;
	case NVVB_PARAM_MAX_EXEC_CMDS:
		args->value = NVVB_MAX_EXEC_CMDS;
		break;
	case NVVB_PARAM_MAX_SYNCS:
		args->value = NVVB_MAX_SYNCS;
		break;
	case NVVB_PARAM_CE_MAX_LENGTH:
		args->value = NVVB_CE_LENGTH_MAX;
		break;
	case NVVB_PARAM_DEVICE_CAPS:
		args->value = ndev->caps;
		break;
	case NVVB_PARAM_MAX_BO_SIZE:
		args->value = NVVB_MAX_BO_SIZE;
		break;
	case NVVB_PARAM_VM_ID: {
		struct nvvb_vm *vm = nvvb_file_vm(file);

		if (!vm)
			return -EOPNOTSUPP;
		args->value = vm->hw_id;
		break;
	}
	default:
		return -EINVAL;
	}
	return 0;
}

static int nvvb_open(struct drm_device *dev, struct drm_file *file)
{
	struct nvvb_file *nf = kzalloc_obj(*nf);

	if (!nf)
		return -ENOMEM;
	mutex_init(&nf->lock);
	file->driver_priv = nf;
	return 0;
}

/* GEM handles and syncobjs are already gone; jobs keep what they use. */
static void nvvb_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct nvvb_file *nf = file->driver_priv;

	if (nf->vm)
		nvvb_vm_destroy(nf->vm);
	mutex_destroy(&nf->lock);
	kfree(nf);
}

static const struct drm_ioctl_desc nvvb_ioctls[] = {
	DRM_IOCTL_DEF_DRV(NVVB_GETPARAM, nvvb_ioctl_getparam, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NVVB_GEM_NEW, nvvb_ioctl_gem_new, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NVVB_GEM_INFO, nvvb_ioctl_gem_info, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NVVB_GEM_EVICT, nvvb_ioctl_gem_evict,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NVVB_VM_INIT, nvvb_ioctl_vm_init, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NVVB_VM_BIND, nvvb_ioctl_vm_bind, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NVVB_EXEC, nvvb_ioctl_exec, DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(nvvb_fops);

static const struct drm_driver nvvb_driver = {
	.driver_features = DRIVER_GEM | NVVB_DRIVER_GEM_GPUVA | DRIVER_RENDER |
			   DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.open = nvvb_open,
	.postclose = nvvb_postclose,
	.gem_create_object = nvvb_gem_create_object,
	.ioctls = nvvb_ioctls,
	.num_ioctls = ARRAY_SIZE(nvvb_ioctls),
	.fops = &nvvb_fops,
	.name = NVVB_DRIVER_NAME,
	.desc = "nv-vmbind paravirtual GPU",
#ifdef NVVB_HAVE_DRIVER_DATE
	.date = "20260101",
#endif
	.major = 1,
	.minor = 0,
};

static int nvvb_identify(struct nvvb_device *ndev)
{
	struct pci_dev *pdev = ndev->pdev;
	u32 magic = nvvb_rd32(ndev, NVVB_REG_MAGIC);
	u32 version = nvvb_rd32(ndev, NVVB_REG_VERSION);

	if (magic != NVVB_MAGIC_VALUE || version >> 16 != NVVB_VERSION_MAJOR) {
		drm_err(&ndev->drm, "not an nv-vmbind v%u device (magic 0x%08x version 0x%08x)\n",
			NVVB_VERSION_MAJOR, magic, version);
		return -ENODEV;
	}
	ndev->caps = nvvb_rd32(ndev, NVVB_REG_CAPS);
	ndev->vram_size = nvvb_rd32(ndev, NVVB_REG_VRAM_SIZE_LO) |
			  (u64)nvvb_rd32(ndev, NVVB_REG_VRAM_SIZE_HI) << 32;
	ndev->vram_avail = ndev->vram_size;
	ndev->has_rings = (ndev->caps & NVVB_CAP_BIND_QUEUE) &&
			  (ndev->caps & NVVB_CAP_MSIX);
	if (ndev->has_rings) {
		u64 pool = nvvb_rd32(ndev, NVVB_REG_PT_POOL_BASE_LO) |
			   (u64)nvvb_rd32(ndev, NVVB_REG_PT_POOL_BASE_HI) << 32;

		ndev->max_vms = min_t(u32, nvvb_rd32(ndev, NVVB_REG_MAX_VMS),
				      NVVB_MAX_VMS);
		ndev->vram_avail = min(pool, ndev->vram_size);
	}
	if ((ndev->caps & NVVB_CAP_VRAM) && ndev->vram_avail) {
		resource_size_t len = pci_resource_len(pdev, NVVB_BAR_VRAM);

		ndev->vram_avail = min_t(u64, ndev->vram_avail, len);
		ndev->vram_phys = pci_resource_start(pdev, NVVB_BAR_VRAM);
		ndev->vram = devm_ioremap_wc(&pdev->dev, ndev->vram_phys,
					     ndev->vram_avail);
		if (!ndev->vram)
			return -ENOMEM;
	}
	drm_info(&ndev->drm, "nv-vmbind %u.%u, caps 0x%x, VRAM %llu MiB (%llu MiB for BOs), %u VMs%s\n",
		 version >> 16, version & 0xffff, ndev->caps,
		 ndev->vram_size >> 20, ndev->vram_avail >> 20, ndev->max_vms,
		 ndev->has_rings ? "" : "; no bind queue: VM_INIT unsupported");
	return 0;
}

static int nvvb_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct nvvb_device *ndev;
	int ret;

	ndev = devm_drm_dev_alloc(&pdev->dev, &nvvb_driver, struct nvvb_device,
				  drm);
	if (IS_ERR(ndev))
		return PTR_ERR(ndev);
	ndev->pdev = pdev;
	pci_set_drvdata(pdev, ndev);
	mutex_init(&ndev->vram_lock);
	mutex_init(&ndev->vms_lock);
	INIT_LIST_HEAD(&ndev->vms);
	ida_init(&ndev->vm_ida);
	ida_init(&ndev->bo_ida);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	ndev->mmio = pcim_iomap(pdev, NVVB_BAR_MMIO, NVVB_MMIO_SIZE);
	if (!ndev->mmio)
		return -ENOMEM;
	ret = nvvb_identify(ndev);
	if (ret)
		return ret;
	drm_mm_init(&ndev->vram_mm, 0, ndev->vram ? ndev->vram_avail : 0);

	ret = nvvb_hw_init(ndev);
	if (ret)
		goto err_mm;
	if (ndev->has_rings) {
		ret = nvvb_sched_init(ndev, &ndev->bind);
		if (ret)
			goto err_hw;
		ndev->bind.sched_list[0] = &ndev->bind.sched;
	}
	if (ndev->ce.desc) {
		ret = nvvb_sched_init(ndev, &ndev->ce);
		if (ret)
			goto err_sched;
		ndev->ce.sched_list[0] = &ndev->ce.sched;
	}
	nvvb_debugfs_init(ndev);

	ret = drm_dev_register(&ndev->drm, 0);
	if (ret)
		goto err_sched;
	return 0;

err_sched:
	nvvb_sched_fini(&ndev->ce);
	nvvb_sched_fini(&ndev->bind);
err_hw:
	nvvb_hw_fini(ndev);
err_mm:
	drm_mm_takedown(&ndev->vram_mm);
	return ret;
}

static void nvvb_pci_remove(struct pci_dev *pdev)
{
	struct nvvb_device *ndev = pci_get_drvdata(pdev);

	drm_dev_unregister(&ndev->drm);
	nvvb_sched_fini(&ndev->ce);
	nvvb_sched_fini(&ndev->bind);
	nvvb_hw_fini(ndev);
	drm_mm_takedown(&ndev->vram_mm);
	ida_destroy(&ndev->bo_ida);
	ida_destroy(&ndev->vm_ida);
}

static const struct pci_device_id nvvb_pci_ids[] = {
	{ PCI_DEVICE(NVVB_PCI_VENDOR_ID, NVVB_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, nvvb_pci_ids);

static struct pci_driver nvvb_pci_driver = {
	.name = NVVB_DRIVER_NAME,
	.id_table = nvvb_pci_ids,
	.probe = nvvb_pci_probe,
	.remove = nvvb_pci_remove,
};
module_pci_driver(nvvb_pci_driver);

MODULE_DESCRIPTION("DRM driver for the nv-vmbind paravirtual GPU");
MODULE_AUTHOR("The nv-vmbind authors");
MODULE_LICENSE("GPL");
