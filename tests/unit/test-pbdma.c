/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PBDMA + copy-engine class: push buffers built here run through page
 * tables built here (tests/unit/gmmu-fake.c): a TTM-style copy between
 * system memory and VRAM pages of 4 KiB / 64 KiB with its fence, every
 * header kind, methods spanning segments, acquires that block and resume,
 * budgets that split the work, and every documented error.
 */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "gmmu-fake.h"
#include "gmmu-tlb.h"
#include "pbdma.h"
#include "hw/display/nv-gp107-fifo.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH

#define K4      0x1000ull
#define K64     0x10000ull
#define MiB     0x100000ull

/* VA layout */
#define GP_VA   0x100000000ull          /* GPFIFO, 4 KiB: 512 entries */
#define PB_VA   0x100010000ull          /* push buffer, 64 KiB, VRAM */
#define SRC_VA  0x200000000ull          /* 128 KiB: 16 x 4 KiB sysmem ... */
#define DST_VA  0x300000000ull          /* ... to 2 x 64 KiB VRAM */
#define SEM_VA  0x400000000ull          /* 4 KiB VRAM */
#define HOLE_VA 0x500000000ull          /* nothing mapped */
#define COPY_LEN (128 * 1024)

typedef struct Env {
    FakeMem fm;
    FakeVm vm;
    NvGmmuTlb *tlb;
    NvvbCe *ce;
    NvvbPbdmaEnv env;
    NvvbPbdma p;
    uint64_t pb_pa, src_pa, dst_pa, sem_pa;
    uint32_t pb[16384];                 /* what the test writes at PB_VA */
    unsigned npb;
    unsigned ngp;
    unsigned nonstall;
    unsigned invalidates;
    uint64_t now;
    GString *log;                       /* "subc:mthd=data " per method */
} Env;

static uint64_t env_timestamp(void *opaque)
{
    Env *e = opaque;

    return e->now += 1000;
}

static void env_nonstall(void *opaque)
{
    ((Env *)opaque)->nonstall++;
}

static void env_invalidate(void *opaque)
{
    Env *e = opaque;

    e->invalidates++;
    nv_gmmu_tlb_flush_all(e->tlb);
}

static void env_method(void *opaque, unsigned subc, uint32_t mthd,
                       uint32_t data)
{
    Env *e = opaque;

    g_string_append_printf(e->log, "%u:%x=%x ", subc, mthd, data);
}

static void map_range(Env *e, uint64_t va, uint64_t len, NvGmmuAperture aper,
                      uint64_t pa, unsigned shift)
{
    uint64_t off;

    for (off = 0; off < len; off += 1ull << shift) {
        fake_vm_map(&e->vm, va + off, shift,
                    nv_gmmu_pte_encode(aper, pa + off,
                                       aper == SYS ? NV_GMMU_PTE_VOL : 0, 0));
    }
}

static void env_init(Env *e)
{
    uint64_t gp_pa, i;

    memset(e, 0, sizeof(*e));
    fake_init(&e->fm, 16 * MiB, 8 * MiB);
    fake_vm_init(&e->vm, &e->fm, VID);
    e->tlb = nv_gmmu_tlb_new(0, 0);
    e->ce = nvvb_ce_new();
    e->log = g_string_new("");

    gp_pa = fake_alloc(&e->fm, SYS, K4, K4);
    map_range(e, GP_VA, K4, SYS, gp_pa, 12);
    e->pb_pa = fake_alloc(&e->fm, VID, K64, K64);
    map_range(e, PB_VA, K64, VID, e->pb_pa, 16);
    e->src_pa = fake_alloc(&e->fm, SYS, COPY_LEN, K4);
    map_range(e, SRC_VA, COPY_LEN, SYS, e->src_pa, 12);
    e->dst_pa = fake_alloc(&e->fm, VID, COPY_LEN, K64);
    map_range(e, DST_VA, COPY_LEN, VID, e->dst_pa, 16);
    e->sem_pa = fake_alloc(&e->fm, VID, K4, K4);
    map_range(e, SEM_VA, K4, VID, e->sem_pa, 12);
    for (i = 0; i < COPY_LEN; i++) {
        e->fm.sys[e->src_pa + i] = (uint8_t)(i * 7 + (i >> 12));
    }

    e->env.ce = e->ce;
    e->env.ctx.mem = &e->fm.mem;
    e->env.ctx.pdb = &e->vm.pdb;
    e->env.ctx.tlb = e->tlb;
    e->env.ctx.priv = true;
    e->env.timestamp = env_timestamp;
    e->env.nonstall = env_nonstall;
    e->env.tlb_invalidate = env_invalidate;
    e->env.method = env_method;
    e->env.opaque = e;

    nvvb_pbdma_reset(&e->p);
    /* 4 KiB of GPFIFO = 512 entries: LIMIT2 9 */
    nvvb_pbdma_bind(&e->p, (uint32_t)GP_VA, (GP_VA >> 32) | (9u << 16), 0,
                    PB_VA);
}

static void env_free(Env *e)
{
    nvvb_ce_free(e->ce);
    nv_gmmu_tlb_free(e->tlb);
    fake_free(&e->fm);
    g_string_free(e->log, true);
}

static void push(Env *e, uint32_t d)
{
    g_assert_cmpuint(e->npb, <, G_N_ELEMENTS(e->pb));
    e->pb[e->npb++] = d;
}

/* Flush the dwords pushed since @start into memory and add a GP entry. */
static void gp_entry_raw(Env *e, uint64_t va, uint32_t dwords, uint32_t op)
{
    NvGmmuWalkResult w;
    NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, true, true };
    uint64_t ea = GP_VA + (uint64_t)(e->ngp % 512) * 8;

    g_assert_cmpint(nv_gmmu_walk(&e->fm.mem, &e->vm.pdb, ea, &acc, &w), ==,
                    NV_GMMU_WALK_OK);
    fake_w32(&e->fm, w.tr.aperture, w.pa, (uint32_t)va | op);
    fake_w32(&e->fm, w.tr.aperture, w.pa + 4,
             (uint32_t)(va >> 32) |
             (dwords << NV_GP_ENTRY1_LENGTH_SHIFT));
    e->ngp++;
}

static void gp_entry(Env *e, unsigned start)
{
    unsigned i;

    for (i = start; i < e->npb; i++) {
        fake_w32(&e->fm, VID, e->pb_pa + 4ull * i, e->pb[i]);
    }
    gp_entry_raw(e, PB_VA + 4ull * start, e->npb - start, 0);
}

static NvvbPbdmaStatus run(Env *e)
{
    NvvbPbdmaBudget b = { 4096, 1u << 20, 1ull << 32 };

    return nvvb_pbdma_run(&e->p, &e->env, e->ngp % 512, &b);
}

static uint32_t sem_r32(Env *e, unsigned off)
{
    return (uint32_t)fake_r64(&e->fm, VID, e->sem_pa + off);
}

/* nouveau's nve0_bo_move_copy + nvc0_fence_emit32, word for word. */
static void push_ttm_move(Env *e, uint64_t src, uint64_t dst, uint32_t pages,
                          uint32_t seq)
{
    push(e, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC06F_SET_OBJECT, 1));
    push(e, NV_CE_CLASS_B);
    push(e, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC0B5_OFFSET_IN_UPPER, 8));
    push(e, src >> 32);
    push(e, (uint32_t)src);
    push(e, dst >> 32);
    push(e, (uint32_t)dst);
    push(e, 0x1000);
    push(e, 0x1000);
    push(e, 0x1000);
    push(e, pages);
    push(e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA, 0x386));
    push(e, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_SEMAPHOREA, 5));
    push(e, SEM_VA >> 32);
    push(e, (uint32_t)SEM_VA);
    push(e, seq);
    push(e, NVC06F_SEMAPHORED_OP_RELEASE);
    push(e, 0);     /* NON_STALL_INTERRUPT */
}

static void test_ttm_copy(void)
{
    Env e;
    unsigned i;

    env_init(&e);
    /* 32 DMA NOPs as NOUVEAU_DMA_SKIPS leaves, then the move. */
    for (i = 0; i < 32; i++) {
        push(&e, 0);
    }
    push_ttm_move(&e, SRC_VA, DST_VA, COPY_LEN / K4, 0x1234);
    gp_entry(&e, 0);

    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_NONE);
    g_assert_true(memcmp(e.fm.sys + e.src_pa, e.fm.vram + e.dst_pa,
                         COPY_LEN) == 0);
    g_assert_cmphex(sem_r32(&e, 0), ==, 0x1234);
    g_assert_cmphex(sem_r32(&e, 4), ==, 0);
    g_assert_cmphex(fake_r64(&e.fm, VID, e.sem_pa + 8), ==, 1000);
    g_assert_cmpuint(e.nonstall, ==, 1);
    g_assert_cmpuint(e.p.gp_get, ==, 1);
    g_assert_cmphex(e.p.pb_get, ==, PB_VA + 4ull * e.npb);
    g_assert_cmpuint(e.p.subc_class[4], ==, NV_CE_CLASS_B);
    g_assert_cmpuint(e.p.stats.launches, ==, 1);
    g_assert_cmpuint(e.p.stats.bytes, ==, COPY_LEN);
    /* Nothing new: idle at once. */
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    g_assert_cmpuint(e.p.stats.launches, ==, 1);
    env_free(&e);
}

/* Back: VRAM 64 KiB pages to sysmem 4 KiB pages, with pitched lines. */
static void test_pitch_lines(void)
{
    Env e;
    unsigned i;

    env_init(&e);
    memset(e.fm.vram + e.dst_pa, 0x5a, COPY_LEN);
    for (i = 0; i < COPY_LEN; i++) {
        e.fm.vram[e.dst_pa + i] = (uint8_t)(i ^ 0xa5);
    }
    memset(e.fm.sys + e.src_pa, 0, COPY_LEN);
    /* 16 lines of 100 bytes, source pitch 8 KiB, destination pitch 4 KiB. */
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC0B5_OFFSET_IN_UPPER, 8));
    push(&e, DST_VA >> 32);
    push(&e, (uint32_t)DST_VA + 3);
    push(&e, SRC_VA >> 32);
    push(&e, (uint32_t)SRC_VA);
    push(&e, 0x2000);
    push(&e, 0x1000);
    push(&e, 100);
    push(&e, 16);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC0B5_SET_SEMAPHORE_A, 3));
    push(&e, SEM_VA >> 32);
    push(&e, (uint32_t)SEM_VA + 0x40);
    push(&e, 0xfeed);
    /* pipelined, one-word semaphore, pitch, multi-line */
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA,
                       1 | (1 << 3) | (1 << 7) | (1 << 8) | (1 << 9)));
    gp_entry(&e, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    for (i = 0; i < 16; i++) {
        g_assert_true(memcmp(e.fm.sys + e.src_pa + i * 0x1000ull,
                             e.fm.vram + e.dst_pa + 3 + i * 0x2000ull,
                             100) == 0);
        g_assert_cmpuint(e.fm.sys[e.src_pa + i * 0x1000ull + 100], ==, 0);
    }
    g_assert_cmphex(sem_r32(&e, 0x40), ==, 0xfeed);
    g_assert_cmphex(sem_r32(&e, 0x44), ==, 0);      /* one word only */
    env_free(&e);
}

/*
 * REMAP of a constant: lines of LINE_LENGTH_IN components filled with
 * CONST_A (4 bytes) or CONST_B (1 byte), nothing read; NO_WRITE writes
 * nothing.
 */
static void test_remap_fill(void)
{
    static const struct {
        uint32_t components;
        unsigned size;
        uint8_t pat[4];
    } c[] = {
        { 4 | 3 << 16, 4, { 0xef, 0xbe, 0xad, 0xde } },     /* CONST_A */
        { 5 | 0 << 16, 1, { 0x42, 0x42, 0x42, 0x42 } },     /* CONST_B */
        { 5 | 1 << 16, 2, { 0x42, 0x11, 0x42, 0x11 } },
        { 6 | 3 << 16, 4, { 0 } },                          /* NO_WRITE */
    };
    Env e;
    unsigned k, i, j;

    for (k = 0; k < G_N_ELEMENTS(c); k++) {
        env_init(&e);
        memset(e.fm.vram + e.dst_pa, 0x5a, COPY_LEN);
        push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC0B5_SET_REMAP_CONST_A, 3));
        push(&e, 0xdeadbeef);
        push(&e, 0x77661142);
        push(&e, c[k].components);
        /* 3 lines of 100 components, 4 KiB apart, from DST_VA + 4 */
        push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC0B5_OFFSET_IN_UPPER, 8));
        push(&e, HOLE_VA >> 32);        /* never read */
        push(&e, (uint32_t)HOLE_VA);
        push(&e, DST_VA >> 32);
        push(&e, (uint32_t)DST_VA + 4);
        push(&e, 0);
        push(&e, 0x1000);
        push(&e, 100);
        push(&e, 3);
        push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA, 0x786));
        gp_entry(&e, 0);
        g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
        for (i = 0; i < 4; i++) {
            const uint8_t *line = e.fm.vram + e.dst_pa + i * 0x1000ull;
            bool filled = i < 3 && c[k].components != (6 | 3 << 16);

            g_assert_cmphex(line[3], ==, 0x5a);
            for (j = 0; j < 100 * c[k].size; j++) {
                g_assert_cmphex(line[4 + j], ==,
                                filled ? c[k].pat[j % 4] : 0x5a);
            }
            g_assert_cmphex(line[4 + j], ==, 0x5a);
        }
        env_free(&e);
    }
}

/* INC, NON_INC, ONE_INC, IMMD, GRP0 NOPs, END_PB_SEGMENT. */
static void test_headers(void)
{
    Env e;

    env_init(&e);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 1, NVC06F_SEMAPHOREA, 2));
    push(&e, 0x11);
    push(&e, 0x22);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_NON_INC, 2, NVC06F_SEMAPHOREC, 2));
    push(&e, 0x33);
    push(&e, 0x44);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_ONE_INC, 3, NVC06F_SEMAPHOREB, 3));
    push(&e, 0x55);
    push(&e, 0x66);
    push(&e, 0x77);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 5, NVC06F_NOP, 0x1abc));
    push(&e, 0);                                        /* DMA NOP */
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_GRP0, 0, 0, 0) | (1u << 16) | 5);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_NOP, 0));   /* count 0 */
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_END_PB_SEGMENT, 0, 0, 0));
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NOP, 1));  /* skipped */
    gp_entry(&e, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    g_assert_cmpstr(e.log->str, ==,
                    "1:10=11 1:14=22 2:18=33 2:18=44 "
                    "3:14=55 3:18=66 3:18=77 5:8=1abc ");
    g_assert_cmphex(e.p.sem_payload, ==, 0x77);
    g_assert_cmphex(e.p.sem_va, ==, 0x1100000054ull);
    /* GET stops after END_PB_SEGMENT. */
    g_assert_cmphex(e.p.pb_get, ==, PB_VA + 4ull * (e.npb - 1));
    g_assert_cmpuint(e.p.gp_get, ==, 1);
    env_free(&e);
}

/* A header in one entry, its data in the next two (count persists). */
static void test_span_segments(void)
{
    Env e;
    unsigned s;

    env_init(&e);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_SEMAPHOREA, 4));
    gp_entry(&e, 0);
    s = e.npb;
    push(&e, SEM_VA >> 32);
    push(&e, (uint32_t)SEM_VA);
    gp_entry(&e, s);
    s = e.npb;
    push(&e, 0xabcd);
    push(&e, NVC06F_SEMAPHORED_OP_RELEASE |
             NVC06F_SEMAPHORED_RELEASE_SIZE_4BYTE);
    gp_entry(&e, s);
    /* A LENGTH 0 NOP control entry in between. */
    gp_entry_raw(&e, 0, 0, NV_GP_OPCODE_NOP);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    g_assert_cmpuint(e.p.gp_get, ==, 4);
    g_assert_cmphex(sem_r32(&e, 0), ==, 0xabcd);
    g_assert_cmphex(sem_r32(&e, 8), ==, 0);         /* 4-byte release */
    env_free(&e);
}

/* The same work under budgets of 1 entry / 3 dwords / 1 byte per run. */
static void test_budget(void)
{
    static const NvvbPbdmaBudget budgets[] = {
        { 1, 1u << 20, 1ull << 32 },
        { 4096, 3, 1ull << 32 },
        { 4096, 1u << 20, 1 },
    };
    unsigned k;

    for (k = 0; k < G_N_ELEMENTS(budgets); k++) {
        Env e;
        unsigned runs = 0, s;
        NvvbPbdmaStatus st;

        env_init(&e);
        push_ttm_move(&e, SRC_VA, DST_VA, 16, 7);
        gp_entry(&e, 0);
        s = e.npb;
        push_ttm_move(&e, SRC_VA + 16 * K4, DST_VA + 16 * K4, 16, 8);
        gp_entry(&e, s);
        do {
            NvvbPbdmaBudget b = budgets[k];

            st = nvvb_pbdma_run(&e.p, &e.env, e.ngp, &b);
            g_assert_cmpuint(++runs, <, 200);
        } while (st == NVVB_PBDMA_BUDGET);
        g_assert_cmpint(st, ==, NVVB_PBDMA_IDLE);
        g_assert_cmpuint(runs, >=, 2);
        g_assert_true(memcmp(e.fm.sys + e.src_pa, e.fm.vram + e.dst_pa,
                             COPY_LEN) == 0);
        g_assert_cmphex(sem_r32(&e, 0), ==, 8);
        g_assert_cmpuint(e.nonstall, ==, 2);
        env_free(&e);
    }
}

/* ACQ_GEQ blocks on the method until memory reaches the payload. */
static void test_acquire(void)
{
    Env e;
    uint64_t log_len;

    env_init(&e);
    fake_w32(&e.fm, VID, e.sem_pa + 0x80, 5);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_SEMAPHOREA, 4));
    push(&e, SEM_VA >> 32);
    push(&e, (uint32_t)SEM_VA + 0x80);
    push(&e, 6);
    push(&e, 0x00001004);                   /* ACQ_GEQ | ACQUIRE_SWITCH */
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    gp_entry(&e, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_BLOCKED);
    g_assert_cmpuint(e.p.gp_get, ==, 0);
    g_assert_cmpuint(e.nonstall, ==, 0);
    g_assert_cmphex(e.p.pb_get, ==, PB_VA + 16);
    log_len = e.log->len;
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_BLOCKED);
    g_assert_cmpuint(e.log->len, >, log_len);       /* tried again */
    /* Wrapping compare: 0x80000007 - 6 < 0 as int32. */
    fake_w32(&e.fm, VID, e.sem_pa + 0x80, 0x80000007);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_BLOCKED);
    fake_w32(&e.fm, VID, e.sem_pa + 0x80, 6);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    g_assert_cmpuint(e.nonstall, ==, 1);
    g_assert_cmpuint(e.p.gp_get, ==, 1);
    g_assert_cmpuint(e.p.stats.acquires_blocked, ==, 3);
    env_free(&e);
}

/* MEM_OP_D TLB invalidate reaches the device; a stale TLB is dropped. */
static void test_mem_op(void)
{
    Env e;

    env_init(&e);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_MEM_OP_A, 4));
    push(&e, 0);
    push(&e, 0);
    push(&e, 0);
    push(&e, NVC06F_MEM_OP_D_MMU_TLB_INVALIDATE <<
             NVC06F_MEM_OP_D_OPERATION_SHIFT);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_MEM_OP_D, 1));
    push(&e, NVC06F_MEM_OP_D_MEMBAR << NVC06F_MEM_OP_D_OPERATION_SHIFT);
    gp_entry(&e, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    g_assert_cmpuint(e.invalidates, ==, 1);
    env_free(&e);
}

typedef struct BadCase {
    const char *name;
    uint32_t words[4];
    unsigned n;
    NvvbPbdmaError err;
    uint32_t err_mthd;
} BadCase;

static const BadCase bad_cases[] = {
    { "reserved-header", { 6u << 29 }, 1, NVVB_PBDMA_ERR_HEADER, 0 },
    { "grp2-header", { NV_PB_HDR(NV_PB_SEC_OP_GRP2, 0, 0x10, 1), 0 }, 2,
      NVVB_PBDMA_ERR_HEADER, 0 },
    { "old-inc-header", { 0x00040010 }, 1,
      NVVB_PBDMA_ERR_HEADER, 0 },
    { "host-method", { NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, 0x0c, 0) }, 1,
      NVVB_PBDMA_ERR_METHOD, 0x0c },
    { "host-illegal", { NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_ILLEGAL, 0) },
      1, NVVB_PBDMA_ERR_METHOD, NVC06F_ILLEGAL },
    { "ce-method", { NV_PB_HDR(NV_PB_SEC_OP_INC, 4, 0x500, 1), 1 }, 2,
      NVVB_PBDMA_ERR_METHOD, 0x500 },
    { "class", { NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_SET_OBJECT, 1),
                 0xc097 }, 2, NVVB_PBDMA_ERR_CLASS, NVC06F_SET_OBJECT },
    { "sem-reduction", { NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_SEMAPHORED,
                                   NVC06F_SEMAPHORED_OP_REDUCTION) }, 1,
      NVVB_PBDMA_ERR_SEMAPHORE, NVC06F_SEMAPHORED },
    { "ce-block-linear", { NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA,
                                     0x202) }, 1,
      NVVB_PBDMA_ERR_CE_LAUNCH, NVC0B5_LAUNCH_DMA },
    { "ce-physical", { NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA,
                                 0x1386) }, 1,
      NVVB_PBDMA_ERR_CE_LAUNCH, NVC0B5_LAUNCH_DMA },
    { "ce-remap", { NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA,
                              0x786) }, 1,
      NVVB_PBDMA_ERR_CE_LAUNCH, NVC0B5_LAUNCH_DMA },
    { "ce-remap-3-byte", { NV_PB_HDR(NV_PB_SEC_OP_INC, 4,
                                     NVC0B5_SET_REMAP_COMPONENTS, 1),
                           4 | 2 << 16,
                           NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA,
                                     0x786) }, 3,
      NVVB_PBDMA_ERR_CE_LAUNCH, NVC0B5_LAUNCH_DMA },
    { "ce-remap-two-dst", { NV_PB_HDR(NV_PB_SEC_OP_INC, 4,
                                      NVC0B5_SET_REMAP_COMPONENTS, 1),
                            4 | 3 << 16 | 1 << 24,
                            NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA,
                                      0x786) }, 3,
      NVVB_PBDMA_ERR_CE_LAUNCH, NVC0B5_LAUNCH_DMA },
    { "ce-too-many-lines", { NV_PB_HDR(NV_PB_SEC_OP_INC, 4,
                                       NVC0B5_LINE_COUNT, 1),
                             NVVB_CE_LINE_COUNT_MAX + 1,
                             NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4,
                                       NVC0B5_LAUNCH_DMA, 0x386) }, 3,
      NVVB_PBDMA_ERR_CE_LAUNCH, NVC0B5_LAUNCH_DMA },
};

static void test_bad(gconstpointer data)
{
    const BadCase *c = data;
    Env e;
    unsigned i;

    env_init(&e);
    /* A good method first: it must be done, the rest not. */
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    for (i = 0; i < c->n; i++) {
        push(&e, c->words[i]);
    }
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    gp_entry(&e, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, c->err);
    g_assert_cmphex(e.p.err_mthd, ==, c->err_mthd);
    g_assert_cmpuint(e.nonstall, ==, 1);
    g_assert_cmpuint(e.p.gp_get, ==, 0);
    g_assert_cmpstr(nvvb_pbdma_error_name(e.p.error), !=, "?");
    /* The error sticks: nothing more runs. */
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_ERROR);
    g_assert_cmpuint(e.nonstall, ==, 1);
    env_free(&e);
}

/* Copies and releases into unmapped VAs: CE / semaphore faults. */
static void test_faults(void)
{
    Env e;

    env_init(&e);
    push_ttm_move(&e, SRC_VA, HOLE_VA + 0x2000, 2, 1);
    gp_entry(&e, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_CE_FAULT);
    g_assert_true(e.p.err_fault);
    g_assert_false(e.p.err_host);
    g_assert_cmphex(e.p.err_res.fault_va, ==, HOLE_VA + 0x2000);
    g_assert_cmpuint(e.p.err_res.access_type, ==,
                     NV_GMMU_ACCESS_TYPE_VIRT_WRITE);
    g_assert_cmphex(sem_r32(&e, 0), ==, 0);         /* no fence */
    g_assert_cmpuint(e.nonstall, ==, 0);
    env_free(&e);

    env_init(&e);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_SEMAPHOREA, 4));
    push(&e, HOLE_VA >> 32);
    push(&e, (uint32_t)HOLE_VA);
    push(&e, 1);
    push(&e, NVC06F_SEMAPHORED_OP_RELEASE);
    gp_entry(&e, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_SEMAPHORE);
    g_assert_true(e.p.err_fault);
    g_assert_true(e.p.err_host);
    g_assert_cmphex(e.p.err_res.fault_va, ==, HOLE_VA + 8);
    env_free(&e);
}

/* Errors of the ring itself: GP_PUT, entries, segment, configuration. */
static void test_bad_ring(void)
{
    NvvbPbdmaBudget b = { 16, 1024, 1 << 20 };
    Env e;

    env_init(&e);
    g_assert_cmpint(nvvb_pbdma_run(&e.p, &e.env, 512, &b), ==,
                    NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_GP_PUT);
    g_assert_cmphex(e.p.err_data, ==, 512);
    env_free(&e);

    env_init(&e);
    gp_entry_raw(&e, 0, 0, NV_GP_OPCODE_ILLEGAL);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_GP_ENTRY);
    env_free(&e);

    env_init(&e);
    gp_entry_raw(&e, HOLE_VA, 16, 0);
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_PB_FETCH);
    g_assert_true(e.p.err_fault);
    g_assert_cmphex(e.p.err_res.fault_va, ==, HOLE_VA);
    env_free(&e);

    /* A ring whose entries lie in a hole. */
    env_init(&e);
    nvvb_pbdma_reset(&e.p);
    nvvb_pbdma_bind(&e.p, (uint32_t)HOLE_VA, (HOLE_VA >> 32) | (10u << 16),
                    0, 0);
    g_assert_cmpint(nvvb_pbdma_run(&e.p, &e.env, 1, &b), ==,
                    NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_GP_FETCH);
    g_assert_cmphex(e.p.err_res.fault_va, ==, HOLE_VA);
    env_free(&e);

    /* LIMIT2 too large, base unaligned. */
    env_init(&e);
    nvvb_pbdma_reset(&e.p);
    nvvb_pbdma_bind(&e.p, (uint32_t)GP_VA,
                    (NVVB_PBDMA_LIMIT2_MAX + 1) << 16, 0, 0);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_GP_CONFIG);
    nvvb_pbdma_reset(&e.p);
    nvvb_pbdma_bind(&e.p, (uint32_t)GP_VA + 4, 10u << 16, 0, 0);
    g_assert_cmpint(nvvb_pbdma_run(&e.p, &e.env, 0, &b), ==,
                    NVVB_PBDMA_ERROR);
    g_assert_cmpint(e.p.error, ==, NVVB_PBDMA_ERR_GP_CONFIG);
    env_free(&e);
}

/* A full lap of the ring: GP_GET wraps to 0. */
static void test_wrap(void)
{
    Env e;
    unsigned i;
    NvvbPbdmaStatus st;

    env_init(&e);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    gp_entry(&e, 0);
    for (i = 1; i < 600; i++) {
        gp_entry_raw(&e, PB_VA, 1, 0);
        if (i % 100 == 0) {
            st = run(&e);
            g_assert_cmpint(st, ==, NVVB_PBDMA_IDLE);
        }
    }
    g_assert_cmpint(run(&e), ==, NVVB_PBDMA_IDLE);
    g_assert_cmpuint(e.nonstall, ==, 600);
    g_assert_cmpuint(e.p.gp_get, ==, 600 % 512);
    env_free(&e);
}

/*
 * fuzz-pbdma finding: a run given no entries must not finish the entry in
 * flight (its budget wrapped to 2^32 - 1 and the run went on unbounded).
 */
static void test_budget_in_flight(void)
{
    NvvbPbdmaBudget b = { 4, 2, 1ull << 32 };
    Env e;

    env_init(&e);
    push_ttm_move(&e, SRC_VA, DST_VA, 1, 1);
    gp_entry(&e, 0);
    gp_entry_raw(&e, PB_VA, e.npb, 0);
    g_assert_cmpint(nvvb_pbdma_run(&e.p, &e.env, 2, &b), ==,
                    NVVB_PBDMA_BUDGET);
    g_assert_true(e.p.seg_active);
    b = (NvvbPbdmaBudget){ 0, 1u << 20, 1ull << 32 };
    g_assert_cmpint(nvvb_pbdma_run(&e.p, &e.env, 2, &b), ==,
                    NVVB_PBDMA_BUDGET);
    g_assert_cmpuint(b.entries, ==, 0);
    g_assert_cmpuint(b.dwords, ==, 1u << 20);
    g_assert_cmpuint(e.p.gp_get, ==, 0);
    b = (NvvbPbdmaBudget){ 1, 1u << 20, 1ull << 32 };
    g_assert_cmpint(nvvb_pbdma_run(&e.p, &e.env, 2, &b), ==,
                    NVVB_PBDMA_BUDGET);
    g_assert_cmpuint(e.p.gp_get, ==, 1);
    env_free(&e);
}

/*
 * Short lines cost NVVB_PBDMA_LINE_COST each: launches of 1-byte lines
 * stop a run after budget / LINE_COST lines (plus the launch that
 * crossed it), not after budget bytes, i.e. 4096 times as many commands.
 */
static void test_line_cost(void)
{
    NvvbPbdmaBudget b = { 64, 1u << 20, 8 * NVVB_PBDMA_LINE_COST };
    NvvbCeStats cs;
    Env e;
    unsigned i;

    env_init(&e);
    push(&e, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC0B5_OFFSET_IN_UPPER, 8));
    push(&e, SRC_VA >> 32);
    push(&e, (uint32_t)SRC_VA);
    push(&e, DST_VA >> 32);
    push(&e, (uint32_t)DST_VA);
    push(&e, 2);
    push(&e, 3);
    push(&e, 1);                                /* 1-byte lines */
    push(&e, 4);
    for (i = 0; i < 16; i++) {
        push(&e, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA,
                           2 | (1 << 7) | (1 << 8) | (1 << 9)));
    }
    gp_entry(&e, 0);
    g_assert_cmpint(nvvb_pbdma_run(&e.p, &e.env, 1, &b), ==,
                    NVVB_PBDMA_BUDGET);
    g_assert_cmpuint(e.p.stats.launches, ==, 2);
    nvvb_ce_get_stats(e.ce, &cs);
    g_assert_cmpuint(cs.commands, ==, 8);
    env_free(&e);
}

int main(int argc, char **argv)
{
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pbdma/ttm-copy", test_ttm_copy);
    g_test_add_func("/pbdma/pitch-lines", test_pitch_lines);
    g_test_add_func("/pbdma/remap-fill", test_remap_fill);
    g_test_add_func("/pbdma/headers", test_headers);
    g_test_add_func("/pbdma/span-segments", test_span_segments);
    g_test_add_func("/pbdma/budget", test_budget);
    g_test_add_func("/pbdma/acquire", test_acquire);
    g_test_add_func("/pbdma/mem-op", test_mem_op);
    g_test_add_func("/pbdma/faults", test_faults);
    g_test_add_func("/pbdma/bad-ring", test_bad_ring);
    g_test_add_func("/pbdma/wrap", test_wrap);
    g_test_add_func("/pbdma/budget-in-flight", test_budget_in_flight);
    g_test_add_func("/pbdma/line-cost", test_line_cost);
    for (i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        char *path = g_strdup_printf("/pbdma/bad/%s", bad_cases[i].name);

        g_test_add_data_func(path, &bad_cases[i], test_bad);
        g_free(path);
    }
    return g_test_run();
}
