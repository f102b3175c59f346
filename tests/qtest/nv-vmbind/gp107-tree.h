/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small VER2 page-table tree in GP107 VRAM, shared by the GP107 qtests
 * and the GP107 fuzz target: an instance block whose PDB is PD3, one PDE
 * per level down to PD0, whose entry 0 points to a big (64 KiB) and a
 * small (4 KiB) page table.  Each caller writes its own leaf PTEs.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */
#ifndef TESTS_QTEST_NV_VMBIND_GP107_TREE_H
#define TESTS_QTEST_NV_VMBIND_GP107_TREE_H

#include "hw/display/nv-gmmu-ver2.h"

#define GP107_TREE_INST     0x010000
#define GP107_TREE_PD3      0x011000
#define GP107_TREE_PD2      0x012000
#define GP107_TREE_PD1      0x013000
#define GP107_TREE_PD0      0x014000
#define GP107_TREE_SPT      0x015000
#define GP107_TREE_LPT      0x016000
#define GP107_TREE_END      (GP107_TREE_LPT + 0x1000)

/* Writes @val to VRAM at @addr, however the caller reaches VRAM. */
typedef void Gp107TreeWr64(void *opaque, uint64_t addr, uint64_t val);

/*
 * The instance block (PDB and the address limit @limit) and the PDE chain
 * PD3 -> PD2 -> PD1 -> PD0[0] -> {LPT, SPT}; the tables' other entries are
 * whatever VRAM holds.
 */
static inline void gp107_tree_build(Gp107TreeWr64 *wr64, void *opaque,
                                    uint64_t limit)
{
    wr64(opaque, GP107_TREE_INST + NV_GMMU_RAMIN_PDB_LO,
         nv_gmmu_ramin_pdb_encode(0, GP107_TREE_PD3,
                                  NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                  NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    wr64(opaque, GP107_TREE_INST + NV_GMMU_RAMIN_ADR_LIMIT_LO,
         nv_gmmu_ramin_limit_encode(limit));
    wr64(opaque, GP107_TREE_PD3,
         nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP107_TREE_PD2, false));
    wr64(opaque, GP107_TREE_PD2,
         nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP107_TREE_PD1, false));
    wr64(opaque, GP107_TREE_PD1,
         nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP107_TREE_PD0, false));
    wr64(opaque, GP107_TREE_PD0,
         nv_gmmu_pd0_big_encode(NV_GMMU_APER_VID, GP107_TREE_LPT, false));
    wr64(opaque, GP107_TREE_PD0 + 8,
         nv_gmmu_pd0_small_encode(NV_GMMU_APER_VID, GP107_TREE_SPT, false));
}

#endif /* TESTS_QTEST_NV_VMBIND_GP107_TREE_H */
