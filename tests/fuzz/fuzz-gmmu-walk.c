/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the GMMU core: arbitrary memory images, VAs and
 * access types through instance-block decode, the walker, the TLB (with
 * invalidates) and the dump, plus fault-record round trips.
 *
 * Input: an op stream over a zeroed 256 KiB VRAM + 64 KiB sysmem.
 *   byte 0      flags: bit 0 TLB off, bit 1 peer_unsupported,
 *               bits 3:2 PDB aperture (0/3 VID, 1 SYS, 2 NCOH)
 *   bytes 1-2   TLB capacity / PDE-cache capacity (+1)
 *   bytes 3-6   PDB address (little endian)
 *   then ops, opcode = byte % 7:
 *     0 write   u32 addr (bit 31: sysmem), u64 value
 *     1 walk    u8 access (bits 2:0 type, bit 3 priv), u64 va
 *     2 inval   u32 INVALIDATE, u32 PDB, u32 UPPER_PDB, u64 va
 *     3 dump    u64 start, u16 length in 4 KiB pages (0 = to 2^49)
 *     4 inst    u32 addr (bit 31: sysmem): pdb = decode or unbound
 *     5 fault   32 bytes: fault-record round trip
 *     6 toggle  TLB enable
 *
 * Besides "no crash, no sanitizer report" it checks invariants and aborts
 * on a violation: walk results are well formed; with no table write since
 * the last full flush a TLB translation equals a fresh walk; every range
 * the dump reports translates identically through the walker; a fault
 * record decodes to what was encoded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "gmmu-dump.h"
#include "gmmu-fault.h"
#include "gmmu-tlb.h"
#include "gmmu-walk.h"

#define VRAM_SIZE   (256u << 10)
#define SYS_SIZE    (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t vram[VRAM_SIZE];
static int verbose = -1;            /* NVVB_FUZZ_VERBOSE set: trace ops */
static uint8_t sysmem[SYS_SIZE];

static bool fz_read(void *opaque, NvGmmuAperture aper, uint64_t addr,
                    void *buf, size_t len)
{
    const uint8_t *base;
    uint64_t sz;

    /* The walker never asks for peer memory, nor for huge reads. */
    CHECK(aper != NV_GMMU_APER_PEER && aper != NV_GMMU_APER_NONE);
    CHECK(len > 0 && len <= 4096);
    if (aper == NV_GMMU_APER_VID) {
        base = vram;
        sz = VRAM_SIZE;
    } else {
        base = sysmem;
        sz = SYS_SIZE;
    }
    if (addr > sz || len > sz - addr) {
        return false;
    }
    memcpy(buf, base + addr, len);
    return true;
}

typedef struct Input {
    const uint8_t *p;
    size_t left;
} Input;

static bool take(Input *in, void *out, size_t n)
{
    if (in->left < n) {
        return false;
    }
    memcpy(out, in->p, n);
    in->p += n;
    in->left -= n;
    return true;
}

static bool take_u64(Input *in, uint64_t *v)
{
    uint8_t b[8];
    int i;

    if (!take(in, b, 8)) {
        return false;
    }
    *v = 0;
    for (i = 7; i >= 0; i--) {
        *v = *v << 8 | b[i];
    }
    return true;
}

static bool take_u32(Input *in, uint32_t *v)
{
    uint64_t x = 0;
    uint8_t b[4];
    int i;

    if (!take(in, b, 4)) {
        return false;
    }
    for (i = 3; i >= 0; i--) {
        x = x << 8 | b[i];
    }
    *v = (uint32_t)x;
    return true;
}

static void check_result(const NvGmmuWalkResult *r)
{
    CHECK(r->nsteps <= NV_GMMU_WALK_MAX_STEPS);
    switch (r->status) {
    case NV_GMMU_WALK_OK:
        CHECK(r->tr.page_shift == 12 || r->tr.page_shift == 16 ||
              r->tr.page_shift == 21);
        CHECK(!r->tr.sparse && (r->tr.flags & NV_GMMU_PTE_VALID));
        CHECK(r->pa >> r->tr.page_shift == r->tr.pa_base >> r->tr.page_shift);
        CHECK(r->va >> r->tr.page_shift == r->tr.va_base >> r->tr.page_shift);
        CHECK(nv_gmmu_addr_fits(r->tr.aperture, r->pa));
        CHECK(r->tr.aperture <= NV_GMMU_APER_SYS_NCOH);
        break;
    case NV_GMMU_WALK_SPARSE:
        CHECK(r->tr.sparse);
        CHECK(r->tr.page_shift == nv_gmmu_level_shift(r->tr.level));
        break;
    case NV_GMMU_WALK_FAULT:
        CHECK(r->fault_type < NV_GMMU_FAULT_TYPE_COUNT);
        CHECK(nv_gmmu_fault_type_name(r->fault_type) != NULL);
        CHECK(r->fault_level == NV_GMMU_LEVEL_NONE ||
              r->fault_level < NV_GMMU_LEVEL_COUNT);
        break;
    default:
        CHECK(0);
    }
}

static void check_same(const NvGmmuWalkResult *a, const NvGmmuWalkResult *b)
{
    CHECK(a->status == b->status);
    if (a->status == NV_GMMU_WALK_FAULT) {
        CHECK(a->fault_type == b->fault_type);
        CHECK(a->fault_level == b->fault_level);
        return;
    }
    CHECK(a->tr.sparse == b->tr.sparse);
    CHECK(a->tr.page_shift == b->tr.page_shift);
    if (a->status == NV_GMMU_WALK_OK) {
        CHECK(a->pa == b->pa);
        CHECK(a->tr.aperture == b->tr.aperture);
        CHECK(a->tr.flags == b->tr.flags);
        CHECK(a->tr.kind == b->tr.kind);
        CHECK(a->tr.peer_id == b->tr.peer_id);
    }
}

typedef struct DumpCheck {
    const NvGmmuMem *mem;
    const NvGmmuPdb *pdb;
    uint64_t start, end, last_end;
    unsigned n;
} DumpCheck;

static bool dump_cb(void *opaque, const NvGmmuMapping *m)
{
    const NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, true, false };
    DumpCheck *c = opaque;
    uint64_t probe[2] = { m->va, m->va + m->size - 1 };
    NvGmmuWalkResult r;
    int i;

    CHECK(m->size > 0);
    CHECK(m->va >= c->start && m->va + m->size <= c->end);
    CHECK(m->va >= c->last_end);
    c->last_end = m->va + m->size;
    for (i = 0; i < 2; i++) {
        nv_gmmu_walk(c->mem, c->pdb, probe[i], &acc, &r);
        check_result(&r);
        if (m->sparse) {
            CHECK(r.status == NV_GMMU_WALK_SPARSE);
            continue;
        }
        CHECK(r.status == NV_GMMU_WALK_OK);
        CHECK(r.pa == m->pa + (probe[i] - m->va));
        CHECK(r.tr.aperture == m->aperture);
        CHECK(r.tr.flags == m->flags);
        CHECK(r.tr.kind == m->kind);
        CHECK(r.tr.page_shift == m->page_shift);
    }
    /* Stop early on huge listings to keep executions fast. */
    return ++c->n < 512;
}

static void fault_roundtrip(const uint8_t raw[32])
{
    NvGmmuFaultInfo f, g;
    uint8_t pkt[32], again[32];

    /* Decode arbitrary bytes, re-encode, decode again: a fixed point. */
    nv_gmmu_fault_entry_decode(raw, &f);
    nv_gmmu_fault_entry_encode(&f, pkt);
    CHECK(nv_gmmu_fault_entry_decode(pkt, &g));
    nv_gmmu_fault_entry_encode(&g, again);
    CHECK(!memcmp(pkt, again, 32));
    CHECK(g.fault_type == f.fault_type && g.client == f.client &&
          g.access_type == f.access_type && g.engine_id == f.engine_id &&
          g.addr == f.addr && g.timestamp == f.timestamp);
    (void)nv_gmmu_access_type_name(g.access_type);
    (void)nv_gmmu_fault_type_name(g.fault_type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    NvGmmuMem mem = { fz_read, NULL, NULL };
    NvGmmuAccess acc = { 0, false, false };
    Input in = { data, size };
    uint8_t hdr[7];
    NvGmmuTlb *tlb;
    NvGmmuPdb pdb;
    bool clean = true;          /* no table write since a full flush */
    unsigned ops = 0, dumps = 0;
    uint32_t pdb_addr;

    if (verbose < 0) {
        verbose = getenv("NVVB_FUZZ_VERBOSE") != NULL;
    }
    if (!take(&in, hdr, sizeof(hdr))) {
        return 0;
    }
    memset(vram, 0, sizeof(vram));
    memset(sysmem, 0, sizeof(sysmem));
    tlb = nv_gmmu_tlb_new(hdr[1] + 1u, hdr[2] + 1u);
    nv_gmmu_tlb_set_enabled(tlb, !(hdr[0] & 1));
    acc.peer_unsupported = hdr[0] & 2;
    pdb_addr = hdr[3] | hdr[4] << 8 | hdr[5] << 16 | (uint32_t)hdr[6] << 24;
    nv_gmmu_pdb_init(&pdb, ((hdr[0] >> 2) & 3) == 1 ? NV_GMMU_APER_SYS_COH :
                     ((hdr[0] >> 2) & 3) == 2 ? NV_GMMU_APER_SYS_NCOH :
                     NV_GMMU_APER_VID, pdb_addr);

    while (in.left && ops++ < 512) {
        uint8_t op = *in.p++;

        in.left--;
        switch (op % 7) {
        case 0: {                                   /* write */
            uint32_t a;
            uint64_t v;
            uint8_t *base;
            uint32_t sz;
            int i;

            if (!take_u32(&in, &a) || !take_u64(&in, &v)) {
                goto out;
            }
            base = a & 0x80000000u ? sysmem : vram;
            sz = a & 0x80000000u ? SYS_SIZE : VRAM_SIZE;
            a = ((a & 0x7fffffffu) % sz) & ~7u;
            for (i = 0; i < 8; i++) {
                base[a + i] = (uint8_t)(v >> (8 * i));
            }
            clean = false;
            break;
        }
        case 1: {                                   /* walk */
            NvGmmuWalkResult r1, r2;
            uint8_t a;
            uint64_t va;

            if (!take(&in, &a, 1) || !take_u64(&in, &va)) {
                goto out;
            }
            acc.type = a & 7;
            acc.priv = a & 8;
            /* Mostly inside the VA space, sometimes far outside. */
            if (!(a & 0x80)) {
                va &= NV_GMMU_VA_LIMIT - 1;
            }
            nv_gmmu_tlb_translate(tlb, &mem, &pdb, va, &acc, &r1);
            check_result(&r1);
            nv_gmmu_walk(&mem, &pdb, va, &acc, &r2);
            check_result(&r2);
            if (verbose) {
                fprintf(stderr, "walk 0x%" PRIx64 " acc %u: status %d "
                        "fault %s steps %u pa 0x%" PRIx64 " shift %u%s\n",
                        va, a, r2.status,
                        r2.status == NV_GMMU_WALK_FAULT
                        ? nv_gmmu_fault_type_name(r2.fault_type) : "-",
                        r2.nsteps, r2.pa, r2.tr.page_shift,
                        r1.tlb_hit ? " (tlb hit)" : "");
            }
            if (clean) {
                check_same(&r1, &r2);
            }
            break;
        }
        case 2: {                                   /* invalidate */
            NvGmmuTlbInvalidate inv;
            uint32_t reg, lo, hi;
            uint64_t va;

            if (!take_u32(&in, &reg) || !take_u32(&in, &lo) ||
                !take_u32(&in, &hi) || !take_u64(&in, &va)) {
                goto out;
            }
            nv_gmmu_tlb_invalidate_decode(reg, lo, hi, va, &inv);
            nv_gmmu_tlb_invalidate(tlb, &inv);
            if (inv.all_pdb && inv.all_va &&
                (inv.cache_level == 0 || inv.cache_level >= 5)) {
                clean = true;
            }
            break;
        }
        case 3: {                                   /* dump */
            DumpCheck c = { &mem, &pdb };
            NvGmmuDumpStats st;
            uint64_t start, end;
            uint16_t pages;

            if (!take_u64(&in, &start) || !take(&in, &pages, 2)) {
                goto out;
            }
            if (++dumps > 8) {
                break;              /* keep executions fast */
            }
            start &= NV_GMMU_VA_LIMIT - 1;
            end = pages ? start + ((uint64_t)pages << 12) : NV_GMMU_VA_LIMIT;
            /* What the dump may report: [start, end) within the PDB. */
            c.start = start;
            c.end = end < pdb.va_limit + 1 ? end : pdb.va_limit + 1;
            c.last_end = c.start;
            nv_gmmu_dump(&mem, &pdb, start, end, 2048, dump_cb, &c, &st);
            if (verbose) {
                fprintf(stderr, "dump: %u ranges, %" PRIu64 " entries\n",
                        c.n, st.entries);
            }
            CHECK(st.entries <= 2048);
            break;
        }
        case 4: {                                   /* instance block */
            NvGmmuPdb p;
            uint32_t a;

            if (!take_u32(&in, &a)) {
                goto out;
            }
            if (nv_gmmu_inst_decode(&mem, a & 0x80000000u ?
                                    NV_GMMU_APER_SYS_NCOH : NV_GMMU_APER_VID,
                                    a & 0x7fffffffu, &p)) {
                CHECK(p.va_limit < NV_GMMU_VA_LIMIT);
                CHECK(!(p.addr & 0xfff));
                pdb = p;
            } else {
                /* An unbound PDB: every walk faults UNBOUND_INST_BLOCK. */
                NvGmmuWalkResult r;

                CHECK(nv_gmmu_walk(&mem, &p, 0, &acc, &r) ==
                      NV_GMMU_WALK_FAULT);
                CHECK(r.fault_type == NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK);
            }
            break;
        }
        case 5: {                                   /* fault record */
            uint8_t raw[32];

            if (!take(&in, raw, sizeof(raw))) {
                goto out;
            }
            fault_roundtrip(raw);
            break;
        }
        default:                                    /* toggle TLB */
            nv_gmmu_tlb_set_enabled(tlb, !nv_gmmu_tlb_is_enabled(tlb));
            clean = true;
            break;
        }
    }
out:
    {
        NvGmmuTlbStats s;

        nv_gmmu_tlb_get_stats(tlb, &s);
        CHECK(s.entries <= s.capacity && s.pde_entries <= s.pde_capacity);
    }
    nv_gmmu_tlb_free(tlb);
    return 0;
}
