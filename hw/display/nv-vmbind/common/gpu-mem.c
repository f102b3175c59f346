/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: the memory accessor both devices give the core (gpu-mem.h).
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "gpu-mem.h"

static bool nvvb_vram_range(const NvvbGpuMem *m, uint64_t addr, uint64_t len)
{
    return addr < m->vram_size && len <= m->vram_size - addr;
}

bool nvvb_gpu_mem_read(NvvbGpuMem *m, NvGmmuAperture aper, uint64_t addr,
                       void *buf, size_t len)
{
    switch (aper) {
    case NV_GMMU_APER_VID:
        if (!nvvb_vram_range(m, addr, len)) {
            return false;
        }
        memcpy(buf, m->vram_ptr + addr, len);
        return true;
    case NV_GMMU_APER_SYS_COH:
    case NV_GMMU_APER_SYS_NCOH:
        return pci_dma_read(m->pci, addr, buf, len) == MEMTX_OK;
    default:
        /* Peer memory is not reachable from these devices. */
        return false;
    }
}

bool nvvb_gpu_mem_write(NvvbGpuMem *m, NvGmmuAperture aper, uint64_t addr,
                        const void *buf, size_t len)
{
    switch (aper) {
    case NV_GMMU_APER_VID:
        if (!nvvb_vram_range(m, addr, len)) {
            return false;
        }
        memcpy(m->vram_ptr + addr, buf, len);
        memory_region_set_dirty(m->vram, addr, len);
        return true;
    case NV_GMMU_APER_SYS_COH:
    case NV_GMMU_APER_SYS_NCOH:
        return pci_dma_write(m->pci, addr, buf, len) == MEMTX_OK;
    default:
        return false;
    }
}

static bool nvvb_gpu_mem_read_cb(void *opaque, NvGmmuAperture aper,
                                 uint64_t addr, void *buf, size_t len)
{
    return nvvb_gpu_mem_read(opaque, aper, addr, buf, len);
}

static bool nvvb_gpu_mem_write_cb(void *opaque, NvGmmuAperture aper,
                                  uint64_t addr, const void *buf, size_t len)
{
    return nvvb_gpu_mem_write(opaque, aper, addr, buf, len);
}

/*
 * NvvbCeHost: a pointer only where all of [addr, addr + len) is VRAM, so
 * the engine's direct path can never leave the RAM block; NULL sends it
 * through the accessor (system memory, peer, out of range).
 */
static void *nvvb_gpu_mem_host_ptr(void *opaque, NvGmmuAperture aper,
                                   uint64_t addr, uint64_t len, bool write)
{
    NvvbGpuMem *m = opaque;

    if (aper != NV_GMMU_APER_VID || !nvvb_vram_range(m, addr, len)) {
        return NULL;
    }
    return m->vram_ptr + addr;
}

static void nvvb_gpu_mem_host_written(void *opaque, NvGmmuAperture aper,
                                      uint64_t addr, uint64_t len)
{
    NvvbGpuMem *m = opaque;

    if (aper == NV_GMMU_APER_VID && nvvb_vram_range(m, addr, len)) {
        memory_region_set_dirty(m->vram, addr, len);
    }
}

void nvvb_gpu_mem_init(NvvbGpuMem *m, PCIDevice *pci, MemoryRegion *vram)
{
    m->pci = pci;
    m->vram = vram;
    m->vram_ptr = memory_region_get_ram_ptr(vram);
    m->vram_size = memory_region_size(vram);
    m->mem.read = nvvb_gpu_mem_read_cb;
    m->mem.write = nvvb_gpu_mem_write_cb;
    m->mem.opaque = m;
    m->ce_host.ptr = nvvb_gpu_mem_host_ptr;
    m->ce_host.written = nvvb_gpu_mem_host_written;
    m->ce_host.opaque = m;
}
