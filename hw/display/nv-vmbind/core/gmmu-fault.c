/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: fault-buffer entries and fault/access type names.
 */
#include <string.h>

#include "gmmu-fault.h"
#include "le.h"

uint32_t nv_gmmu_fault_info_word(const NvGmmuFaultInfo *f)
{
    uint32_t w = 0;

    w |= ((uint32_t)f->fault_type << NV_GMMU_FAULT_INFO_TYPE_SHIFT) &
         NV_GMMU_FAULT_INFO_TYPE_MASK;
    w |= f->replayable ? NV_GMMU_FAULT_INFO_REPLAYABLE : 0;
    w |= ((uint32_t)f->client << NV_GMMU_FAULT_INFO_CLIENT_SHIFT) &
         NV_GMMU_FAULT_INFO_CLIENT_MASK;
    w |= ((uint32_t)f->access_type << NV_GMMU_FAULT_INFO_ACCESS_SHIFT) &
         NV_GMMU_FAULT_INFO_ACCESS_MASK;
    w |= f->hub ? NV_GMMU_FAULT_INFO_HUB : 0;
    w |= ((uint32_t)f->gpc_id << NV_GMMU_FAULT_INFO_GPC_SHIFT) &
         NV_GMMU_FAULT_INFO_GPC_MASK;
    w |= f->protected_mode ? NV_GMMU_FAULT_INFO_PROTECTED_MODE : 0;
    w |= f->replayable_en ? NV_GMMU_FAULT_INFO_REPLAYABLE_EN : 0;
    return w;
}

void nv_gmmu_fault_entry_encode(const NvGmmuFaultInfo *f, uint8_t out[32])
{
    uint32_t aper = f->inst_aperture == NV_GMMU_APER_PEER ||
                    f->inst_aperture == NV_GMMU_APER_NONE
                    ? 0 : (uint32_t)f->inst_aperture;
    uint32_t d[8];
    int i;

    d[NV_GMMU_FAULT_ENTRY_INST_LO] =
        ((uint32_t)f->inst_addr & NV_GMMU_FAULT_INST_LO_MASK) |
        ((aper << NV_GMMU_FAULT_INST_APERTURE_SHIFT) &
         NV_GMMU_FAULT_INST_APERTURE_MASK);
    d[NV_GMMU_FAULT_ENTRY_INST_HI] = (uint32_t)(f->inst_addr >> 32);
    d[NV_GMMU_FAULT_ENTRY_ADDR_LO] =
        ((uint32_t)f->addr & NV_GMMU_FAULT_ADDR_LO_MASK) |
        (f->addr_phys_aperture & NV_GMMU_FAULT_ADDR_PHYS_APERTURE_MASK);
    d[NV_GMMU_FAULT_ENTRY_ADDR_HI] = (uint32_t)(f->addr >> 32);
    d[NV_GMMU_FAULT_ENTRY_TIMESTAMP_LO] = (uint32_t)f->timestamp;
    d[NV_GMMU_FAULT_ENTRY_TIMESTAMP_HI] = (uint32_t)(f->timestamp >> 32);
    d[NV_GMMU_FAULT_ENTRY_ENGINE] = f->engine_id &
                                    NV_GMMU_FAULT_ENGINE_ID_MASK;
    d[NV_GMMU_FAULT_ENTRY_INFO] = nv_gmmu_fault_info_word(f) |
                                  NV_GMMU_FAULT_INFO_VALID;
    for (i = 0; i < 8; i++) {
        st_le32(out + 4 * i, d[i]);
    }
}

bool nv_gmmu_fault_entry_decode(const uint8_t in[32], NvGmmuFaultInfo *f)
{
    uint32_t d[8];
    int i;

    for (i = 0; i < 8; i++) {
        d[i] = ld_le32(in + 4 * i);
    }
    memset(f, 0, sizeof(*f));
    f->inst_aperture = (NvGmmuAperture)
        ((d[NV_GMMU_FAULT_ENTRY_INST_LO] & NV_GMMU_FAULT_INST_APERTURE_MASK) >>
         NV_GMMU_FAULT_INST_APERTURE_SHIFT);
    f->inst_addr = ((uint64_t)d[NV_GMMU_FAULT_ENTRY_INST_HI] << 32) |
                   (d[NV_GMMU_FAULT_ENTRY_INST_LO] &
                    NV_GMMU_FAULT_INST_LO_MASK);
    f->addr_phys_aperture = d[NV_GMMU_FAULT_ENTRY_ADDR_LO] &
                            NV_GMMU_FAULT_ADDR_PHYS_APERTURE_MASK;
    f->addr = ((uint64_t)d[NV_GMMU_FAULT_ENTRY_ADDR_HI] << 32) |
              (d[NV_GMMU_FAULT_ENTRY_ADDR_LO] & NV_GMMU_FAULT_ADDR_LO_MASK);
    f->timestamp = ((uint64_t)d[NV_GMMU_FAULT_ENTRY_TIMESTAMP_HI] << 32) |
                   d[NV_GMMU_FAULT_ENTRY_TIMESTAMP_LO];
    f->engine_id = d[NV_GMMU_FAULT_ENTRY_ENGINE] &
                   NV_GMMU_FAULT_ENGINE_ID_MASK;
    f->fault_type = (d[7] & NV_GMMU_FAULT_INFO_TYPE_MASK) >>
                    NV_GMMU_FAULT_INFO_TYPE_SHIFT;
    f->replayable = d[7] & NV_GMMU_FAULT_INFO_REPLAYABLE;
    f->client = (d[7] & NV_GMMU_FAULT_INFO_CLIENT_MASK) >>
                NV_GMMU_FAULT_INFO_CLIENT_SHIFT;
    f->access_type = (d[7] & NV_GMMU_FAULT_INFO_ACCESS_MASK) >>
                     NV_GMMU_FAULT_INFO_ACCESS_SHIFT;
    f->hub = d[7] & NV_GMMU_FAULT_INFO_HUB;
    f->gpc_id = (d[7] & NV_GMMU_FAULT_INFO_GPC_MASK) >>
                NV_GMMU_FAULT_INFO_GPC_SHIFT;
    f->protected_mode = d[7] & NV_GMMU_FAULT_INFO_PROTECTED_MODE;
    f->replayable_en = d[7] & NV_GMMU_FAULT_INFO_REPLAYABLE_EN;
    f->valid = d[7] & NV_GMMU_FAULT_INFO_VALID;
    return f->valid;
}

/*
 * NV_PFAULT_FAULT_TYPE_* names, as in dev_fault.h and nouveau's
 * gv100_fifo_mmu_fault_reason[].
 */
static const char *const fault_type_names[NV_GMMU_FAULT_TYPE_COUNT] = {
    [NV_GMMU_FAULT_TYPE_PDE] = "PDE",
    [NV_GMMU_FAULT_TYPE_PDE_SIZE] = "PDE_SIZE",
    [NV_GMMU_FAULT_TYPE_PTE] = "PTE",
    [NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION] = "VA_LIMIT_VIOLATION",
    [NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK] = "UNBOUND_INST_BLOCK",
    [NV_GMMU_FAULT_TYPE_PRIV_VIOLATION] = "PRIV_VIOLATION",
    [NV_GMMU_FAULT_TYPE_RO_VIOLATION] = "RO_VIOLATION",
    [NV_GMMU_FAULT_TYPE_WO_VIOLATION] = "WO_VIOLATION",
    [NV_GMMU_FAULT_TYPE_PITCH_MASK_VIOLATION] = "PITCH_MASK_VIOLATION",
    [NV_GMMU_FAULT_TYPE_WORK_CREATION] = "WORK_CREATION",
    [NV_GMMU_FAULT_TYPE_UNSUPPORTED_APERTURE] = "UNSUPPORTED_APERTURE",
    [NV_GMMU_FAULT_TYPE_COMPRESSION_FAILURE] = "COMPRESSION_FAILURE",
    [NV_GMMU_FAULT_TYPE_UNSUPPORTED_KIND] = "UNSUPPORTED_KIND",
    [NV_GMMU_FAULT_TYPE_REGION_VIOLATION] = "REGION_VIOLATION",
    [NV_GMMU_FAULT_TYPE_POISONED] = "POISONED",
    [NV_GMMU_FAULT_TYPE_ATOMIC_VIOLATION] = "ATOMIC_VIOLATION",
};

const char *nv_gmmu_fault_type_name(unsigned type)
{
    return type < NV_GMMU_FAULT_TYPE_COUNT ? fault_type_names[type] : NULL;
}

int nv_gmmu_fault_type_from_name(const char *name)
{
    int i;

    for (i = 0; i < NV_GMMU_FAULT_TYPE_COUNT; i++) {
        if (fault_type_names[i] && !strcmp(fault_type_names[i], name)) {
            return i;
        }
    }
    return -1;
}

/*
 * NV_PFAULT_ACCESS_TYPE_* names (gv100 dev_fault.h; nouveau's
 * gv100_fifo_mmu_fault_access[]).
 */
const char *nv_gmmu_access_type_name(unsigned type)
{
    switch (type) {
    case NV_GMMU_ACCESS_TYPE_VIRT_READ:
        return "VIRT_READ";
    case NV_GMMU_ACCESS_TYPE_VIRT_WRITE:
        return "VIRT_WRITE";
    case NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG:
        return "VIRT_ATOMIC";
    case NV_GMMU_ACCESS_TYPE_VIRT_PREFETCH:
        return "VIRT_PREFETCH";
    case NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_WEAK:
        return "VIRT_ATOMIC_WEAK";
    case NV_GMMU_ACCESS_TYPE_PHYS_READ:
        return "PHYS_READ";
    case NV_GMMU_ACCESS_TYPE_PHYS_WRITE:
        return "PHYS_WRITE";
    case NV_GMMU_ACCESS_TYPE_PHYS_ATOMIC:
        return "PHYS_ATOMIC";
    case NV_GMMU_ACCESS_TYPE_PHYS_PREFETCH:
        return "PHYS_PREFETCH";
    default:
        return NULL;
    }
}
