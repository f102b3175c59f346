/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind core: buffer objects with their backing, see buffer.h.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */
#include <glib.h>

#include "buffer.h"
#include "vm.h"

#define PAGE_MASK_4K    0xfffull

bool nvvb_sg_check(NvvbSgEntry *sg, uint32_t nsg, uint64_t size)
{
    uint64_t total = 0;
    uint32_t i;

    /*
     * A backing the PTE address field cannot hold is never accepted: a MAP
     * of it would change the GPUVM, then fail in the tables.
     */
    for (i = 0; i < nsg; i++) {
        sg[i].bo_offset = total;
        if (!sg[i].len || ((sg[i].addr | sg[i].len) & PAGE_MASK_4K) ||
            sg[i].addr + sg[i].len < sg[i].addr ||
            !nv_gmmu_addr_fits(NV_GMMU_APER_SYS_COH,
                               sg[i].addr + sg[i].len - 1) ||
            sg[i].len > size - total) {
            return false;
        }
        total += sg[i].len;
    }
    return total == size;
}

bool nvvb_buffer_shape_ok(const NvvbBuffer *b, uint64_t vram_limit)
{
    if (!b->size || (b->size & PAGE_MASK_4K)) {
        return false;
    }
    switch (b->placement) {
    case NVVB_BO_VRAM:
        /* VRAM buffers live below the page-table pool. */
        return !(b->vram_addr & PAGE_MASK_4K) && b->vram_addr < vram_limit &&
               b->size <= vram_limit - b->vram_addr;
    case NVVB_BO_SYSMEM:
        return true;
    default:
        return false;
    }
}

bool nvvb_buffer_check(NvvbBuffer *b, uint64_t vram_limit)
{
    if (!nvvb_buffer_shape_ok(b, vram_limit)) {
        return false;
    }
    return b->placement == NVVB_BO_VRAM ||
           (b->nsg && nvvb_sg_check(b->sg, b->nsg, b->size));
}

void nvvb_buffer_publish(NvvbBuffer *b, uint32_t id)
{
    b->id = id;
    b->core = nvvb_bo_new(id, b->size, NVVB_BO_RESV(id), b);
}

void nvvb_buffer_free(NvvbBuffer *b)
{
    if (!b) {
        return;
    }
    if (b->core) {
        /* Mappings may outlive us (they hold the GPUVM BO): unhook. */
        b->core->opaque = NULL;
        nvvb_bo_unref(b->core);
    }
    g_free(b->sg);
    g_free(b);
}

void nvvb_buffer_take_backing(NvvbBuffer *b, NvvbBuffer *from)
{
    g_free(b->sg);
    b->placement = from->placement;
    b->vram_addr = from->vram_addr;
    b->nsg = from->nsg;
    b->sg = from->sg;
    from->nsg = 0;
    from->sg = NULL;
}

bool nvvb_buffer_resolve(const NvvbBuffer *b, uint64_t off,
                         NvGmmuAperture *aper, uint64_t *pa,
                         uint64_t *contig)
{
    uint32_t lo = 0, hi;

    if (off >= b->size) {
        return false;
    }
    if (b->placement == NVVB_BO_VRAM) {
        *aper = NV_GMMU_APER_VID;
        *pa = b->vram_addr + off;
        *contig = b->size - off;
        return true;
    }
    /* Binary search for the extent holding @off (offsets are sorted). */
    hi = b->nsg;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (b->sg[mid].bo_offset <= off) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    *aper = NV_GMMU_APER_SYS_COH;
    *pa = b->sg[lo].addr + (off - b->sg[lo].bo_offset);
    *contig = b->sg[lo].len - (off - b->sg[lo].bo_offset);
    return true;
}

static bool buffer_ptm_resolve(void *opaque, uint64_t bo_offset,
                               NvvbPtmExtent *ext)
{
    return nvvb_buffer_resolve(opaque, bo_offset, &ext->aperture,
                               &ext->addr, &ext->len);
}

void nvvb_buffer_backing(NvvbBuffer *b, NvvbPtmBacking *bk)
{
    bk->fn = buffer_ptm_resolve;
    bk->opaque = b;
}

/*
 * Upper bound of the PTEs a mapping of [@va, @va + @len) onto memory at @pa
 * writes: 2 MiB pages where VA and PA agree modulo 2 MiB (smaller pages at
 * both ends), 64 KiB pages where they agree modulo 64 KiB, else 4 KiB.
 */
static uint64_t extent_work(uint64_t va, uint64_t pa, uint64_t len)
{
    uint64_t ptes = len >> NV_GMMU_PAGE_SHIFT_4K;

    if (!((va ^ pa) & ((1ULL << NV_GMMU_PAGE_SHIFT_2M) - 1))) {
        return MIN(ptes, (len >> NV_GMMU_PAGE_SHIFT_2M) + 2 * 512);
    }
    if (!((va ^ pa) & ((1ULL << NV_GMMU_PAGE_SHIFT_64K) - 1))) {
        return MIN(ptes, (len >> NV_GMMU_PAGE_SHIFT_64K) + 2 * 16);
    }
    return ptes;
}

uint64_t nvvb_buffer_map_work(const NvvbBuffer *b, uint64_t va,
                              uint64_t range, uint64_t off)
{
    uint64_t work = 0, done = 0;

    if (!b) {
        return extent_work(va, va, range);
    }
    while (done < range) {
        NvGmmuAperture aper;
        uint64_t pa, contig;

        /* Beyond the buffer: the GPUVM refuses the request anyway. */
        if (!nvvb_buffer_resolve(b, off + done, &aper, &pa, &contig) ||
            !contig) {
            break;
        }
        contig = MIN(contig, range - done);
        work += extent_work(va + done, pa, contig);
        done += contig;
    }
    return work;
}
