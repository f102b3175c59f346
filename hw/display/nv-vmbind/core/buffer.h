/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind core: buffer objects with their backing.
 *
 * An NvvbBuffer is a BO as the bind path knows it: where its bytes live
 * (a VRAM range below the page-table pool, or a scatter list of guest
 * memory extents) and the GPUVM's BO (NvvbBo, gpuvm-bo.h) that mappings
 * reference -- as nouveau_bo wraps drm_gem_object.  Every backing accepted
 * here can be written into VER2 page tables, so a MAP or a move that
 * passed these checks cannot be refused by the page-table manager for its
 * addresses.  VMs (vm.h) map buffers and move them.
 *
 * Plain C11 + GLib: no QEMU headers.
 */
#ifndef NV_VMBIND_BUFFER_H
#define NV_VMBIND_BUFFER_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/display/nv-vmbind-regs.h"
#include "gmmu-walk.h"
#include "gpuvm-bo.h"
#include "ptm.h"

/* One extent of a system-memory buffer. */
typedef struct NvvbSgEntry {
    uint64_t addr;
    uint64_t len;
    uint64_t bo_offset;         /* prefix sum: where this extent starts */
} NvvbSgEntry;

/**
 * struct NvvbBuffer: a BO and its backing
 * @id: the guest's BO id (non-zero once published)
 * @placement: NVVB_BO_VRAM or NVVB_BO_SYSMEM
 * @size: bytes, a non-zero multiple of 4 KiB
 * @vram_addr: VRAM: first byte
 * @nsg: SYSMEM: extents in @sg
 * @sg: SYSMEM: the extents (owned)
 * @core: the GPUVM's BO once published (core->opaque == this), else NULL
 *
 * An unpublished buffer (@core NULL) describes a backing only: a BO being
 * created, or the new backing of a move.
 */
typedef struct NvvbBuffer {
    uint32_t id;
    uint32_t placement;
    uint64_t size;
    uint64_t vram_addr;
    uint32_t nsg;
    NvvbSgEntry *sg;
    NvvbBo *core;
} NvvbBuffer;

/**
 * nvvb_sg_check: check a scatter list and fill in each extent's BO offset.
 * @sg: the extents
 * @nsg: how many
 * @size: the buffer's size
 *
 * Extents are non-empty, 4 KiB granular, do not wrap, lie where a
 * system-memory PTE can point (below 2^58) and add up to exactly @size.
 *
 * Returns: true if the list is a valid backing of @size bytes.
 */
bool nvvb_sg_check(NvvbSgEntry *sg, uint32_t nsg, uint64_t size);

/**
 * nvvb_buffer_shape_ok: the checks that need no scatter list.
 * @b: size, placement and, for VRAM, vram_addr set
 * @vram_limit: VRAM buffers must end at or below it (the pool's base)
 *
 * Returns: true if @b's size is a non-zero multiple of 4 KiB, its
 * placement is known and, for VRAM, [vram_addr, vram_addr + size) is 4 KiB
 * aligned and below @vram_limit.
 */
bool nvvb_buffer_shape_ok(const NvvbBuffer *b, uint64_t vram_limit);

/**
 * nvvb_buffer_check: nvvb_buffer_shape_ok() and, for SYSMEM,
 * nvvb_sg_check() of its extents (filling their BO offsets).
 * @b: the backing
 * @vram_limit: as nvvb_buffer_shape_ok()
 *
 * Returns: true if @b is a backing the page tables can express.
 */
bool nvvb_buffer_check(NvvbBuffer *b, uint64_t vram_limit);

/**
 * nvvb_buffer_publish: give a checked buffer its id and its GPUVM BO, with
 * its own reservation (see "Reservations" in vm.h).
 * @b: the buffer (nvvb_buffer_check() passed)
 * @id: the guest's BO id, non-zero
 */
void nvvb_buffer_publish(NvvbBuffer *b, uint32_t id);

/**
 * nvvb_buffer_free: drop @b's GPUVM BO reference and free it (NULL is a
 * no-op).  Mappings still holding the GPUVM BO keep it, without backing.
 * @b: a g_new()-allocated buffer
 */
void nvvb_buffer_free(NvvbBuffer *b);

/**
 * nvvb_buffer_take_backing: make @from's backing @b's; @from is left
 * without extents.
 * @b: the buffer
 * @from: an unpublished buffer of the same size
 */
void nvvb_buffer_take_backing(NvvbBuffer *b, NvvbBuffer *from);

/**
 * nvvb_buffer_resolve: where byte @off of @b lives.
 * @b: the buffer
 * @off: offset in the buffer
 * @aper: receives VID or SYS_COH
 * @pa: receives the address
 * @contig: receives how many bytes from @pa are contiguous in the buffer
 *
 * Returns: false if @off is beyond the buffer.
 */
bool nvvb_buffer_resolve(const NvvbBuffer *b, uint64_t off,
                         NvGmmuAperture *aper, uint64_t *pa,
                         uint64_t *contig);

/**
 * nvvb_buffer_backing: @b's backing as the page-table manager's resolver.
 * @b: the buffer (must outlive the use of @bk)
 * @bk: receives the resolver
 */
void nvvb_buffer_backing(NvvbBuffer *b, NvvbPtmBacking *bk);

/**
 * nvvb_buffer_map_work: upper bound of the PTEs that mapping [@va, @va +
 * @range) of @b from @off writes (the work a request costs).
 * @b: the buffer, or NULL for a sparse range
 * @va: first VA
 * @range: bytes
 * @off: buffer offset of @va
 *
 * Returns: the bound; a range beyond the buffer counts up to its end.
 */
uint64_t nvvb_buffer_map_work(const NvvbBuffer *b, uint64_t va,
                              uint64_t range, uint64_t off);

#endif /* NV_VMBIND_BUFFER_H */
