/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVIDIA GMMU "VER2" page-table format (Pascal, Volta, Turing).
 *
 * One definition of every field the nv-vmbind device, its qtests and its
 * page-table manager use: page-directory and page-table entries, the
 * instance-block page-directory base (RAMIN), the 32-byte MMU fault-buffer
 * entry, and NVIDIA's fault-type and access-type codes.  Each field names
 * the NVIDIA manual field it implements (open-gpu-doc dev_mmu.ref.txt,
 * dev_ram.ref.txt, dev_fault.ref.txt; open-gpu-kernel-modules
 * swref/published/pascal/gp100/dev_mmu.h, dev_ram.h, dev_fault.h) or the
 * nouveau function that writes it (drivers/gpu/drm/nouveau/nvkm/subdev/mmu/
 * vmmgp100.c, vmmgf100.c).  Bit ranges use NVIDIA's hi:lo notation.
 *
 * Encoders and decoders are static inline and depend on stdint/stdbool only,
 * so the header can be used by the device, by qtests that build tables in
 * guest memory and by a guest-side tool.  All entries are little-endian in
 * memory; the helpers work on host integers.
 */
#ifndef HW_DISPLAY_NV_GMMU_VER2_H
#define HW_DISPLAY_NV_GMMU_VER2_H

#include <stdbool.h>
#include <stdint.h>

/* ---- Memory targets ---- */

/*
 * Where an address points.  The numeric values are those of
 * NV_MMU_VER2_PTE_APERTURE (0 VIDEO_MEMORY, 1 PEER_MEMORY,
 * 2 SYSTEM_COHERENT_MEMORY, 3 SYSTEM_NON_COHERENT_MEMORY), which also match
 * NV_RAMIN_PAGE_DIR_BASE_TARGET and the fault-buffer INST_APERTURE for
 * 0, 2 and 3.  The PDE aperture field uses a DIFFERENT encoding (0 means
 * "invalid"); nv_gmmu_pde_aperture() converts.  NV_GMMU_APER_NONE means "no
 * table here" (an invalid PDE aperture); it is never a memory target.
 */
typedef enum NvGmmuAperture {
    NV_GMMU_APER_VID = 0,       /* local video memory (VRAM) */
    NV_GMMU_APER_PEER = 1,      /* another GPU's VRAM; PTEs only */
    NV_GMMU_APER_SYS_COH = 2,   /* system memory, snooped */
    NV_GMMU_APER_SYS_NCOH = 3,  /* system memory, not snooped */
    NV_GMMU_APER_NONE = 4,      /* no target (invalid PDE aperture) */
} NvGmmuAperture;

/**
 * nv_gmmu_target_aperture: decode an NVIDIA 2-bit memory "target"
 * @target: the field's value; only its low two bits are used
 *
 * One decoder for every register and structure that names memory with the
 * TARGET encoding: NV_RAMIN_PAGE_DIR_BASE_TARGET, NV_PBUS_BAR{1,2}_BLOCK
 * TARGET, the fault buffer's INST_APERTURE, MMU_INVALIDATE_PDB APERTURE and
 * the paravirtual device's NVVB_APERTURE_* codes: 0 video memory,
 * 2 coherent and 3 non-coherent system memory.  1 is not a memory target
 * there (TARGET_INVALID on RAMIN, "unbinds" on Volta).
 *
 * Returns: the aperture, or NV_GMMU_APER_NONE for 1.
 */
static inline NvGmmuAperture nv_gmmu_target_aperture(unsigned target)
{
    static const NvGmmuAperture dec[4] = {
        NV_GMMU_APER_VID, NV_GMMU_APER_NONE,
        NV_GMMU_APER_SYS_COH, NV_GMMU_APER_SYS_NCOH,
    };

    return dec[target & 3];
}

/*
 * Physical address widths: VID 37 bits (25-bit field << 12), SYS 58 bits
 * (46-bit field << 12); [S1] quotes 47 usable sysmem bits, the field holds
 * 58 and the model accepts all of them.
 */
#define NV_GMMU_VID_PA_BITS             37
#define NV_GMMU_SYS_PA_BITS             58

/*
 * ------------------------------------------------------------------------
 * Levels and the 49-bit VA (gp100-mmu-format.pdf "49 Bit VA breakdown";
 * nouveau gp100_vmm_desc_12[] / gp100_vmm_desc_16[])
 * ------------------------------------------------------------------------
 */

#define NV_GMMU_VA_BITS                 49
#define NV_GMMU_VA_LIMIT                (1ULL << NV_GMMU_VA_BITS)

typedef enum NvGmmuLevel {
    NV_GMMU_LEVEL_PD3 = 0,      /* root, VA[48:47], 4 x 8 B */
    NV_GMMU_LEVEL_PD2 = 1,      /* VA[46:38], 512 x 8 B */
    NV_GMMU_LEVEL_PD1 = 2,      /* VA[37:29], 512 x 8 B */
    NV_GMMU_LEVEL_PD0 = 3,      /* VA[28:21], 256 x 16 B dual PDE */
    NV_GMMU_LEVEL_PT_BIG = 4,   /* 64 KiB PTEs, VA[20:16], 32 x 8 B */
    NV_GMMU_LEVEL_PT_SMALL = 5, /* 4 KiB PTEs, VA[20:12], 512 x 8 B */
    NV_GMMU_LEVEL_COUNT = 6,
    NV_GMMU_LEVEL_NONE = 0xff,  /* fault not tied to an entry */
} NvGmmuLevel;

#define NV_GMMU_PAGE_SHIFT_4K           12
#define NV_GMMU_PAGE_SHIFT_64K          16
#define NV_GMMU_PAGE_SHIFT_2M           21

/* Lowest VA bit indexing @level: the entry at @level covers 1 << shift. */
static inline unsigned nv_gmmu_level_shift(NvGmmuLevel level)
{
    switch (level) {
    case NV_GMMU_LEVEL_PD3:
        return 47;
    case NV_GMMU_LEVEL_PD2:
        return 38;
    case NV_GMMU_LEVEL_PD1:
        return 29;
    case NV_GMMU_LEVEL_PD0:
        return 21;
    case NV_GMMU_LEVEL_PT_BIG:
        return 16;
    case NV_GMMU_LEVEL_PT_SMALL:
        return 12;
    default:
        return 0;
    }
}

/* Number of VA bits indexing @level (log2 of its entry count). */
static inline unsigned nv_gmmu_level_bits(NvGmmuLevel level)
{
    switch (level) {
    case NV_GMMU_LEVEL_PD3:
        return 2;
    case NV_GMMU_LEVEL_PD2:
    case NV_GMMU_LEVEL_PD1:
    case NV_GMMU_LEVEL_PT_SMALL:
        return 9;
    case NV_GMMU_LEVEL_PD0:
        return 8;
    case NV_GMMU_LEVEL_PT_BIG:
        return 5;
    default:
        return 0;
    }
}

/*
 * Entry size in bytes: 16 for the dual PD0 (NV_MMU_VER2_DUAL_PDE__SIZE),
 * 8 otherwise (NV_MMU_VER2_PDE__SIZE, NV_MMU_VER2_PTE__SIZE).
 */
static inline unsigned nv_gmmu_level_entry_size(NvGmmuLevel level)
{
    return level == NV_GMMU_LEVEL_PD0 ? 16 : 8;
}

/* Bytes of one table at @level: 32 (PD3), 256 (big PT), 4096 otherwise. */
static inline unsigned nv_gmmu_level_table_size(NvGmmuLevel level)
{
    return nv_gmmu_level_entry_size(level) << nv_gmmu_level_bits(level);
}

/* Index of @va's entry in the table at @level. */
static inline unsigned nv_gmmu_level_index(NvGmmuLevel level, uint64_t va)
{
    return (unsigned)((va >> nv_gmmu_level_shift(level)) &
                      ((1ULL << nv_gmmu_level_bits(level)) - 1));
}

/*
 * ------------------------------------------------------------------------
 * Upper PDE (PD3, PD2, PD1; 8 bytes) and the small-PT half of PD0, whose
 * high qword has the same layout.  NV_MMU_VER2_PDE_* in dev_mmu.h.
 * ------------------------------------------------------------------------
 */

/* NV_MMU_VER2_PDE_IS_PTE 0:0: "should be 0 for all levels" on Pascal-Turing */
#define NV_GMMU_PDE_IS_PTE              (1ULL << 0)
/* NV_MMU_VER2_PDE_APERTURE 2:1 */
#define NV_GMMU_PDE_APERTURE_SHIFT      1
#define NV_GMMU_PDE_APERTURE_MASK       (3ULL << 1)
#define NV_GMMU_PDE_APERTURE_INVALID                0  /* _INVALID */
#define NV_GMMU_PDE_APERTURE_VIDEO_MEMORY           1  /* _VIDEO_MEMORY */
#define NV_GMMU_PDE_APERTURE_SYSTEM_COHERENT_MEMORY 2
#define NV_GMMU_PDE_APERTURE_SYSTEM_NON_COHERENT_MEMORY 3
/* NV_MMU_VER2_PDE_VOL 3:3; with APERTURE_INVALID it marks a sparse PDE */
#define NV_GMMU_PDE_VOL                 (1ULL << 3)
/* NV_MMU_VER2_PDE_NO_ATS 5:5 (Volta+; ignored by the model) */
#define NV_GMMU_PDE_NO_ATS              (1ULL << 5)
/* NV_MMU_VER2_PDE_ADDRESS_SYS 53:8 */
#define NV_GMMU_PDE_ADDRESS_SYS_MASK    (((1ULL << 46) - 1) << 8)
/* NV_MMU_VER2_PDE_ADDRESS_VID (35-3):8 */
#define NV_GMMU_PDE_ADDRESS_VID_MASK    (((1ULL << 25) - 1) << 8)
/* NV_MMU_VER2_PDE_ADDRESS_VID_PEER 35:33 */
#define NV_GMMU_PDE_ADDRESS_VID_PEER_MASK (7ULL << 33)
/*
 * Field holds the address bits 12 and up ("ADDRESS_SHIFT 12"); nouveau
 * gp100_vmm_pde() writes pt->addr >> 4, which is the same thing.
 */
#define NV_GMMU_PDE_ADDRESS_FIELD_SHIFT 8
#define NV_GMMU_PDE_ADDRESS_SHIFT       12

/*
 * ------------------------------------------------------------------------
 * Dual PDE (PD0; 16 bytes: lo = big-page table, hi = small-page table).
 * NV_MMU_VER2_DUAL_PDE_* in dev_mmu.h; bits 64..127 are the hi qword.
 * ------------------------------------------------------------------------
 */

/* NV_MMU_VER2_DUAL_PDE_IS_PTE 0:0: lo is a 2 MiB PTE in PTE format */
#define NV_GMMU_PD0_IS_PTE              (1ULL << 0)
/* NV_MMU_VER2_DUAL_PDE_APERTURE_BIG 2:1 (PDE encoding) */
#define NV_GMMU_PD0_APERTURE_BIG_SHIFT  1
#define NV_GMMU_PD0_APERTURE_BIG_MASK   (3ULL << 1)
/* NV_MMU_VER2_DUAL_PDE_VOL_BIG 3:3: sparse 2 MiB if both apertures invalid */
#define NV_GMMU_PD0_VOL_BIG             (1ULL << 3)
/* NV_MMU_VER2_DUAL_PDE_NO_ATS 5:5 */
#define NV_GMMU_PD0_NO_ATS              (1ULL << 5)
/* NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_SYS 53:(8-4) */
#define NV_GMMU_PD0_ADDRESS_BIG_SYS_MASK (((1ULL << 50) - 1) << 4)
/* NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_VID (35-3):(8-4) */
#define NV_GMMU_PD0_ADDRESS_BIG_VID_MASK (((1ULL << 29) - 1) << 4)
/* NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_SHIFT 8: big PTs are 256-byte aligned */
#define NV_GMMU_PD0_ADDRESS_BIG_FIELD_SHIFT 4
#define NV_GMMU_PD0_ADDRESS_BIG_SHIFT   8
/*
 * High qword: NV_MMU_VER2_DUAL_PDE_APERTURE_SMALL 66:65, VOL_SMALL 67:67,
 * ADDRESS_SMALL_SYS 117:72, ADDRESS_SMALL_VID (99-3):72 with
 * NV_MMU_VER2_DUAL_PDE_ADDRESS_SHIFT 12 -- i.e. bits 2:1, 3 and 53:8 / 32:8
 * of the high qword, the upper-PDE layout.  Use the NV_GMMU_PDE_* masks.
 */
#define NV_GMMU_PD0_VOL_SMALL           NV_GMMU_PDE_VOL

/*
 * ------------------------------------------------------------------------
 * PTE (8 bytes; 4 KiB and 64 KiB PTs, and a 2 MiB PTE in PD0 lo).
 * NV_MMU_VER2_PTE_* in dev_mmu.h; meanings from gp100-mmu-format.pdf.
 * ------------------------------------------------------------------------
 */

/* NV_MMU_VER2_PTE_VALID 0:0 */
#define NV_GMMU_PTE_VALID               (1ULL << 0)
/* NV_MMU_VER2_PTE_APERTURE 2:1: VIDEO 0, PEER 1, SYS_COH 2, SYS_NCOH 3 */
#define NV_GMMU_PTE_APERTURE_SHIFT      1
#define NV_GMMU_PTE_APERTURE_MASK       (3ULL << 1)
/* NV_MMU_VER2_PTE_VOL 3:3; invalid + VOL = sparse (gp100_vmm_pgt_sparse) */
#define NV_GMMU_PTE_VOL                 (1ULL << 3)
/* NV_MMU_VER2_PTE_ENCRYPTED 4:4 (GV100 manual; "do not use") */
#define NV_GMMU_PTE_ENCRYPTED           (1ULL << 4)
/*
 * NV_MMU_VER2_PTE_PRIVILEGE 5:5; invalid big PTE + PRIV = "ignore the
 * small PTEs" (gp100_vmm_lpt_invalid)
 */
#define NV_GMMU_PTE_PRIVILEGE           (1ULL << 5)
/* NV_MMU_VER2_PTE_READ_ONLY 6:6 */
#define NV_GMMU_PTE_READ_ONLY           (1ULL << 6)
/* NV_MMU_VER2_PTE_ATOMIC_DISABLE 7:7 */
#define NV_GMMU_PTE_ATOMIC_DISABLE      (1ULL << 7)
/* The attribute bits nv_gmmu_pte_encode() accepts in @flags. */
#define NV_GMMU_PTE_FLAGS_MASK          (NV_GMMU_PTE_VOL | \
                                         NV_GMMU_PTE_ENCRYPTED | \
                                         NV_GMMU_PTE_PRIVILEGE | \
                                         NV_GMMU_PTE_READ_ONLY | \
                                         NV_GMMU_PTE_ATOMIC_DISABLE)
/* NV_MMU_VER2_PTE_ADDRESS_SYS 53:8 */
#define NV_GMMU_PTE_ADDRESS_SYS_MASK    (((1ULL << 46) - 1) << 8)
/* NV_MMU_VER2_PTE_ADDRESS_VID (35-3):8 (also used for PEER) */
#define NV_GMMU_PTE_ADDRESS_VID_MASK    (((1ULL << 25) - 1) << 8)
/* NV_MMU_VER2_PTE_ADDRESS_VID_PEER 35:33 */
#define NV_GMMU_PTE_PEER_ID_SHIFT       33
#define NV_GMMU_PTE_PEER_ID_MASK        (7ULL << 33)
/* NV_MMU_VER2_PTE_COMPTAGLINE 53:36 (GV100) / 55:36 (TU104); VID only */
#define NV_GMMU_PTE_COMPTAGLINE_SHIFT   36
#define NV_GMMU_PTE_COMPTAGLINE_MASK    (((1ULL << 20) - 1) << 36)
/* NV_MMU_VER2_PTE_KIND 63:56 */
#define NV_GMMU_PTE_KIND_SHIFT          56
#define NV_GMMU_PTE_KIND_MASK           (0xffULL << 56)
/* NV_MMU_VER2_PTE_ADDRESS_SHIFT 12; nouveau gp100_vmm_pgt_pte: addr >> 4 */
#define NV_GMMU_PTE_ADDRESS_FIELD_SHIFT 8
#define NV_GMMU_PTE_ADDRESS_SHIFT       12
/* NV_MMU_PTE_KIND_PITCH (0x00); GV100 KIND_INVALID is 0xff */
#define NV_GMMU_PTE_KIND_PITCH          0x00

/* gp100_vmm_pgt_sparse / gp100_vmm_pd0_sparse (lo): VALID=0 + VOL */
#define NV_GMMU_SPARSE                  NV_GMMU_PTE_VOL
/* gp100_vmm_lpt_invalid: VALID=0 + PRIV on a big PTE */
#define NV_GMMU_LPT_INVALID             NV_GMMU_PTE_PRIVILEGE
/* gf100_vmm_pgt_unmap / gp100_vmm_pd0_unmap */
#define NV_GMMU_UNMAPPED                0ULL

/* ---- Field helpers shared by the encoders below ---- */

static inline bool nv_gmmu_aperture_is_sys(NvGmmuAperture aper)
{
    return aper == NV_GMMU_APER_SYS_COH || aper == NV_GMMU_APER_SYS_NCOH;
}

/* True if @addr is representable in an entry pointing into @aper. */
static inline bool nv_gmmu_addr_fits(NvGmmuAperture aper, uint64_t addr)
{
    unsigned bits = nv_gmmu_aperture_is_sys(aper) ? NV_GMMU_SYS_PA_BITS
                                                  : NV_GMMU_VID_PA_BITS;
    return (addr >> bits) == 0;
}

/* ---- PTE encoders / decoders ---- */

/**
 * nv_gmmu_pte_encode: build a VALID PTE, as gp100_vmm_valid() +
 * gp100_vmm_pgt_pte() do: VALID | aper << 1 | flags | (addr >> 4) |
 * kind << 56.
 * @aper: NV_GMMU_APER_VID, _PEER, _SYS_COH or _SYS_NCOH (others: returns 0)
 * @addr: page address; bits below 12 and above the aperture's address
 *        field are dropped (check nv_gmmu_addr_fits() first)
 * @flags: any of NV_GMMU_PTE_FLAGS_MASK; other bits are ignored
 * @kind: NV_MMU_VER2_PTE_KIND
 *
 * The same value is a 2 MiB PTE when stored in the low qword of a PD0 entry
 * (with a zero high qword, gp100_vmm_pd0_pte).  Use
 * nv_gmmu_pte_set_peer_id() for the peer index.
 */
static inline uint64_t nv_gmmu_pte_encode(NvGmmuAperture aper, uint64_t addr,
                                          uint64_t flags, uint8_t kind)
{
    uint64_t mask;

    if (aper > NV_GMMU_APER_SYS_NCOH) {
        return 0;
    }
    mask = nv_gmmu_aperture_is_sys(aper) ? NV_GMMU_PTE_ADDRESS_SYS_MASK
                                         : NV_GMMU_PTE_ADDRESS_VID_MASK;
    return NV_GMMU_PTE_VALID |
           ((uint64_t)aper << NV_GMMU_PTE_APERTURE_SHIFT) |
           (flags & NV_GMMU_PTE_FLAGS_MASK) |
           ((addr >> (NV_GMMU_PTE_ADDRESS_SHIFT -
                      NV_GMMU_PTE_ADDRESS_FIELD_SHIFT)) & mask) |
           ((uint64_t)kind << NV_GMMU_PTE_KIND_SHIFT);
}

/* Set NV_MMU_VER2_PTE_ADDRESS_VID_PEER (meaningful with APERTURE_PEER). */
static inline uint64_t nv_gmmu_pte_set_peer_id(uint64_t pte, unsigned peer)
{
    return (pte & ~NV_GMMU_PTE_PEER_ID_MASK) |
           (((uint64_t)peer << NV_GMMU_PTE_PEER_ID_SHIFT) &
            NV_GMMU_PTE_PEER_ID_MASK);
}

/* A sparse PTE or upper PDE (gp100_vmm_pgt_sparse): VALID=0, VOL=1. */
static inline uint64_t nv_gmmu_pte_sparse(void)
{
    return NV_GMMU_SPARSE;
}

/* An invalid big PTE that hides the small PTEs (gp100_vmm_lpt_invalid). */
static inline uint64_t nv_gmmu_pte_lpt_invalid(void)
{
    return NV_GMMU_LPT_INVALID;
}

static inline bool nv_gmmu_pte_valid(uint64_t pte)
{
    return pte & NV_GMMU_PTE_VALID;
}

/* An invalid PTE with VOL set: the range is sparse. */
static inline bool nv_gmmu_pte_is_sparse(uint64_t pte)
{
    return !(pte & NV_GMMU_PTE_VALID) && (pte & NV_GMMU_PTE_VOL);
}

static inline NvGmmuAperture nv_gmmu_pte_aperture(uint64_t pte)
{
    return (NvGmmuAperture)((pte & NV_GMMU_PTE_APERTURE_MASK) >>
                            NV_GMMU_PTE_APERTURE_SHIFT);
}

/*
 * Page address in the PTE's aperture: ADDRESS_SYS for the system
 * apertures, ADDRESS_VID (peer id and comptag bits dropped) otherwise.
 */
static inline uint64_t nv_gmmu_pte_addr(uint64_t pte)
{
    uint64_t mask = nv_gmmu_aperture_is_sys(nv_gmmu_pte_aperture(pte))
                    ? NV_GMMU_PTE_ADDRESS_SYS_MASK
                    : NV_GMMU_PTE_ADDRESS_VID_MASK;
    return (pte & mask) << (NV_GMMU_PTE_ADDRESS_SHIFT -
                            NV_GMMU_PTE_ADDRESS_FIELD_SHIFT);
}

static inline unsigned nv_gmmu_pte_peer_id(uint64_t pte)
{
    return (unsigned)((pte & NV_GMMU_PTE_PEER_ID_MASK) >>
                      NV_GMMU_PTE_PEER_ID_SHIFT);
}

static inline uint8_t nv_gmmu_pte_kind(uint64_t pte)
{
    return (uint8_t)(pte >> NV_GMMU_PTE_KIND_SHIFT);
}

/* The attribute bits (NV_GMMU_PTE_FLAGS_MASK) plus VALID. */
static inline uint64_t nv_gmmu_pte_flags(uint64_t pte)
{
    return pte & (NV_GMMU_PTE_FLAGS_MASK | NV_GMMU_PTE_VALID);
}

/* ---- PDE encoders / decoders (upper levels and the PD0 small half) ---- */

/* NvGmmuAperture -> NV_MMU_VER2_PDE_APERTURE value (0 for PEER / NONE). */
static inline unsigned nv_gmmu_pde_aperture_code(NvGmmuAperture aper)
{
    switch (aper) {
    case NV_GMMU_APER_VID:
        return NV_GMMU_PDE_APERTURE_VIDEO_MEMORY;
    case NV_GMMU_APER_SYS_COH:
        return NV_GMMU_PDE_APERTURE_SYSTEM_COHERENT_MEMORY;
    case NV_GMMU_APER_SYS_NCOH:
        return NV_GMMU_PDE_APERTURE_SYSTEM_NON_COHERENT_MEMORY;
    default:
        return NV_GMMU_PDE_APERTURE_INVALID;
    }
}

/* NV_MMU_VER2_PDE_APERTURE value -> NvGmmuAperture (INVALID -> NONE). */
static inline NvGmmuAperture nv_gmmu_pde_aperture_target(unsigned code)
{
    switch (code & 3) {
    case NV_GMMU_PDE_APERTURE_VIDEO_MEMORY:
        return NV_GMMU_APER_VID;
    case NV_GMMU_PDE_APERTURE_SYSTEM_COHERENT_MEMORY:
        return NV_GMMU_APER_SYS_COH;
    case NV_GMMU_PDE_APERTURE_SYSTEM_NON_COHERENT_MEMORY:
        return NV_GMMU_APER_SYS_NCOH;
    default:
        return NV_GMMU_APER_NONE;
    }
}

/**
 * nv_gmmu_pde_encode: a PDE pointing at the next-level table, as
 * gp100_vmm_pde() writes it: aperture (1 VRAM / 2 HOST / 3 NCOH) << 1,
 * VOL, table address >> 4.
 * @aper: NV_GMMU_APER_VID, _SYS_COH or _SYS_NCOH (others: returns 0, an
 *        invalid PDE)
 * @table: 4 KiB-aligned table address (bits below 12 are dropped)
 * @vol: NV_MMU_VER2_PDE_VOL; nouveau sets it for HOST (coherent) tables
 *
 * Also the high (small-PT) qword of a PD0 entry.
 */
static inline uint64_t nv_gmmu_pde_encode(NvGmmuAperture aper, uint64_t table,
                                          bool vol)
{
    unsigned code = nv_gmmu_pde_aperture_code(aper);
    uint64_t mask;

    if (code == NV_GMMU_PDE_APERTURE_INVALID) {
        return 0;
    }
    mask = nv_gmmu_aperture_is_sys(aper) ? NV_GMMU_PDE_ADDRESS_SYS_MASK
                                         : NV_GMMU_PDE_ADDRESS_VID_MASK;
    return ((uint64_t)code << NV_GMMU_PDE_APERTURE_SHIFT) |
           (vol ? NV_GMMU_PDE_VOL : 0) |
           ((table >> (NV_GMMU_PDE_ADDRESS_SHIFT -
                       NV_GMMU_PDE_ADDRESS_FIELD_SHIFT)) & mask);
}

/* A sparse upper PDE (gp100_vmm_pgt_sparse via desc_pd1.sparse). */
static inline uint64_t nv_gmmu_pde_sparse(void)
{
    return NV_GMMU_SPARSE;
}

static inline NvGmmuAperture nv_gmmu_pde_aperture(uint64_t pde)
{
    return nv_gmmu_pde_aperture_target(
        (unsigned)((pde & NV_GMMU_PDE_APERTURE_MASK) >>
                   NV_GMMU_PDE_APERTURE_SHIFT));
}

/* Next-level table address (ADDRESS_SYS or ADDRESS_VID << 12). */
static inline uint64_t nv_gmmu_pde_addr(uint64_t pde)
{
    uint64_t mask = nv_gmmu_aperture_is_sys(nv_gmmu_pde_aperture(pde))
                    ? NV_GMMU_PDE_ADDRESS_SYS_MASK
                    : NV_GMMU_PDE_ADDRESS_VID_MASK;
    return (pde & mask) << (NV_GMMU_PDE_ADDRESS_SHIFT -
                            NV_GMMU_PDE_ADDRESS_FIELD_SHIFT);
}

static inline bool nv_gmmu_pde_vol(uint64_t pde)
{
    return pde & NV_GMMU_PDE_VOL;
}

/* APERTURE_INVALID with VOL set: everything below is sparse. */
static inline bool nv_gmmu_pde_is_sparse(uint64_t pde)
{
    return nv_gmmu_pde_aperture(pde) == NV_GMMU_APER_NONE &&
           (pde & NV_GMMU_PDE_VOL);
}

/* ---- Dual PDE (PD0) encoders / decoders ---- */

/* One 16-byte PD0 entry: lo at byte 0, hi at byte 8. */
typedef struct NvGmmuPd0 {
    uint64_t lo;    /* big-page PT pointer, or a 2 MiB PTE */
    uint64_t hi;    /* small-page PT pointer */
} NvGmmuPd0;

/**
 * nv_gmmu_pd0_big_encode: the low qword of a PD0 entry pointing at a
 * 64 KiB-page table (gp100_vmm_pd0_pde, data[0] via gp100_vmm_pde()).
 * @aper: NV_GMMU_APER_VID, _SYS_COH or _SYS_NCOH (others: returns 0)
 * @table: 256-byte-aligned big PT address; stored >> 8 at bit 4
 *         (NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_SHIFT 8)
 * @vol: NV_MMU_VER2_DUAL_PDE_VOL_BIG
 */
static inline uint64_t nv_gmmu_pd0_big_encode(NvGmmuAperture aper,
                                              uint64_t table, bool vol)
{
    unsigned code = nv_gmmu_pde_aperture_code(aper);
    uint64_t mask;

    if (code == NV_GMMU_PDE_APERTURE_INVALID) {
        return 0;
    }
    mask = nv_gmmu_aperture_is_sys(aper) ? NV_GMMU_PD0_ADDRESS_BIG_SYS_MASK
                                         : NV_GMMU_PD0_ADDRESS_BIG_VID_MASK;
    return ((uint64_t)code << NV_GMMU_PD0_APERTURE_BIG_SHIFT) |
           (vol ? NV_GMMU_PD0_VOL_BIG : 0) |
           ((table >> (NV_GMMU_PD0_ADDRESS_BIG_SHIFT -
                       NV_GMMU_PD0_ADDRESS_BIG_FIELD_SHIFT)) & mask);
}

/*
 * The high qword of a PD0 entry pointing at a 4 KiB-page table
 * (gp100_vmm_pd0_pde, data[1]): the upper-PDE layout.
 */
static inline uint64_t nv_gmmu_pd0_small_encode(NvGmmuAperture aper,
                                                uint64_t table, bool vol)
{
    return nv_gmmu_pde_encode(aper, table, vol);
}

/**
 * nv_gmmu_pd0_encode: a PD0 entry with either or both page tables.
 * Pass NV_GMMU_APER_NONE for an absent half (its qword is 0).
 */
static inline NvGmmuPd0 nv_gmmu_pd0_encode(NvGmmuAperture big_aper,
                                           uint64_t big_table, bool big_vol,
                                           NvGmmuAperture small_aper,
                                           uint64_t small_table,
                                           bool small_vol)
{
    NvGmmuPd0 e;

    e.lo = nv_gmmu_pd0_big_encode(big_aper, big_table, big_vol);
    e.hi = nv_gmmu_pd0_small_encode(small_aper, small_table, small_vol);
    return e;
}

/* A PD0 entry holding a 2 MiB PTE: lo = PTE, hi = 0 (gp100_vmm_pd0_pte). */
static inline NvGmmuPd0 nv_gmmu_pd0_encode_pte(uint64_t pte)
{
    NvGmmuPd0 e = { pte, 0 };

    return e;
}

/* A sparse 2 MiB PD0 entry: lo = VOL_BIG, hi = 0 (gp100_vmm_pd0_sparse). */
static inline NvGmmuPd0 nv_gmmu_pd0_sparse(void)
{
    NvGmmuPd0 e = { NV_GMMU_PD0_VOL_BIG, 0 };

    return e;
}

static inline bool nv_gmmu_pd0_is_pte(uint64_t lo)
{
    return lo & NV_GMMU_PD0_IS_PTE;
}

static inline NvGmmuAperture nv_gmmu_pd0_big_aperture(uint64_t lo)
{
    return nv_gmmu_pde_aperture_target(
        (unsigned)((lo & NV_GMMU_PD0_APERTURE_BIG_MASK) >>
                   NV_GMMU_PD0_APERTURE_BIG_SHIFT));
}

/* Big PT address: ADDRESS_BIG_{SYS,VID} << 8. */
static inline uint64_t nv_gmmu_pd0_big_addr(uint64_t lo)
{
    uint64_t mask = nv_gmmu_aperture_is_sys(nv_gmmu_pd0_big_aperture(lo))
                    ? NV_GMMU_PD0_ADDRESS_BIG_SYS_MASK
                    : NV_GMMU_PD0_ADDRESS_BIG_VID_MASK;
    return (lo & mask) << (NV_GMMU_PD0_ADDRESS_BIG_SHIFT -
                           NV_GMMU_PD0_ADDRESS_BIG_FIELD_SHIFT);
}

static inline NvGmmuAperture nv_gmmu_pd0_small_aperture(uint64_t hi)
{
    return nv_gmmu_pde_aperture(hi);
}

static inline uint64_t nv_gmmu_pd0_small_addr(uint64_t hi)
{
    return nv_gmmu_pde_addr(hi);
}

/*
 * Neither pointer valid and VOL_BIG set: the 2 MiB range is sparse
 * ("the big page VOL bit determines sparseness when both pointers are not
 * valid"; a valid 2 MiB PTE is not sparse).
 */
static inline bool nv_gmmu_pd0_is_sparse(uint64_t lo, uint64_t hi)
{
    return !(lo & NV_GMMU_PD0_IS_PTE) &&
           nv_gmmu_pd0_big_aperture(lo) == NV_GMMU_APER_NONE &&
           nv_gmmu_pd0_small_aperture(hi) == NV_GMMU_APER_NONE &&
           (lo & NV_GMMU_PD0_VOL_BIG);
}

/* ---- Instance block: page-directory base (NV_RAMIN_* in dev_ram.h) ---- */

#define NV_GMMU_RAMIN_SIZE              0x1000  /* NV_RAMIN_ALLOC_SIZE */
#define NV_GMMU_RAMIN_SHIFT             12      /* NV_RAMIN_BASE_SHIFT */
/* Byte offsets: dwords 128, 129 and 130/131. */
#define NV_GMMU_RAMIN_PDB_LO            0x200
#define NV_GMMU_RAMIN_PDB_HI            0x204
#define NV_GMMU_RAMIN_ADR_LIMIT_LO      0x208
#define NV_GMMU_RAMIN_ADR_LIMIT_HI      0x20c

/* NV_RAMIN_PAGE_DIR_BASE_TARGET (128*32+1):(128*32+0) */
#define NV_GMMU_RAMIN_TARGET_MASK       0x3u
#define NV_GMMU_RAMIN_TARGET_VID_MEM            0
#define NV_GMMU_RAMIN_TARGET_INVALID            1   /* GV100: "unbinds" */
#define NV_GMMU_RAMIN_TARGET_SYS_MEM_COHERENT   2
#define NV_GMMU_RAMIN_TARGET_SYS_MEM_NONCOHERENT 3
/* NV_RAMIN_PAGE_DIR_BASE_VOL 128*32+2 */
#define NV_GMMU_RAMIN_VOL               (1u << 2)
/* NV_RAMIN_PAGE_DIR_BASE_FAULT_REPLAY_TEX / _GCC, bits 4 and 5 */
#define NV_GMMU_RAMIN_FAULT_REPLAY_TEX  (1u << 4)
#define NV_GMMU_RAMIN_FAULT_REPLAY_GCC  (1u << 5)
/* NV_RAMIN_USE_NEW_PT_FORMAT (GV100: USE_VER2_PT_FORMAT) bit 10 */
#define NV_GMMU_RAMIN_USE_VER2_PT_FORMAT (1u << 10)
/* NV_RAMIN_BIG_PAGE_SIZE bit 11: 0 = 128 KB, 1 = 64 KB */
#define NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB (1u << 11)
#define NV_GMMU_RAMIN_FLAGS_MASK        (NV_GMMU_RAMIN_VOL | \
                                         NV_GMMU_RAMIN_FAULT_REPLAY_TEX | \
                                         NV_GMMU_RAMIN_FAULT_REPLAY_GCC | \
                                         NV_GMMU_RAMIN_USE_VER2_PT_FORMAT | \
                                         NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB)
/* NV_RAMIN_PAGE_DIR_BASE_LO (128*32+31):(128*32+12) */
#define NV_GMMU_RAMIN_PDB_LO_MASK       0xfffff000u
/* NV_RAMIN_ADR_LIMIT_LO (130*32+31):(130*32+12); bits 11:0 read as ones */
#define NV_GMMU_RAMIN_ADR_LIMIT_LO_MASK 0xfffff000u

/**
 * nv_gmmu_ramin_pdb_encode: the qword nouveau's gf100_vmm_join_() writes at
 * inst+0x200 (low dword 0x200, high dword 0x204).
 * @target: NV_GMMU_RAMIN_TARGET_* (2 bits)
 * @pd3: 4 KiB-aligned PD3 address (bits below 12 dropped)
 * @flags: NV_GMMU_RAMIN_VOL, _FAULT_REPLAY_*, _USE_VER2_PT_FORMAT,
 *         _BIG_PAGE_SIZE_64KB; gp100_vmm_join() uses VER2 | 64KB
 */
static inline uint64_t nv_gmmu_ramin_pdb_encode(unsigned target, uint64_t pd3,
                                                uint32_t flags)
{
    return (pd3 & ~0xfffULL) | (flags & NV_GMMU_RAMIN_FLAGS_MASK) |
           (target & NV_GMMU_RAMIN_TARGET_MASK);
}

/* The qword nouveau writes at inst+0x208: vmm->limit - 1. */
static inline uint64_t nv_gmmu_ramin_limit_encode(uint64_t last_va)
{
    return last_va;
}

/*
 * ------------------------------------------------------------------------
 * Fault buffer entry (NV_MMU_FAULT_BUF_ENTRY, clc369.h NVC369_BUF_ENTRY_*;
 * 32 bytes = 8 little-endian dwords)
 * ------------------------------------------------------------------------
 */

#define NV_GMMU_FAULT_ENTRY_SIZE        32
/* dword 0: INST_APERTURE 9:8, INST_LO 31:12 */
#define NV_GMMU_FAULT_ENTRY_INST_LO     0
#define NV_GMMU_FAULT_INST_APERTURE_SHIFT 8
#define NV_GMMU_FAULT_INST_APERTURE_MASK (3u << 8)
#define NV_GMMU_FAULT_INST_LO_MASK      0xfffff000u
/* dword 1: INST_HI 63:32 */
#define NV_GMMU_FAULT_ENTRY_INST_HI     1
/* dword 2: ADDR_PHYS_APERTURE 65:64, ADDR_LO 95:76 */
#define NV_GMMU_FAULT_ENTRY_ADDR_LO     2
#define NV_GMMU_FAULT_ADDR_PHYS_APERTURE_MASK 3u
#define NV_GMMU_FAULT_ADDR_LO_MASK      0xfffff000u
/* dword 3: ADDR_HI 127:96 */
#define NV_GMMU_FAULT_ENTRY_ADDR_HI     3
/* dwords 4, 5: TIMESTAMP_LO / TIMESTAMP_HI */
#define NV_GMMU_FAULT_ENTRY_TIMESTAMP_LO 4
#define NV_GMMU_FAULT_ENTRY_TIMESTAMP_HI 5
/* dword 6: ENGINE_ID 200:192 */
#define NV_GMMU_FAULT_ENTRY_ENGINE      6
#define NV_GMMU_FAULT_ENGINE_ID_MASK    0x1ffu
/*
 * dword 7 (info): FAULT_TYPE 4:0, REPLAYABLE_FAULT 7, CLIENT 14:8,
 * ACCESS_TYPE 19:16, MMU_CLIENT_TYPE 20, GPC_ID 28:24,
 * PROTECTED_MODE 29, REPLAYABLE_FAULT_EN 30, VALID 31.  VALID is the last
 * bit of the packet: write dwords 0..6 first ("VALID must be in the last
 * byte in the packet for proper write ordering").
 */
#define NV_GMMU_FAULT_ENTRY_INFO        7
#define NV_GMMU_FAULT_INFO_TYPE_SHIFT   0
#define NV_GMMU_FAULT_INFO_TYPE_MASK    0x1fu
#define NV_GMMU_FAULT_INFO_REPLAYABLE   (1u << 7)
#define NV_GMMU_FAULT_INFO_CLIENT_SHIFT 8
#define NV_GMMU_FAULT_INFO_CLIENT_MASK  (0x7fu << 8)
#define NV_GMMU_FAULT_INFO_ACCESS_SHIFT 16
#define NV_GMMU_FAULT_INFO_ACCESS_MASK  (0xfu << 16)
#define NV_GMMU_FAULT_INFO_HUB          (1u << 20)  /* MMU_CLIENT_TYPE_HUB */
#define NV_GMMU_FAULT_INFO_GPC_SHIFT    24
#define NV_GMMU_FAULT_INFO_GPC_MASK     (0x1fu << 24)
#define NV_GMMU_FAULT_INFO_PROTECTED_MODE (1u << 29)
#define NV_GMMU_FAULT_INFO_REPLAYABLE_EN (1u << 30)
#define NV_GMMU_FAULT_INFO_VALID        (1u << 31)
#define NV_GMMU_FAULT_ENTRY_VALID_OFFSET 28     /* byte offset of dword 7 */

/* NV_PFAULT_FAULT_TYPE_* (dev_fault.h) */
#define NV_GMMU_FAULT_TYPE_PDE                  0x00
#define NV_GMMU_FAULT_TYPE_PDE_SIZE             0x01
#define NV_GMMU_FAULT_TYPE_PTE                  0x02
#define NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION   0x03
#define NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK   0x04
#define NV_GMMU_FAULT_TYPE_PRIV_VIOLATION       0x05
#define NV_GMMU_FAULT_TYPE_RO_VIOLATION         0x06
#define NV_GMMU_FAULT_TYPE_WO_VIOLATION         0x07
#define NV_GMMU_FAULT_TYPE_PITCH_MASK_VIOLATION 0x08
#define NV_GMMU_FAULT_TYPE_WORK_CREATION        0x09
#define NV_GMMU_FAULT_TYPE_UNSUPPORTED_APERTURE 0x0a
#define NV_GMMU_FAULT_TYPE_COMPRESSION_FAILURE  0x0b
#define NV_GMMU_FAULT_TYPE_UNSUPPORTED_KIND     0x0c
#define NV_GMMU_FAULT_TYPE_REGION_VIOLATION     0x0d
#define NV_GMMU_FAULT_TYPE_POISONED             0x0e
#define NV_GMMU_FAULT_TYPE_ATOMIC_VIOLATION     0x0f
#define NV_GMMU_FAULT_TYPE_COUNT                0x10

/* NV_PFAULT_ACCESS_TYPE_* (gv100 dev_fault.h) */
#define NV_GMMU_ACCESS_TYPE_VIRT_READ           0x0
#define NV_GMMU_ACCESS_TYPE_VIRT_WRITE          0x1
#define NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG  0x2  /* also VIRT_ATOMIC */
#define NV_GMMU_ACCESS_TYPE_VIRT_PREFETCH       0x3
#define NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_WEAK    0x4
#define NV_GMMU_ACCESS_TYPE_PHYS_READ           0x8
#define NV_GMMU_ACCESS_TYPE_PHYS_WRITE          0x9
#define NV_GMMU_ACCESS_TYPE_PHYS_ATOMIC         0xa
#define NV_GMMU_ACCESS_TYPE_PHYS_PREFETCH       0xb

/* NV_PFAULT_MMU_CLIENT_TYPE_* */
#define NV_GMMU_MMU_CLIENT_TYPE_GPC             0
#define NV_GMMU_MMU_CLIENT_TYPE_HUB             1

#endif /* HW_DISPLAY_NV_GMMU_VER2_H */
