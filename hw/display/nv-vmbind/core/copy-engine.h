/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind copy engine: COPY, FILL and SEMAPHORE executed through a VM's
 * GMMU translation (TLB + walker), in chunks of physically contiguous pages,
 * directly in host memory when the context allows it, else through the
 * memory accessor and a bounce buffer.
 *
 * Semantics (docs/devel/nv-vmbind-ptm.rst, "Copy engine"):
 * - every access is translated with nv_gmmu_tlb_translate() as a
 *   VIRT_READ (source) or VIRT_WRITE (destination) of the context's
 *   privilege; PEER pages fault UNSUPPORTED_APERTURE;
 * - sparse pages read as zeroes and swallow writes;
 * - the first fault stops the command: the bytes before it are done, the
 *   result names the faulting VA, NVIDIA fault type and access type, and
 *   the call returns -EFAULT (the device writes a fault record);
 * - a translated address the memory accessor refuses also stops the
 *   command with -EFAULT, without a GMMU fault (result.mem_error);
 * - COPY behaves as memmove() on VAs: if the ranges overlap with the
 *   destination above the source it runs from the end.  Only identical
 *   translation of the overlap makes that exact; two VAs aliasing one
 *   physical page are copied in chunk order (at most 64 KiB, inside one
 *   run of physically contiguous pages of each side).
 *
 * QEMU-independent core (C11 + GLib).  Not thread-safe per NvvbCe.
 */
#ifndef NV_VMBIND_COPY_ENGINE_H
#define NV_VMBIND_COPY_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "gmmu-tlb.h"
#include "gmmu-walk.h"
#include "hw/display/nv-vmbind-regs.h"

/* Bounce buffer: the largest piece (chunk) moved by one read + write. */
#define NVVB_CE_BOUNCE_SIZE     (64u * 1024)

/**
 * struct NvvbCeHost: optional direct access to physical memory
 * @ptr: a host pointer to [@addr, @addr + @len) of @aper when that whole
 *       range is plain memory which the accessor (NvGmmuMem) would read
 *       and write without error; else NULL, and the engine uses the
 *       accessor (which then decides what fails).  @write: the engine is
 *       about to write there.  No side effects.
 * @written: called (if not NULL) after the engine wrote through a @ptr
 *           pointer, e.g. to mark the pages dirty
 * @opaque: passed to both
 */
typedef struct NvvbCeHost {
    void *(*ptr)(void *opaque, NvGmmuAperture aper, uint64_t addr,
                 uint64_t len, bool write);
    void (*written)(void *opaque, NvGmmuAperture aper, uint64_t addr,
                    uint64_t len);
    void *opaque;
} NvvbCeHost;

/**
 * struct NvvbCeObserver: optional record of the engine's memory accesses
 * @access: called before each physically contiguous piece of a command is
 *          read or written, with its lowest VA @va, the aperture @aper and
 *          address @pa that VA translated to, its length @len and whether
 *          it is written (@write) or read; never for sparse pages.  A
 *          device keeps these to show, from outside, that every access
 *          went where the VM's page tables say.
 * @opaque: passed to @access
 */
typedef struct NvvbCeObserver {
    void (*access)(void *opaque, uint64_t va, NvGmmuAperture aper,
                   uint64_t pa, uint64_t len, bool write);
    void *opaque;
} NvvbCeObserver;

/* The VM a command runs in. */
typedef struct NvvbCeCtx {
    const NvGmmuMem *mem;   /* physical memory: VRAM and system memory */
    const NvGmmuPdb *pdb;   /* the VM's page directory */
    NvGmmuTlb *tlb;         /* cached translations, or NULL to walk */
    bool priv;              /* accesses are privileged */
    const NvvbCeHost *host; /* direct access, or NULL */
    const NvvbCeObserver *observe;  /* access record, or NULL */
} NvvbCeCtx;

/* How a command ended. */
typedef struct NvvbCeResult {
    /* Bytes completed: the first ones, or the last when COPY runs back. */
    uint64_t done;
    bool fault;             /* a GMMU fault stopped the command */
    /* The VA that faulted: the next byte to move (backwards: the last). */
    uint64_t fault_va;
    uint8_t fault_type;     /* NV_GMMU_FAULT_TYPE_* */
    uint8_t access_type;    /* NV_GMMU_ACCESS_TYPE_VIRT_READ / _WRITE */
    NvGmmuLevel fault_level;
    bool mem_error;         /* the accessor failed at mem_aperture/addr */
    NvGmmuAperture mem_aperture;
    uint64_t mem_addr;
    bool sparse;            /* nvvb_ce_dma(): a sparse page was crossed */
} NvvbCeResult;

typedef struct NvvbCeStats {
    uint64_t commands;
    uint64_t bytes;         /* bytes completed */
    uint64_t chunks;        /* read + write pairs */
    uint64_t translations;  /* nv_gmmu_tlb_translate() calls */
    uint64_t faults;
    uint64_t mem_errors;
} NvvbCeStats;

typedef struct NvvbCe NvvbCe;

/**
 * nvvb_ce_new: a copy engine with its bounce buffer
 *
 * Returns: the new engine, with zeroed statistics; free it with
 * nvvb_ce_free().
 */
NvvbCe *nvvb_ce_new(void);

/**
 * nvvb_ce_free: destroy a copy engine
 * @ce: the engine from nvvb_ce_new(), or NULL (a no-op)
 */
void nvvb_ce_free(NvvbCe *ce);

/**
 * nvvb_ce_copy: copy @len bytes from VA @src to VA @dst (memmove-like).
 * @ce: engine
 * @ctx: VM, accessor, TLB, privilege
 * @src: VA read from (VIRT_READ), in @ctx's VM
 * @dst: VA written to (VIRT_WRITE), in @ctx's VM; may overlap the source
 * @len: bytes to copy, 1..NVVB_CE_LENGTH_MAX
 * @res: how it ended (may be NULL)
 *
 * Returns: 0; -EINVAL if @len is 0 or above NVVB_CE_LENGTH_MAX or a range
 * wraps past 2^64 (nothing done); -EFAULT on a fault or an unreachable
 * physical address (@res says which and where).
 */
int nvvb_ce_copy(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t src,
                 uint64_t dst, uint64_t len, NvvbCeResult *res);

/**
 * nvvb_ce_fill: write @len bytes at VA @dst with the little-endian 32-bit
 * @pattern repeated from @dst (byte i gets pattern byte i % 4; @len need
 * not be a multiple of 4).
 * @ce: engine
 * @ctx: VM, accessor, TLB, privilege
 * @dst: VA written to (VIRT_WRITE), in @ctx's VM
 * @len: bytes to write, 1..NVVB_CE_LENGTH_MAX
 * @pattern: the 32-bit value repeated over the range
 * @res: how it ended (may be NULL)
 *
 * Returns: as nvvb_ce_copy().
 */
int nvvb_ce_fill(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t dst,
                 uint64_t len, uint32_t pattern, NvvbCeResult *res);

/**
 * nvvb_ce_dma: move @len bytes between VA @va and physical memory at @pa
 * in @aper (through @ctx's accessor), in either direction
 * @ce: engine
 * @ctx: VM, accessor, TLB, privilege
 * @va: the translated side
 * @va_access: NV_GMMU_ACCESS_TYPE_VIRT_* the VA side is translated with
 * @aper: aperture of the physical side
 * @pa: address of the physical side
 * @len: bytes
 * @to_va: true: physical -> VA; false: VA -> physical
 * @res: how it ended (may be NULL); res->sparse says whether a sparse
 *       page was crossed (read as zeroes, writes dropped)
 * @last: if not NULL, the VA side's last translation (the faulting one
 *        after a fault)
 *
 * The same translate-and-move path as COPY, with one side physical: what
 * the paravirtual device's DMA probe uses.
 *
 * Returns: 0; -EINVAL if @len is 0 or above NVVB_CE_LENGTH_MAX or a range
 * wraps (nothing done); -EFAULT as nvvb_ce_copy().
 */
int nvvb_ce_dma(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t va,
                uint8_t va_access, NvGmmuAperture aper, uint64_t pa,
                uint64_t len, bool to_va, NvvbCeResult *res,
                NvGmmuWalkResult *last);

/**
 * nvvb_ce_semaphore: release @value (64-bit little endian) at VA @va, a
 * VIRT_WRITE of 8 bytes.
 * @ce: engine
 * @ctx: VM, accessor, TLB, privilege
 * @va: VA of the semaphore, 8-byte aligned (so it stays in one page)
 * @value: the payload written
 * @res: how it ended (may be NULL)
 *
 * Returns: 0; -EINVAL if @va is not 8-byte aligned (nothing done);
 * -EFAULT as nvvb_ce_copy().
 */
int nvvb_ce_semaphore(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t va,
                      uint64_t value, NvvbCeResult *res);

/**
 * nvvb_ce_get_stats: totals since nvvb_ce_new() (see NvvbCeStats)
 * @ce: engine
 * @stats: filled with a copy of the engine's counters
 */
void nvvb_ce_get_stats(const NvvbCe *ce, NvvbCeStats *stats);

#endif /* NV_VMBIND_COPY_ENGINE_H */
