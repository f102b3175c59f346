/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault-buffer entries: golden packets in NVIDIA's layout
 * (NV_MMU_FAULT_BUF_ENTRY / clc369.h NVC369_BUF_ENTRY_*, as parsed by
 * nouveau's gv100_fault_buffer_process and nouveau_svm_fault_cache), round
 * trips, field truncation and the type/access name tables.
 */
#include <string.h>

#include <glib.h>

#include "gmmu-fault.h"

static void to_dwords(const uint8_t *p, uint32_t d[8])
{
    int i;

    for (i = 0; i < 8; i++) {
        d[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
               (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
    }
}

static void test_golden_vid(void)
{
    /*
     * INST_APERTURE 9:8 = 0 (VID_MEM), INST_LO 31:12; ADDR_LO 95:76 (the VA
     * is stored 4 KiB aligned), ADDR_HI; TIMESTAMP_LO/HI; ENGINE_ID 200:192;
     * info: FAULT_TYPE 4:0 = 2 (PTE), CLIENT 14:8 = 0x12, ACCESS_TYPE 19:16
     * = 1 (VIRT_WRITE), GPC_ID 28:24 = 3, VALID 31.
     */
    static const uint32_t expect[8] = {
        0x12345000, 0x00000000, 0x12345000, 0x00007fff,
        0x55667788, 0x11223344, 0x00000040, 0x83011202,
    };
    NvGmmuFaultInfo f = {
        .inst_aperture = NV_GMMU_APER_VID,
        .inst_addr = 0x12345000,
        .addr = 0x00007fff12345678ULL,
        .timestamp = 0x1122334455667788ULL,
        .engine_id = 0x40,          /* NV_PFAULT_MMU_ENG_ID_GRAPHICS */
        .fault_type = NV_GMMU_FAULT_TYPE_PTE,
        .client = 0x12,
        .access_type = NV_GMMU_ACCESS_TYPE_VIRT_WRITE,
        .gpc_id = 3,
    };
    NvGmmuFaultInfo g;
    uint8_t pkt[32];
    uint32_t d[8];

    nv_gmmu_fault_entry_encode(&f, pkt);
    to_dwords(pkt, d);
    g_assert_cmpmem(d, sizeof(d), expect, sizeof(expect));
    /* VALID is the last bit of the packet (byte 31, bit 7). */
    g_assert_cmphex(pkt[31] & 0x80, ==, 0x80);
    g_assert_cmphex(pkt[NV_GMMU_FAULT_ENTRY_VALID_OFFSET + 3], ==, 0x83);

    g_assert_true(nv_gmmu_fault_entry_decode(pkt, &g));
    g_assert_cmpint(g.inst_aperture, ==, NV_GMMU_APER_VID);
    g_assert_cmphex(g.inst_addr, ==, 0x12345000);
    g_assert_cmphex(g.addr, ==, 0x00007fff12345000ULL);
    g_assert_cmphex(g.timestamp, ==, 0x1122334455667788ULL);
    g_assert_cmpuint(g.engine_id, ==, 0x40);
    g_assert_cmpuint(g.fault_type, ==, 2);
    g_assert_cmpuint(g.client, ==, 0x12);
    g_assert_cmpuint(g.access_type, ==, 1);
    g_assert_cmpuint(g.gpc_id, ==, 3);
    g_assert_false(g.hub);
    g_assert_true(g.valid);
}

static void test_golden_sys_hub(void)
{
    /*
     * INST_APERTURE 2 (SYS_MEM_COHERENT) -> 0x200 in dword 0, INST_HI = 1;
     * ENGINE_ID 9 bits 0x1ff; info: FAULT_TYPE 6 (RO_VIOLATION), REPLAYABLE
     * bit 7, CLIENT 0x7f, ACCESS_TYPE 2 (VIRT_ATOMIC), MMU_CLIENT_TYPE 20
     * (HUB), REPLAYABLE_FAULT_EN 30, VALID 31.
     */
    static const uint32_t expect[8] = {
        0x00000200, 0x00000001, 0x00000000, 0x00000001,
        0x00000000, 0x00000000, 0x000001ff, 0xc0127f86,
    };
    NvGmmuFaultInfo f = {
        .inst_aperture = NV_GMMU_APER_SYS_COH,
        .inst_addr = 0x100000000ULL,
        .addr = 0x100000fffULL,
        .engine_id = 0x1ff,
        .fault_type = NV_GMMU_FAULT_TYPE_RO_VIOLATION,
        .replayable = true,
        .client = 0x7f,
        .access_type = NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG,
        .hub = true,
        .replayable_en = true,
    };
    NvGmmuFaultInfo g;
    uint8_t pkt[32];
    uint32_t d[8];

    nv_gmmu_fault_entry_encode(&f, pkt);
    to_dwords(pkt, d);
    g_assert_cmpmem(d, sizeof(d), expect, sizeof(expect));
    g_assert_cmphex(nv_gmmu_fault_info_word(&f), ==, 0x40127f86);
    g_assert_true(nv_gmmu_fault_entry_decode(pkt, &g));
    g_assert_cmpint(g.inst_aperture, ==, NV_GMMU_APER_SYS_COH);
    g_assert_true(g.hub && g.replayable && g.replayable_en);
    g_assert_false(g.protected_mode);
    /* nouveau's gp100_vmm_fault_cancel: aper = (inst >> 8) & 3. */
    g_assert_cmpuint((d[0] >> 8) & 3, ==, 2);
}

/* Every field at its maximum, then each one alone: no bleeding. */
static void test_fields_isolated(void)
{
    NvGmmuFaultInfo f, g;
    uint8_t pkt[32];

    memset(&f, 0, sizeof(f));
    f.inst_aperture = NV_GMMU_APER_SYS_NCOH;
    f.inst_addr = 0xfffffffffffff000ULL;
    f.addr = 0xfffffffffffff000ULL;
    f.addr_phys_aperture = 3;
    f.timestamp = UINT64_MAX;
    f.engine_id = 0x1ff;
    f.fault_type = 0x1f;
    f.client = 0x7f;
    f.access_type = 0xf;
    f.hub = f.replayable = f.replayable_en = f.protected_mode = true;
    f.gpc_id = 0x1f;
    nv_gmmu_fault_entry_encode(&f, pkt);
    g_assert_true(nv_gmmu_fault_entry_decode(pkt, &g));
    g_assert_cmpint(g.inst_aperture, ==, f.inst_aperture);
    g_assert_cmphex(g.inst_addr, ==, f.inst_addr);
    g_assert_cmphex(g.addr, ==, f.addr);
    g_assert_cmpuint(g.addr_phys_aperture, ==, 3);
    g_assert_cmphex(g.timestamp, ==, f.timestamp);
    g_assert_cmpuint(g.engine_id, ==, 0x1ff);
    g_assert_cmpuint(g.fault_type, ==, 0x1f);
    g_assert_cmpuint(g.client, ==, 0x7f);
    g_assert_cmpuint(g.access_type, ==, 0xf);
    g_assert_cmpuint(g.gpc_id, ==, 0x1f);
    g_assert_true(g.hub && g.replayable && g.replayable_en &&
                  g.protected_mode && g.valid);
    g_assert_cmphex(nv_gmmu_fault_info_word(&g), ==, 0x7f1f7f9f);

    /* Over-wide values are truncated to their field, not spilled. */
    memset(&f, 0, sizeof(f));
    f.engine_id = 0xffff;
    f.fault_type = 0xff;
    f.client = 0xff;
    f.access_type = 0xff;
    f.gpc_id = 0xff;
    f.addr_phys_aperture = 0xff;
    nv_gmmu_fault_entry_encode(&f, pkt);
    g_assert_true(nv_gmmu_fault_entry_decode(pkt, &g));
    g_assert_cmpuint(g.engine_id, ==, 0x1ff);
    g_assert_cmpuint(g.fault_type, ==, 0x1f);
    g_assert_cmpuint(g.client, ==, 0x7f);
    g_assert_cmpuint(g.access_type, ==, 0xf);
    g_assert_cmpuint(g.gpc_id, ==, 0x1f);
    g_assert_cmpuint(g.addr_phys_aperture, ==, 3);
    g_assert_false(g.hub || g.replayable || g.protected_mode);
    g_assert_cmphex(g.inst_addr, ==, 0);

    /* VALID clear (what nouveau writes back after reading). */
    pkt[31] &= 0x7f;
    g_assert_false(nv_gmmu_fault_entry_decode(pkt, &g));
}

static void test_type_names(void)
{
    static const char *const names[] = {
        "PDE", "PDE_SIZE", "PTE", "VA_LIMIT_VIOLATION", "UNBOUND_INST_BLOCK",
        "PRIV_VIOLATION", "RO_VIOLATION", "WO_VIOLATION",
        "PITCH_MASK_VIOLATION", "WORK_CREATION", "UNSUPPORTED_APERTURE",
        "COMPRESSION_FAILURE", "UNSUPPORTED_KIND", "REGION_VIOLATION",
        "POISONED", "ATOMIC_VIOLATION",
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpstr(nv_gmmu_fault_type_name(i), ==, names[i]);
        g_assert_cmpint(nv_gmmu_fault_type_from_name(names[i]), ==, i);
    }
    g_assert_cmpint(NV_GMMU_FAULT_TYPE_UNSUPPORTED_APERTURE, ==, 0xa);
    g_assert_cmpint(NV_GMMU_FAULT_TYPE_ATOMIC_VIOLATION, ==, 0xf);
    g_assert_null(nv_gmmu_fault_type_name(16));
    g_assert_null(nv_gmmu_fault_type_name(0xff));
    g_assert_cmpint(nv_gmmu_fault_type_from_name("NOPE"), ==, -1);

    g_assert_cmpstr(nv_gmmu_access_type_name(0), ==, "VIRT_READ");
    g_assert_cmpstr(nv_gmmu_access_type_name(1), ==, "VIRT_WRITE");
    g_assert_cmpstr(nv_gmmu_access_type_name(2), ==, "VIRT_ATOMIC");
    g_assert_cmpstr(nv_gmmu_access_type_name(3), ==, "VIRT_PREFETCH");
    g_assert_cmpstr(nv_gmmu_access_type_name(4), ==, "VIRT_ATOMIC_WEAK");
    g_assert_cmpstr(nv_gmmu_access_type_name(8), ==, "PHYS_READ");
    g_assert_cmpstr(nv_gmmu_access_type_name(0xb), ==, "PHYS_PREFETCH");
    g_assert_null(nv_gmmu_access_type_name(5));
    g_assert_null(nv_gmmu_access_type_name(0xc));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gmmu/fault/golden-vid", test_golden_vid);
    g_test_add_func("/gmmu/fault/golden-sys-hub", test_golden_sys_hub);
    g_test_add_func("/gmmu/fault/fields-isolated", test_fields_isolated);
    g_test_add_func("/gmmu/fault/type-names", test_type_names);
    return g_test_run();
}
