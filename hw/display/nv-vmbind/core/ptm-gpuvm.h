/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: GPUVM op lists to page-table manager batches.
 *
 * The page-table manager (ptm.h) takes MAP / CLEAR steps; the GPUVM
 * (gpuvm.h) describes a bind as MAP / REMAP / UNMAP ops on its mappings.
 * This adapter checks the ops' geometry, drops what `keep` says need not be
 * removed, checks that mappings flagged NVVB_GPUVA_IN_REGION lie in one of
 * the manager's sparse regions, and hands the rest over as one batch.
 *
 * Plain C11 + GLib: no QEMU headers.
 */
#ifndef NV_VMBIND_PTM_GPUVM_H
#define NV_VMBIND_PTM_GPUVM_H

#include "gpuvm.h"
#include "ptm.h"

/**
 * nvvb_ptm_apply_ops: write a GPUVM op list to the tables, in order.
 * @ptm: the manager
 * @ops: from nvvb_gpuvm_sm_map_ops_create(), _sm_unmap_ops_create() or
 *       nvvb_uvmm_bind(); computed on the VA space this manager mirrors
 * @backing: resolver for the MAP op's BO (BO offsets as in the op); may be
 *           NULL if the list has no MAP
 * @attrs: PTE attributes of the MAP op (NULL: kind 0, no flags)
 * @res: receives what was done (may be NULL)
 *
 * UNMAP: the mapping's pages are removed, unless `keep` (a later MAP
 * rewrites the same translation in place).  REMAP: only the part of the
 * old mapping not covered by prev / next is removed (unless `keep`); prev
 * and next keep their entries, except a larger page the cut goes through,
 * which becomes smaller pages.  MAP: as nvvb_ptm_map().  Removed ranges go
 * back to sparse where a region (nvvb_ptm_sparse()) covers them; a removed
 * mapping flagged NVVB_GPUVA_IN_REGION must lie in one (else -EINVAL: the
 * device's regions and the GPUVM's disagree).
 *
 * All ops are checked before anything is written.  Use with ops not yet
 * applied to the GPUVM and apply them only on success: on error the tables
 * and the pool are unchanged, so the GPUVM must be too.  An op list this
 * adapter refuses never reaches the manager (not counted in its stats).
 *
 * Returns: 0; -EINVAL (malformed op, `keep` without a MAP covering it,
 * bad backing, region mismatch); -ENOSPC; -EIO.
 */
int nvvb_ptm_apply_ops(NvvbPtm *ptm, const NvvbGpuVaOps *ops,
                       const NvvbPtmBacking *backing,
                       const NvvbPtmAttrs *attrs, NvvbPtmResult *res);

/**
 * nvvb_ptm_revalidate: rewrite the pages of a BO's mappings after it moved
 * (nvvb_ptm_rewrite() for GPUVM mappings).
 * @ptm: the manager
 * @vas: the BO's mappings in this VM (addr / range / bo_offset are used)
 * @n: how many
 * @backing: the BO's new backing
 * @res: receives what was done (may be NULL)
 *
 * Returns: 0; -EINVAL for a NULL mapping; else as nvvb_ptm_rewrite().
 */
int nvvb_ptm_revalidate(NvvbPtm *ptm, NvvbGpuVa *const *vas, unsigned n,
                        const NvvbPtmBacking *backing, NvvbPtmResult *res);

#endif /* NV_VMBIND_PTM_GPUVM_H */
