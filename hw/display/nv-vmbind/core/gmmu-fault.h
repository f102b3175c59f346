/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: MMU fault-buffer entries (NV_MMU_FAULT_BUF_ENTRY, the
 * 32-byte packet of VOLTA_FAULT_BUFFER_A / MAXWELL_FAULT_BUFFER_A) and the
 * names of NVIDIA's fault and access types.  Layout: nv-gmmu-ver2.h.
 */
#ifndef NV_VMBIND_GMMU_FAULT_H
#define NV_VMBIND_GMMU_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/display/nv-gmmu-ver2.h"

typedef struct NvGmmuFaultInfo {
    NvGmmuAperture inst_aperture;   /* INST_APERTURE: VID, SYS_COH, SYS_NCOH */
    uint64_t inst_addr;         /* instance block; bits 11:0 not stored */
    uint64_t addr;              /* faulting VA; bits 11:0 not stored */
    uint8_t addr_phys_aperture; /* ADDR_PHYS_APERTURE (physical faults) */
    uint64_t timestamp;         /* TIMESTAMP_LO/HI (PTIMER ns) */
    uint16_t engine_id;         /* ENGINE_ID, 9 bits (NV_PFAULT_MMU_ENG_ID) */
    uint8_t fault_type;         /* NV_GMMU_FAULT_TYPE_*, 5 bits */
    uint8_t client;             /* CLIENT, 7 bits */
    uint8_t access_type;        /* NV_GMMU_ACCESS_TYPE_*, 4 bits */
    bool hub;                   /* MMU_CLIENT_TYPE: 1 HUB, 0 GPC */
    uint8_t gpc_id;             /* GPC_ID, 5 bits */
    bool replayable;            /* REPLAYABLE_FAULT */
    bool replayable_en;         /* REPLAYABLE_FAULT_EN */
    bool protected_mode;        /* PROTECTED_MODE */
    bool valid;                 /* VALID (decode only; encode sets it) */
} NvGmmuFaultInfo;

/**
 * nv_gmmu_fault_entry_encode: build a 32-byte fault-buffer packet.
 * @f: fault; out-of-range field values are truncated to their width
 * @out: 32 bytes, little-endian dwords 0..7; VALID (bit 31 of dword 7, byte
 *       NV_GMMU_FAULT_ENTRY_VALID_OFFSET + 3) is set
 *
 * Write bytes 0..27 to the guest before bytes 28..31 so that VALID becomes
 * visible last, as the hardware does.
 */
void nv_gmmu_fault_entry_encode(const NvGmmuFaultInfo *f, uint8_t out[32]);

/**
 * nv_gmmu_fault_entry_decode: parse a packet (as nouveau's
 * gv100_fault_buffer_process / nouveau_svm_fault_cache do).
 * @in: 32 bytes as nv_gmmu_fault_entry_encode() writes them
 * @f: filled with every field of the packet, whether VALID is set or not
 *
 * Returns: the VALID bit.
 */
bool nv_gmmu_fault_entry_decode(const uint8_t in[32], NvGmmuFaultInfo *f);

/* The info dword (dword 7) alone, e.g. for a FAULT_INFO register. */
uint32_t nv_gmmu_fault_info_word(const NvGmmuFaultInfo *f);

/*
 * NVIDIA's name ("PDE", "PTE", "VA_LIMIT_VIOLATION", "UNBOUND_INST_BLOCK",
 * ...) of a fault type, or NULL if @type has no name.
 */
const char *nv_gmmu_fault_type_name(unsigned type);
/* Inverse of nv_gmmu_fault_type_name(); -1 if unknown. */
int nv_gmmu_fault_type_from_name(const char *name);
/* "VIRT_READ", "VIRT_WRITE", "VIRT_ATOMIC", ... or NULL. */
const char *nv_gmmu_access_type_name(unsigned type);

#endif /* NV_VMBIND_GMMU_FAULT_H */
