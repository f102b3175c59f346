// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb: debugfs.
 *
 * dri/N/nvvb_vms dumps every VM's VA space as the driver's drm_gpuvm sees
 * it, one line per region and per mapping, so that the host can compare it
 * with the device's GPUVM:
 *
 *   vm ID pid PID comm COMM kernel ADDR SIZE mappings N regions M
 *   region ADDR RANGE
 *   map ADDR RANGE bo BO_ID OFFSET flags FLAGS
 *
 * (numbers in 0x hex, BO_ID and counts in decimal).  dri/N/nvvb_status has
 * device and ring counters.
 */
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>

#include "nvvb_drv.h"

static void nvvb_dump_vm(struct seq_file *m, struct nvvb_vm *vm)
{
	struct drm_gpuva *va;
	struct nvvb_region *reg;
	unsigned long index = 0;
	u32 nmaps = 0, nregs = 0;

	mutex_lock(&vm->lock);
	drm_gpuvm_for_each_va(va, &vm->base)
		if (va != &vm->base.kernel_alloc_node)
			nmaps++;
	mt_for_each(&vm->regions, reg, index, ULONG_MAX)
		nregs++;
	seq_printf(m, "vm %u pid %d comm %s kernel 0x%llx 0x%llx mappings %u regions %u\n",
		   vm->hw_id, vm->pid, vm->comm, vm->kernel_addr,
		   vm->kernel_size, nmaps, nregs);
	index = 0;
	mt_for_each(&vm->regions, reg, index, ULONG_MAX)
		seq_printf(m, "region 0x%llx 0x%llx\n", reg->addr, reg->range);
	drm_gpuvm_for_each_va(va, &vm->base) {
		if (va == &vm->base.kernel_alloc_node)
			continue;
		seq_printf(m, "map 0x%llx 0x%llx bo %u 0x%llx flags 0x%x\n",
			   va->va.addr, va->va.range,
			   to_nvvb_bo(va->gem.obj)->hw_id, va->gem.offset,
			   to_nvvb_va(va)->flags);
	}
	mutex_unlock(&vm->lock);
}

static int nvvb_debugfs_vms(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct nvvb_device *ndev = to_nvvb(entry->dev);
	struct nvvb_vm *vm;

	mutex_lock(&ndev->vms_lock);
	list_for_each_entry(vm, &ndev->vms, link)
		nvvb_dump_vm(m, vm);
	mutex_unlock(&ndev->vms_lock);
	return 0;
}

static int nvvb_debugfs_status(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct nvvb_device *ndev = to_nvvb(entry->dev);
	struct nvvb_ring *rings[] = { &ndev->bind, &ndev->ce };
	unsigned int i;

	seq_printf(m, "caps 0x%x\nvram %llu\nvram_avail %llu\nmax_vms %u\n",
		   ndev->caps, ndev->vram_size, ndev->vram_avail,
		   ndev->max_vms);
	seq_printf(m, "bind_jobs %lld\nexec_jobs %lld\ngpu_faults %llu\n",
		   (s64)atomic64_read(&ndev->bind_jobs),
		   (s64)atomic64_read(&ndev->exec_jobs), ndev->faults);
	for (i = 0; i < ARRAY_SIZE(rings); i++) {
		u64 sub, done, err;

		if (!rings[i]->desc)
			continue;
		nvvb_ring_stats(rings[i], &sub, &done, &err);
		seq_printf(m, "%s_submissions %llu\n%s_completed %llu\n%s_desc_errors %llu\n",
			   rings[i]->name, sub, rings[i]->name, done,
			   rings[i]->name, err);
	}
	return 0;
}

void nvvb_debugfs_init(struct nvvb_device *ndev)
{
	drm_debugfs_add_file(&ndev->drm, "nvvb_vms", nvvb_debugfs_vms, NULL);
	drm_debugfs_add_file(&ndev->drm, "nvvb_status", nvvb_debugfs_status,
			     NULL);
}
