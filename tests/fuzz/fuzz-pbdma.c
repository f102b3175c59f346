/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the PBDMA (core/pbdma.c) and the copy-engine class
 * it drives (core/ce-class.c): GPFIFO entries, push-buffer method headers
 * (INC, NON_INC, IMMD, ONE_INC, END, GRP0), host methods and CE methods,
 * in a VM whose page tables, ring and push buffers the input writes.
 *
 * Input: a flags byte (bit 0: TLB, bit 1: privileged context, bit 2:
 * direct host access, NvvbCeHost), then ops, opcode = byte % 6:
 *   0 write   u32 addr (bit 31: sysmem), u64 value   (tables, ring, data)
 *   1 dwords  u32 addr (bit 31: sysmem), u8 n, n x u32 (push buffers)
 *   2 bind    u32 GP_BASE, u32 GP_BASE_HI, u16 GP_GET, u40 GET
 *             (nvvb_pbdma_reset + nvvb_pbdma_bind)
 *   3 run     u16 GP_PUT, u8 entries, u24 dwords, u32 bytes (budget)
 *   4 flush   the TLB (what MEM_OP_D TLB_INVALIDATE also does)
 *   5 reset   nvvb_pbdma_reset (the device's unbind)
 * The page directory is at VRAM 0.  Raw writes flush the TLB, as a
 * driver's invalidate would.  NVVB_FUZZ_VERBOSE=1 prints each run.
 *
 * Checked after (and during) every run:
 * - bounded work: entries and dwords consumed stay within the budget,
 *   methods within dwords + 1, CE bytes within the byte budget plus one
 *   launch (NVVB_CE_LAUNCH_BYTES_MAX), CE commands within what the copied
 *   bytes and lines charged to the budget allow, accessor calls within a
 *   fixed multiple of all of that;
 * - progress: GP_GET stays in the ring and advanced by exactly the
 *   entries completed, never past GP_PUT; IDLE means GP_GET == GP_PUT;
 *   BUDGET means a budget ran out; GET follows the segment;
 * - errors: a stopped channel stays stopped, touches nothing and changes
 *   nothing; GP_PUT beyond the ring is ERR_GP_PUT; every error is one of
 *   pbdma.h's codes; a refusal (entry, header, method, class, launch,
 *   semaphore operation) writes nothing after the method that caused it;
 * - every byte written (accessor or direct host pointer) lies in a page
 *   the channel's VM maps writable at that moment -- or, with a TLB, at
 *   some moment since the last invalidate -- as nv_gmmu_dump() walks it
 *   (re-walked whenever a write lands on a table entry the walk read).
 *
 * Shown to fail on a planted bug (a scratch copy of core/, not kept): a
 * 4-byte semaphore release that, on a fault, "falls back" to writing the
 * payload at the physical address sem_va & 0xffff was caught by the
 * write check after about 22,000 executions (30 s) from the seeds.
 * Found in the real code: an in-flight entry completed on a zero entry
 * budget (wrapping it), and 1-byte CE lines charged 1 byte each (see
 * NVVB_PBDMA_LINE_COST); /pbdma/budget-in-flight and /pbdma/line-cost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz-check.h"
#include "ce-class.h"
#include "gmmu-dump.h"
#include "gmmu-tlb.h"
#include "gmmu-walk.h"
#include "pbdma.h"
#include "hw/display/nv-gmmu-ver2.h"
#include "hw/display/nv-gp107-fifo.h"

#define VRAM_SIZE   (2u << 20)
#define SYS_SIZE    (256u << 10)
#define BYTES_MAX   (32u << 20)     /* budget bytes per run, at most */
#define DUMP_BUDGET (1u << 14)      /* entries per table walk */
/* Each CE line is charged at least this much of the byte budget. */
#define LINE_COST   NVVB_PBDMA_LINE_COST

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Side {
    uint8_t *mem;
    uint32_t size;
    uint8_t *ok;            /* bitmap: byte may be written */
    uint8_t *table;         /* bitmap: byte read by the last dump */
} Side;

static uint8_t vram[VRAM_SIZE], sys[SYS_SIZE];
static uint8_t vram_ok[VRAM_SIZE / 8], sys_ok[SYS_SIZE / 8];
static uint8_t vram_tab[VRAM_SIZE / 8], sys_tab[SYS_SIZE / 8];
static Side sides[2] = {
    { vram, VRAM_SIZE, vram_ok, vram_tab },
    { sys, SYS_SIZE, sys_ok, sys_tab },
};

static struct {
    bool checking;          /* a run is in progress: check writes */
    bool dumping;           /* reads come from nv_gmmu_dump() */
    bool stale;             /* a write hit a table entry: walk again */
    bool truncated;         /* the last walk gave up: writes unchecked */
    bool tables_written;    /* since the last TLB flush */
    bool priv;
    const NvGmmuPdb *pdb;
    uint64_t reads, writes, host;
    uint64_t writes_at_method;
    uint64_t methods;
    uint64_t launches, lines;
} st;

static int verbose = -1;
static NvGmmuTlb *tlb;

static Side *side(NvGmmuAperture aper)
{
    switch (aper) {
    case NV_GMMU_APER_VID:
        return &sides[0];
    case NV_GMMU_APER_SYS_COH:
    case NV_GMMU_APER_SYS_NCOH:
        return &sides[1];
    default:
        return NULL;
    }
}

static uint8_t *at(NvGmmuAperture aper, uint64_t addr, uint64_t len)
{
    Side *s = side(aper);

    return s && addr < s->size && len <= s->size - addr ? s->mem + addr :
           NULL;
}

static void bits_set(uint8_t *map, uint64_t from, uint64_t len)
{
    for (; len && (from & 7); from++, len--) {
        map[from / 8] |= 1u << (from & 7);
    }
    memset(map + from / 8, 0xff, len / 8);
    from += len & ~7ull;
    for (len &= 7; len; from++, len--) {
        map[from / 8] |= 1u << (from & 7);
    }
}

static bool bits_all(const uint8_t *map, uint64_t from, uint64_t len)
{
    for (; len; from++, len--) {
        if ((from & 7) == 0 && len >= 8) {
            if (map[from / 8] != 0xff) {
                return false;
            }
            from += 7;
            len -= 7;
        } else if (!(map[from / 8] & (1u << (from & 7)))) {
            return false;
        }
    }
    return true;
}

static bool bits_any(const uint8_t *map, uint64_t from, uint64_t len)
{
    for (; len; from++, len--) {
        if (map[from / 8] & (1u << (from & 7))) {
            return true;
        }
    }
    return false;
}

/* A range the VM maps: mark its bytes writable if the access may write. */
static bool dump_fn(void *opaque, const NvGmmuMapping *m)
{
    Side *s;
    uint64_t lo, hi;

    if (m->sparse || (m->flags & NV_GMMU_PTE_READ_ONLY) ||
        ((m->flags & NV_GMMU_PTE_PRIVILEGE) && !st.priv)) {
        return true;
    }
    s = side(m->aperture);
    if (!s || m->pa >= s->size) {
        return true;
    }
    lo = m->pa;
    hi = m->size > s->size - lo ? s->size : lo + m->size;
    bits_set(s->ok, lo, hi - lo);
    return true;
}

/* Walk the VM's tables and add what they map writable to the bitmaps. */
static void walk_tables(const NvGmmuMem *mem)
{
    NvGmmuDumpStats ds;

    memset(vram_tab, 0, sizeof(vram_tab));
    memset(sys_tab, 0, sizeof(sys_tab));
    st.dumping = true;
    st.truncated = nv_gmmu_dump(mem, st.pdb, 0, UINT64_MAX, DUMP_BUDGET,
                                dump_fn, NULL, &ds) != NV_GMMU_DUMP_DONE;
    st.dumping = false;
    st.stale = false;
}

static void forget_mappings(void)
{
    st.tables_written = false;
    memset(vram_ok, 0, sizeof(vram_ok));
    memset(sys_ok, 0, sizeof(sys_ok));
}

static bool img_read(void *opaque, NvGmmuAperture aper, uint64_t addr,
                     void *buf, size_t len)
{
    uint8_t *p = at(aper, addr, len);

    if (p) {
        memcpy(buf, p, len);
        if (st.dumping) {
            Side *s = side(aper);

            bits_set(s->table, addr, len);
        }
    }
    if (!st.dumping) {
        st.reads++;
    }
    return p;
}

/* Every write of a run: inside what the VM maps writable. */
static void check_write(const NvGmmuMem *mem, NvGmmuAperture aper,
                        uint64_t addr, uint64_t len)
{
    Side *s = side(aper);

    CHECK(s && addr < s->size && len <= s->size - addr);
    if (st.stale) {
        walk_tables(mem);
    }
    /*
     * A TLB keeps PDEs too: after a table write it may combine an old
     * directory with a new table, which no single walk shows.
     */
    if (!st.truncated && !(tlb && st.tables_written)) {
        CHECK(bits_all(s->ok, addr, len));
    }
    if (bits_any(s->table, addr, len)) {
        st.stale = true;
        st.tables_written = true;
    }
}

static const NvGmmuMem img_mem;

static bool img_write(void *opaque, NvGmmuAperture aper, uint64_t addr,
                      const void *buf, size_t len)
{
    uint8_t *p = at(aper, addr, len);

    st.writes++;
    if (p && st.checking) {
        check_write(&img_mem, aper, addr, len);
    }
    if (p) {
        memcpy(p, buf, len);
    }
    return p;
}

static const NvGmmuMem img_mem = { img_read, img_write, NULL };

static void *host_ptr(void *opaque, NvGmmuAperture aper, uint64_t addr,
                      uint64_t len, bool write)
{
    st.host++;
    return at(aper, addr, len);
}

static void host_written(void *opaque, NvGmmuAperture aper, uint64_t addr,
                         uint64_t len)
{
    st.writes++;
    CHECK(at(aper, addr, len));
    if (st.checking) {
        check_write(&img_mem, aper, addr, len);
    }
}

static const NvvbCeHost img_host = { host_ptr, host_written, NULL };

static uint64_t env_timestamp(void *opaque)
{
    return 0x1122334455667788ull;
}

static void env_tlb_invalidate(void *opaque)
{
    if (tlb) {
        nv_gmmu_tlb_flush_all(tlb);
    }
}

static void env_method(void *opaque, unsigned subc, uint32_t mthd,
                       uint32_t data)
{
    CHECK(subc < 8);
    CHECK(!(mthd & 3) && mthd <= (NV_PB_HDR_ADDR_MASK << 2));
    st.methods++;
    st.writes_at_method = st.writes;
}

static void env_launch(void *opaque, const NvvbCeClass *c, uint32_t launch,
                       const NvvbCeLaunchResult *res)
{
    st.launches++;
    st.lines += res->lines;
}

static uint8_t *raw_at(uint32_t a, unsigned len)
{
    bool is_sys = a >> 31;
    uint32_t size = is_sys ? SYS_SIZE : VRAM_SIZE;

    return (is_sys ? sys : vram) + ((a & 0x7ffffffcu) % (size - len + 1) &
                                   ~3u);
}

/* Run once and check everything the header of this file lists. */
static void run(NvvbPbdma *p, const NvvbPbdmaEnv *env, NvvbCe *ce,
                uint32_t gp_put, NvvbPbdmaBudget b0)
{
    NvvbPbdmaBudget b = b0;
    NvvbPbdma before = *p;
    NvvbCeStats c0, c1;
    NvvbPbdmaStats *s0 = &before.stats, *s1 = &p->stats;
    NvvbPbdmaStatus ret;
    uint64_t d_entries, d_dwords, d_methods, d_bytes, d_launches;
    uint64_t calls, d_cmds, d_chunks;
    uint32_t dist;

    nvvb_ce_get_stats(ce, &c0);
    st.reads = st.writes = st.host = st.methods = 0;
    st.launches = st.lines = 0;
    st.writes_at_method = 0;
    st.priv = env->ctx.priv;
    if (!tlb) {
        forget_mappings();
    }
    walk_tables(&img_mem);
    st.checking = true;
    ret = nvvb_pbdma_run(p, env, gp_put, &b);
    st.checking = false;
    nvvb_ce_get_stats(ce, &c1);

    if (verbose) {
        fprintf(stderr, "run gp_put %u budget %u/%llu/%llu: %d err %s "
                "gp_get %u->%u dwords %llu methods %llu bytes %llu\n",
                gp_put, b0.entries, (unsigned long long)b0.dwords,
                (unsigned long long)b0.bytes, ret,
                nvvb_pbdma_error_name(p->error), before.gp_get, p->gp_get,
                (unsigned long long)(s1->dwords - s0->dwords),
                (unsigned long long)(s1->methods - s0->methods),
                (unsigned long long)(s1->bytes - s0->bytes));
    }

    /* A stopped channel stays stopped and does nothing. */
    if (before.error) {
        CHECK(ret == NVVB_PBDMA_ERROR);
        CHECK(!memcmp(&before, p, sizeof(*p)));
        CHECK(!st.reads && !st.writes && !st.host && !st.methods);
        return;
    }

    /* Status. */
    CHECK(ret <= NVVB_PBDMA_ERROR);
    CHECK((ret == NVVB_PBDMA_ERROR) == (p->error != NVVB_PBDMA_ERR_NONE));
    CHECK(p->error < NVVB_PBDMA_ERR__COUNT);
    if (gp_put >= before.gp_entries) {
        CHECK(ret == NVVB_PBDMA_ERROR && p->error == NVVB_PBDMA_ERR_GP_PUT);
        CHECK(!st.reads && !st.writes && !st.methods);
        return;
    }
    CHECK(p->error != NVVB_PBDMA_ERR_GP_PUT &&
          p->error != NVVB_PBDMA_ERR_GP_CONFIG);
    if (ret == NVVB_PBDMA_IDLE) {
        CHECK(p->gp_get == gp_put && !p->seg_active);
    }
    if (ret == NVVB_PBDMA_BUDGET) {
        CHECK(!b.entries || !b.dwords || !b.bytes);
    }

    /* Progress. */
    CHECK(p->gp_entries == before.gp_entries);
    CHECK(p->gp_get < p->gp_entries);
    d_entries = s1->entries - s0->entries;
    d_dwords = s1->dwords - s0->dwords;
    d_methods = s1->methods - s0->methods;
    d_bytes = s1->bytes - s0->bytes;
    d_launches = s1->launches - s0->launches;
    dist = (gp_put - before.gp_get) & (before.gp_entries - 1);
    /*
     * An entry in flight is finished even if GP_PUT moved back onto it;
     * GP_GET then goes round the ring to GP_PUT again, as a ring does.
     */
    if (!dist && before.seg_active) {
        dist = before.gp_entries;
    }
    CHECK(d_entries <= dist);
    CHECK(((before.gp_get + d_entries) & (p->gp_entries - 1)) == p->gp_get);
    if (p->error) {
        CHECK(p->err_gp == p->gp_get);
    }
    /* GET moves with consumed dwords only, a dword at a time. */
    if (!d_dwords) {
        CHECK(p->pb_get == before.pb_get);
    } else {
        CHECK(!((p->pb_get - before.seg_va) & 3) || !before.seg_active ||
              p->gp_get != before.gp_get);
    }
    if (p->seg_active) {
        CHECK(p->seg_left > 0);
    }

    /* Bounded work. */
    CHECK(d_entries <= b0.entries && b0.entries - d_entries == b.entries);
    CHECK(d_dwords <= b0.dwords && b0.dwords - d_dwords == b.dwords);
    CHECK(d_methods == st.methods && d_methods <= d_dwords + 1);
    CHECK(d_launches <= d_methods);
    /*
     * The budget is checked between methods, so one launch may overrun
     * it: by at most NVVB_CE_LAUNCH_BYTES_MAX bytes and
     * NVVB_CE_LINE_COUNT_MAX lines.  Every line is charged at least
     * LINE_COST, so lines (a command each) are bounded by the budget too.
     */
    CHECK(!d_launches || b0.bytes);
    CHECK(d_bytes <= (b0.bytes ? b0.bytes - 1 : 0) +
          NVVB_CE_LAUNCH_BYTES_MAX);
    CHECK(st.launches == d_launches);
    CHECK(st.lines <= (b0.bytes ? b0.bytes - 1 : 0) / LINE_COST +
          NVVB_CE_LINE_COUNT_MAX);
    /* Commands: one per line or 64 MiB piece, four per semaphore. */
    d_cmds = c1.commands - c0.commands;
    CHECK(d_cmds <= st.lines + d_bytes / (64u << 20) + 4 * d_methods);
    /* Chunks: page-bounded pieces of what the CE moved (4 KiB pages). */
    d_chunks = c1.chunks - c0.chunks;
    CHECK(d_chunks <= 3 * d_cmds + 2 * ((c1.bytes - c0.bytes) / 4096));
    /*
     * Accessor calls: a walk (at most NV_GMMU_WALK_MAX_STEPS reads) and a
     * read per GP entry, push-buffer block (at most one per dword) and
     * host semaphore word (two pages each); the CE's walks and chunks.
     */
    calls = st.reads + st.writes + st.host;
    CHECK(calls <= (NV_GMMU_WALK_MAX_STEPS + 1) *
          (d_entries + 1 + d_dwords + 1 + 8 * (d_methods + 1) +
           (c1.translations - c0.translations)) + 4 * d_chunks);

    /* Refusals write nothing after the method that caused them. */
    switch (p->error) {
    case NVVB_PBDMA_ERR_GP_ENTRY: {
        unsigned opc = p->err_data & NV_GP_ENTRY0_OPCODE_MASK;

        /* Decoded after the last method completed: the word is bad. */
        CHECK(opc != NV_GP_OPCODE_NOP && opc != NV_GP_OPCODE_GP_CRC &&
              opc != NV_GP_OPCODE_PB_CRC);
        CHECK(!p->seg_active && !p->err_fault);
        break;
    }
    case NVVB_PBDMA_ERR_HEADER: {
        unsigned op = p->err_data >> NV_PB_HDR_SEC_OP_SHIFT;

        CHECK(op == NV_PB_SEC_OP_GRP2 || op == NV_PB_SEC_OP_RESERVED6 ||
              (op == NV_PB_SEC_OP_GRP0 && p->err_data &&
               !((p->err_data >> NV_PB_TERT_OP_SHIFT) & 3)));
        CHECK(!p->count && !p->err_fault);
        break;
    }
    case NVVB_PBDMA_ERR_METHOD:
    case NVVB_PBDMA_ERR_CLASS:
    case NVVB_PBDMA_ERR_CE_LAUNCH:
        CHECK(st.writes == st.writes_at_method);
        CHECK(!p->err_fault);
        break;
    case NVVB_PBDMA_ERR_SEMAPHORE:
        if (!p->err_res.fault && !p->err_res.mem_error) {
            CHECK(st.writes == st.writes_at_method);
        }
        break;
    case NVVB_PBDMA_ERR_GP_FETCH:
    case NVVB_PBDMA_ERR_PB_FETCH:
        /* Between methods: the last one's writes are legitimate. */
        CHECK(p->err_res.fault != p->err_res.mem_error);
        CHECK(p->err_host);
        break;
    case NVVB_PBDMA_ERR_CE_FAULT:
        CHECK(p->err_res.fault != p->err_res.mem_error);
        CHECK(!p->err_host);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *pi = data, *end = data + size;
    NvGmmuPdb pdb;
    NvvbPbdma pb;
    NvvbPbdmaEnv env;
    NvvbCe *ce;
    uint8_t flags;
    unsigned ops = 0;

    if (!size) {
        return 0;
    }
    if (verbose < 0) {
        verbose = getenv("NVVB_FUZZ_VERBOSE") != NULL;
    }
    memset(vram, 0, sizeof(vram));
    memset(sys, 0, sizeof(sys));
    forget_mappings();
    flags = fuzz_take(&pi, end, 1);
    nv_gmmu_pdb_init(&pdb, NV_GMMU_APER_VID, 0);
    st.pdb = &pdb;
    tlb = flags & 1 ? nv_gmmu_tlb_new(64, 16) : NULL;
    ce = nvvb_ce_new();
    env = (NvvbPbdmaEnv){
        .ce = ce,
        .ctx = { &img_mem, &pdb, tlb, flags & 2,
                 flags & 4 ? &img_host : NULL },
        .timestamp = env_timestamp,
        .tlb_invalidate = env_tlb_invalidate,
        .method = env_method,
        .launch = env_launch,
    };
    nvvb_pbdma_reset(&pb);
    /* An unbound PBDMA has a one-entry ring at VA 0. */
    nvvb_pbdma_bind(&pb, 0, 0, 0, 0);

    while (pi < end && ops++ < 64) {
        uint8_t op = fuzz_take(&pi, end, 1) % 6;

        switch (op) {
        case 0: {
            uint32_t a = fuzz_take(&pi, end, 4);
            uint64_t v = fuzz_take(&pi, end, 8);

            memcpy(raw_at(a, 8), &v, 8);
            env_tlb_invalidate(NULL);
            forget_mappings();
            break;
        }
        case 1: {
            uint32_t a = fuzz_take(&pi, end, 4);
            unsigned n = fuzz_take(&pi, end, 1), i;
            uint8_t *dst = raw_at(a, n * 4);

            for (i = 0; i < n; i++) {
                uint32_t d = fuzz_take(&pi, end, 4);

                memcpy(dst + 4 * i, &d, 4);
            }
            env_tlb_invalidate(NULL);
            forget_mappings();
            break;
        }
        case 2: {
            uint32_t lo = fuzz_take(&pi, end, 4), hi = fuzz_take(&pi, end, 4);
            uint32_t get = fuzz_take(&pi, end, 2);
            uint64_t pb_get = fuzz_take(&pi, end, 5);

            nvvb_pbdma_reset(&pb);
            nvvb_pbdma_bind(&pb, lo, hi, get, pb_get);
            CHECK(pb.gp_entries && !(pb.gp_entries & (pb.gp_entries - 1)) &&
                  pb.gp_entries <= 1u << NVVB_PBDMA_LIMIT2_MAX);
            CHECK(pb.gp_get < pb.gp_entries);
            CHECK(!pb.error == (!(lo & 7) &&
                                ((hi >> 16) & 0x1f) <= NVVB_PBDMA_LIMIT2_MAX));
            break;
        }
        case 3: {
            uint32_t gp_put = fuzz_take(&pi, end, 2);
            NvvbPbdmaBudget b;

            b.entries = fuzz_take(&pi, end, 1);
            b.dwords = fuzz_take(&pi, end, 3);
            b.bytes = fuzz_take(&pi, end, 4) % (BYTES_MAX + 1);
            run(&pb, &env, ce, gp_put, b);
            break;
        }
        case 4:
            env_tlb_invalidate(NULL);
            forget_mappings();
            break;
        case 5:
            nvvb_pbdma_reset(&pb);
            nvvb_pbdma_bind(&pb, 0, 0, 0, 0);
            break;
        }
    }
    nvvb_ce_free(ce);
    nv_gmmu_tlb_free(tlb);
    return 0;
}
