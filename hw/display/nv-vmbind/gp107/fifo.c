/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: PFIFO with one runlist, one PBDMA and the copy engine
 * CE0, as nouveau's gp100 FIFO code drives them (the map is
 * shared/reference/gp107-fifo.md; registers and errors are in
 * docs/specs/nv-vmbind-gp107.rst, "PFIFO and the copy engine").
 *
 * - PTOP lists CE0 on runlist 0; CFG0/CFG1 announce 1 PBDMA and 512
 *   channels;
 * - CCSR binds a channel to its instance block and enables it; a runlist
 *   submit (0x2270/0x2274) names the channels runlist 0 schedules and
 *   completes at once; preempts complete at once and save GP_GET / GET to
 *   RAMFC;
 * - a channel runs when the CPU writes GP_PUT into its USERD through BAR1
 *   (the window 0x2254 names), synchronously in that write, with the
 *   core PBDMA (../core/pbdma.c) in the VM of the instance block's PDB;
 *   a run is bounded, and what is left continues in a bottom half;
 *   GP_GET, GET and REF are written back to USERD after every run;
 * - NON_STALL_INTERRUPT sets PFIFO_INTR_0 bit 31; PBDMA errors set PBDMA
 *   INTR_0 (PFIFO bit 29), GMMU faults the MMU fault registers (bit 28);
 *   PFIFO_INTR_0 & INTR_EN_0 is PMC_INTR_0 bit 8, which drives INTx or
 *   MSI with the PMC leaf-0 enables;
 * - a bound channel blocks migration (its state is not migrated).
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "migration/blocker.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "internal.h"
#include "fifo.h"
#include "../core/gmmu-fault.h"
#include "../trace.h"

/*
 * Work of one pass (one kick, one bottom half, one retry), shared by every
 * channel the pass runs, so a pass is bounded whatever the channel count.
 */
#define FIFO_RUN_ENTRIES        1024
#define FIFO_RUN_DWORDS         (1u << 20)
#define FIFO_RUN_BYTES          (256ull << 20)
/*
 * Blocked acquires are retried after FIFO_RETRY_NS (virtual), twice as
 * long after each retry that found them still blocked, up to
 * FIFO_RETRY_MAX_NS; a kick starts again at the shortest (its releases
 * are what usually satisfies an acquire, and they rerun blocked channels
 * at once anyway).
 */
#define FIFO_RETRY_NS           (100 * 1000)
#define FIFO_RETRY_MAX_NS       (10 * 1000 * 1000)

static NvGp107Fifo *fifo(NvGp107State *s)
{
    return s->fifo;
}

/* ---- Interrupts ---- */

static bool pbdma_pending(NvGp107Fifo *f)
{
    const uint32_t *r = f->pbdma;

    return (r[NV_PPBDMA_INTR_0 / 4] & r[NV_PPBDMA_INTR_EN_0 / 4]) ||
           (r[NV_PPBDMA_INTR_1 / 4] & r[NV_PPBDMA_INTR_EN_1 / 4]);
}

static uint32_t intr0(NvGp107Fifo *f)
{
    return f->intr |
           (f->mmu_fault_id ? NV_PFIFO_INTR_0_MMU_FAULT : 0) |
           (pbdma_pending(f) ? NV_PFIFO_INTR_0_PBDMA_INTR : 0);
}

static uint32_t pmc_intr0(NvGp107State *s)
{
    NvGp107Fifo *f = fifo(s);

    return (intr0(f) & f->intr_en) ? NV_PMC_INTR_PFIFO : 0;
}

static void update_irq(NvGp107State *s)
{
    NvGp107Fifo *f = fifo(s);
    PCIDevice *pdev = PCI_DEVICE(s);
    bool level = pmc_intr0(s) & nv_gp107_pmc_intr_en(s, 0);

    if (level != f->irq_level) {
        trace_nv_gp107_fifo_irq(intr0(f), pmc_intr0(s), level);
    }
    if (msi_enabled(pdev)) {
        if (level && !f->irq_level) {
            msi_notify(pdev, 0);
        }
    } else {
        pci_set_irq(pdev, level);
    }
    f->irq_level = level;
}

/* ---- Memory helpers ---- */

static bool mem_rd32(NvGp107State *s, NvGmmuAperture aper, uint64_t addr,
                     uint32_t *val)
{
    uint32_t le;

    if (!nvvb_gpu_mem_read(&s->gpu_mem, aper, addr, &le, 4)) {
        return false;
    }
    *val = le32_to_cpu(le);
    return true;
}

static void mem_wr32(NvGp107State *s, NvGmmuAperture aper, uint64_t addr,
                     uint32_t val)
{
    uint32_t le = cpu_to_le32(val);

    if (!nvvb_gpu_mem_write(&s->gpu_mem, aper, addr, &le, 4)) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: FIFO write to %s 0x%"
                      PRIx64 " outside memory\n",
                      nv_gmmu_aperture_name(aper), addr);
    }
}

static NvGmmuAperture inst_aperture(uint32_t inst)
{
    return nv_gmmu_target_aperture((inst >> NV_PCCSR_INST_TARGET_SHIFT) & 3);
}

static uint64_t inst_addr(uint32_t inst)
{
    return (uint64_t)(inst & NV_PCCSR_INST_PTR_MASK) << 12;
}

/*
 * x-corrupt-ce: the copy engine's (and PBDMA's) writes land one 4 KiB
 * page off their translation, as a broken translation would put them;
 * x-corrupt-user-ce: only in unprivileged (user) channels, so that the
 * kernel's own moves and fences keep working.
 */
static uint64_t ce_corrupt_addr(uint64_t addr)
{
    return addr ^ 0x1000;
}

static bool ce_corrupt_write(void *opaque, NvGmmuAperture aper, uint64_t addr,
                             const void *buf, size_t len)
{
    return nvvb_gpu_mem_write(opaque, aper, ce_corrupt_addr(addr), buf, len);
}

/*
 * x-corrupt-ce-data: only writes wider than a semaphore word go astray, so
 * fences still signal and the guest's data checks, not a hang, catch it.
 */
static bool ce_corrupt_data_write(void *opaque, NvGmmuAperture aper,
                                  uint64_t addr, const void *buf, size_t len)
{
    return nvvb_gpu_mem_write(opaque, aper,
                              len > 4 ? ce_corrupt_addr(addr) : addr, buf, len);
}

/* ---- Channels ---- */

static void chan_save(NvGp107State *s, NvGp107Chan *ch)
{
    NvGmmuAperture aper = inst_aperture(ch->inst);
    uint64_t inst = inst_addr(ch->inst);

    if (!ch->loaded || aper == NV_GMMU_APER_NONE) {
        return;
    }
    mem_wr32(s, aper, inst + NV_RAMFC_GP_GET, ch->pb.gp_get);
    mem_wr32(s, aper, inst + NV_RAMFC_PB_GET, (uint32_t)ch->pb.pb_get);
    mem_wr32(s, aper, inst + NV_RAMFC_PB_GET_HI, ch->pb.pb_get >> 32);
}

/* Read RAMFC: ring, saved GETs, USERD, and the VM of the instance block. */
static void chan_load(NvGp107State *s, unsigned chid)
{
    NvGp107Chan *ch = &fifo(s)->chan[chid];
    NvGmmuAperture aper = inst_aperture(ch->inst);
    uint64_t inst = inst_addr(ch->inst);
    uint32_t w[9] = { 0 };
    static const unsigned off[9] = {
        NV_RAMFC_USERD, NV_RAMFC_USERD_HI, NV_RAMFC_GP_GET, NV_RAMFC_PB_GET,
        NV_RAMFC_PB_GET_HI, NV_RAMFC_GP_BASE, NV_RAMFC_GP_BASE_HI,
        NV_RAMFC_CHID, NV_RAMFC_HCE_CTRL,
    };
    bool ok = aper != NV_GMMU_APER_NONE;
    unsigned i;

    for (i = 0; ok && i < ARRAY_SIZE(off); i++) {
        ok = mem_rd32(s, aper, inst + off[i], &w[i]);
    }
    nvvb_pbdma_reset(&ch->pb);
    ch->loaded = true;
    ch->blocked = false;
    ch->userd_aper = nv_gmmu_target_aperture(w[0] & 3);
    ch->userd = ((uint64_t)w[1] << 32) | (w[0] & ~0x1ffu);
    ch->priv = w[8] & NV_RAMFC_HCE_CTRL_HCE_PRIV;
    if (!ok || !nv_gmmu_inst_decode(&s->gpu_mem.mem, aper, inst, &ch->pdb)) {
        /* No usable instance block: the channel cannot fetch anything. */
        nvvb_pbdma_bind(&ch->pb, 0, 0x1fu << 16, 0, 0);
        trace_nv_gp107_fifo_chan_load(chid, inst, 0, "none", 0, 0, 0);
        return;
    }
    nvvb_pbdma_bind(&ch->pb, w[5], w[6], w[2],
                    ((uint64_t)(w[4] & 0xff) << 32) | w[3]);
    if (w[7] != chid) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: channel %u: RAMFC CHID %u\n",
                      chid, w[7]);
    }
    trace_nv_gp107_fifo_chan_load(chid, inst, ch->pdb.addr,
                                  nv_gmmu_aperture_name(ch->pdb.aperture),
                                  ch->pb.gp_base, ch->pb.gp_entries,
                                  ch->userd);
}

static bool chan_runnable(NvGp107Fifo *f, NvGp107Chan *ch)
{
    return (ch->inst & NV_PCCSR_INST_BIND) &&
           (ch->ctrl & NV_PCCSR_CHANNEL_ENABLE) && ch->in_runlist &&
           !(f->sched_disable & 1) &&
           !(ch->ctrl & (NV_PCCSR_CHANNEL_PBDMA_FAULTED |
                         NV_PCCSR_CHANNEL_ENG_FAULTED));
}

/* PBDMA INTR_0 bit nouveau's gf100_runq_intr handles for each error. */
static uint32_t error_intr(NvvbPbdmaError err)
{
    switch (err) {
    case NVVB_PBDMA_ERR_GP_PUT:
        return NV_PPBDMA_INTR_0_GPPTR;
    case NVVB_PBDMA_ERR_GP_CONFIG:
        return NV_PPBDMA_INTR_0_GPFIFO;
    case NVVB_PBDMA_ERR_GP_ENTRY:
    case NVVB_PBDMA_ERR_GP_FETCH:
        return NV_PPBDMA_INTR_0_GPENTRY;
    case NVVB_PBDMA_ERR_PB_FETCH:
    case NVVB_PBDMA_ERR_HEADER:
        return NV_PPBDMA_INTR_0_PBENTRY;
    default:
        /* METHOD kills the channel in nouveau, as the model stopped it. */
        return NV_PPBDMA_INTR_0_METHOD;
    }
}

/* The channel stopped with an error: tell the driver as nouveau expects. */
static void chan_report(NvGp107State *s, unsigned chid)
{
    NvGp107Fifo *f = fifo(s);
    NvGp107Chan *ch = &f->chan[chid];
    NvvbPbdma *p = &ch->pb;

    trace_nv_gp107_fifo_error(chid, nvvb_pbdma_error_name(p->error),
                              p->err_mthd, p->err_data, p->err_fault,
                              p->err_res.fault_va);
    qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: channel %u stopped: %s "
                  "(method 0x%x data 0x%x, GP entry %u)\n", chid,
                  nvvb_pbdma_error_name(p->error), p->err_mthd, p->err_data,
                  p->err_gp);
    if (p->err_fault) {
        unsigned unit = p->err_host ? NV_GP107_FAULT_UNIT_HOST0
                                    : NV_GP107_FAULT_UNIT_CE0;
        unsigned client = p->err_host ? NV_GP107_FAULT_CLIENT_HOST
                                      : NV_GP107_FAULT_CLIENT_CE0;
        uint64_t va = p->err_res.fault_va & ~0xfffull;

        f->mmu_fault[unit][0] = ch->inst & NV_PCCSR_INST_PTR_MASK;
        f->mmu_fault[unit][1] = (uint32_t)va;
        f->mmu_fault[unit][2] = va >> 32;
        f->mmu_fault[unit][3] = p->err_res.fault_type |
            client << NV_PFIFO_MMU_FAULT_INFO_CLIENT_SHIFT |
            (uint32_t)p->err_res.access_type <<
            NV_PFIFO_MMU_FAULT_INFO_ACCESS_SHIFT |
            NV_PFIFO_MMU_FAULT_INFO_HUB;
        f->mmu_fault_id |= 1u << unit;
        ch->ctrl |= p->err_host ? NV_PCCSR_CHANNEL_PBDMA_FAULTED
                                : NV_PCCSR_CHANNEL_ENG_FAULTED;
    } else {
        f->pbdma[NV_PPBDMA_INTR_0 / 4] |= error_intr(p->error);
        f->pbdma[NV_PPBDMA_METHOD0 / 4] = (uint32_t)p->err_subc << 16 |
                                          (p->err_mthd & 0x3ffc);
        f->pbdma[NV_PPBDMA_DATA0 / 4] = p->err_data;
        f->pbdma[NV_PPBDMA_CHANNEL / 4] = chid;
        ch->ctrl |= NV_PCCSR_CHANNEL_PBDMA_FAULTED;
    }
    update_irq(s);
}

typedef struct RunCtx {
    NvGp107State *s;
    unsigned chid;
    bool corrupt;               /* x-corrupt-ce / x-corrupt-user-ce apply */
    bool corrupt_data;          /* x-corrupt-ce-data applies */
} RunCtx;

static uint64_t env_timestamp(void *opaque)
{
    return nv_gp107_ptimer_now(((RunCtx *)opaque)->s);
}

static void env_nonstall(void *opaque)
{
    RunCtx *r = opaque;

    trace_nv_gp107_fifo_nonstall(r->chid);
    fifo(r->s)->intr |= NV_PFIFO_INTR_0_CHANNEL_INTR;
    update_irq(r->s);
}

static void env_tlb_invalidate(void *opaque)
{
    nv_gmmu_tlb_flush_all(((RunCtx *)opaque)->s->tlb);
}

static void env_method(void *opaque, unsigned subc, uint32_t mthd,
                       uint32_t data)
{
    trace_nv_gp107_fifo_method(((RunCtx *)opaque)->chid, subc, mthd, data);
}

static void env_launch(void *opaque, const NvvbCeClass *c, uint32_t launch,
                       const NvvbCeLaunchResult *res)
{
    RunCtx *r = opaque;

    trace_nv_gp107_fifo_ce_launch(r->chid,
                                  fifo(r->s)->chan[r->chid].pdb.addr,
                                  c->offset_in, c->offset_out,
                                  c->line_length, c->line_count, launch,
                                  res->bytes, res->semaphore);
}

/* The copy engine's observer: record where each piece's bytes went. */
static void env_access(void *opaque, uint64_t va, NvGmmuAperture aper,
                       uint64_t pa, uint64_t len, bool write)
{
    RunCtx *r = opaque;
    NvGp107Fifo *f = fifo(r->s);
    NvGp107CeRec *rec = &f->ce_log[f->ce_log_seq++ % NV_GP107_CE_LOG_SIZE];
    const NvGmmuPdb *pdb = &f->chan[r->chid].pdb;

    rec->chid = r->chid;
    rec->pdb_aper = pdb->aperture;
    rec->pdb = pdb->addr;
    rec->va = va;
    rec->aper = aper;
    /* Where the bytes really go: the corruption modes move writes. */
    rec->pa = write && (r->corrupt || (r->corrupt_data && len > 4))
              ? ce_corrupt_addr(pa) : pa;
    rec->len = len;
    rec->write = write;
}

const NvGp107CeRec *nv_gp107_fifo_ce_log(NvGp107State *s, uint64_t seq)
{
    NvGp107Fifo *f = fifo(s);

    if (seq >= f->ce_log_seq ||
        f->ce_log_seq - seq > NV_GP107_CE_LOG_SIZE) {
        return NULL;
    }
    return &f->ce_log[seq % NV_GP107_CE_LOG_SIZE];
}

static const char *const status_name[] = {
    [NVVB_PBDMA_IDLE] = "idle",
    [NVVB_PBDMA_BUDGET] = "budget",
    [NVVB_PBDMA_BLOCKED] = "blocked",
    [NVVB_PBDMA_ERROR] = "error",
};

static void pass_budget(NvvbPbdmaBudget *b)
{
    *b = (NvvbPbdmaBudget) { FIFO_RUN_ENTRIES, FIFO_RUN_DWORDS,
                             FIFO_RUN_BYTES };
}

/*
 * Run channel @chid if it can run, within what is left of @budget; returns
 * true if it has work left.  Out of budget, the bottom half goes on with
 * the next channel first.
 */
static bool chan_run(NvGp107State *s, unsigned chid, NvvbPbdmaBudget *budget)
{
    NvGp107Fifo *f = fifo(s);
    NvGp107Chan *ch = &f->chan[chid];
    NvGmmuMem ce_mem = s->gpu_mem.mem;
    RunCtx rc = { s, chid };
    NvvbCeObserver obs = { env_access, &rc };
    NvvbPbdmaEnv env = {
        .ce = f->ce,
        .ctx = { &s->gpu_mem.mem, &ch->pdb, s->tlb, true },
        .timestamp = env_timestamp,
        .nonstall = env_nonstall,
        .tlb_invalidate = env_tlb_invalidate,
        .method = env_method,
        .launch = env_launch,
        .opaque = &rc,
    };
    NvvbPbdmaStatus st;
    uint32_t gp_put = 0;

    if (f->busy || !chan_runnable(f, ch)) {
        return false;
    }
    if (!ch->loaded) {
        chan_load(s, chid);
    }
    if (!ch->priv) {
        env.ctx.observe = &obs;         /* user channels are recorded */
    }
    rc.corrupt = s->corrupt_ce || (s->corrupt_user_ce && !ch->priv);
    rc.corrupt_data = s->corrupt_ce_data;
    if (rc.corrupt || rc.corrupt_data) {
        /* opaque: &s->gpu_mem */
        ce_mem.write = rc.corrupt ? ce_corrupt_write : ce_corrupt_data_write;
        env.ctx.mem = &ce_mem;
    }
    if (!ch->pb.error &&
        !mem_rd32(s, ch->userd_aper, ch->userd + NV_USERD_GP_PUT, &gp_put)) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: channel %u: USERD 0x%"
                      PRIx64 " unreadable\n", chid, ch->userd);
        return false;
    }
    f->busy = true;
    f->runs++;
    st = nvvb_pbdma_run(&ch->pb, &env, gp_put, budget);
    f->busy = false;
    trace_nv_gp107_fifo_chan_run(chid, ch->pb.gp_get, gp_put,
                                 status_name[st]);

    /* What the driver polls: GP_GET, GET (and the top-level copy), REF. */
    mem_wr32(s, ch->userd_aper, ch->userd + NV_USERD_GP_GET, ch->pb.gp_get);
    mem_wr32(s, ch->userd_aper, ch->userd + NV_USERD_GET,
             (uint32_t)ch->pb.pb_get);
    mem_wr32(s, ch->userd_aper, ch->userd + NV_USERD_GET_HI,
             ch->pb.pb_get >> 32);
    mem_wr32(s, ch->userd_aper, ch->userd + NV_USERD_TOP_LEVEL_GET,
             (uint32_t)ch->pb.pb_get);
    mem_wr32(s, ch->userd_aper, ch->userd + NV_USERD_TOP_LEVEL_GET_HI,
             ch->pb.pb_get >> 32);
    if (ch->pb.reference_set) {
        mem_wr32(s, ch->userd_aper, ch->userd + NV_USERD_REF,
                 ch->pb.reference);
    }

    ch->blocked = st == NVVB_PBDMA_BLOCKED;
    switch (st) {
    case NVVB_PBDMA_BUDGET:
        f->next_chan = (chid + 1) % NV_GP107_CHANNELS;
        qemu_bh_schedule(f->bh);
        return true;
    case NVVB_PBDMA_BLOCKED:
        timer_mod(f->retry, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                  f->retry_ns);
        return true;
    case NVVB_PBDMA_ERROR:
        chan_report(s, chid);
        return false;
    case NVVB_PBDMA_IDLE:
        break;
    }
    return false;
}

static bool budget_left(const NvvbPbdmaBudget *b)
{
    return b->entries && b->dwords && b->bytes;
}

/*
 * Run every runnable channel once, round robin from where the last pass
 * ran out of budget, all within @budget.
 */
static void run_all(NvGp107State *s, bool only_blocked,
                    NvvbPbdmaBudget *budget)
{
    NvGp107Fifo *f = fifo(s);
    unsigned i, c, first = f->next_chan;

    for (i = 0; i < NV_GP107_CHANNELS && budget_left(budget); i++) {
        c = (first + i) % NV_GP107_CHANNELS;
        if (f->chan[c].in_runlist && (!only_blocked || f->chan[c].blocked)) {
            chan_run(s, c, budget);
        }
    }
    if (!budget_left(budget)) {
        qemu_bh_schedule(f->bh);
    }
}

/* A pass with a budget of its own. */
static void run_pass(NvGp107State *s, bool only_blocked)
{
    NvvbPbdmaBudget budget;

    pass_budget(&budget);
    run_all(s, only_blocked, &budget);
}

static void fifo_bh(void *opaque)
{
    run_pass(opaque, false);
}

static void fifo_retry(void *opaque)
{
    NvGp107Fifo *f = fifo(opaque);

    f->retry_ns = MIN(f->retry_ns * 2, FIFO_RETRY_MAX_NS);
    run_pass(opaque, true);
}

static void chan_kick(NvGp107State *s, unsigned chid)
{
    NvGp107Fifo *f = fifo(s);
    NvvbPbdmaBudget budget;
    bool any_blocked = false;
    unsigned c;

    f->kicks++;
    f->retry_ns = FIFO_RETRY_NS;
    trace_nv_gp107_fifo_kick(chid);
    pass_budget(&budget);
    chan_run(s, chid, &budget);
    /* Its releases may satisfy another channel's acquire. */
    for (c = 0; c < NV_GP107_CHANNELS; c++) {
        any_blocked |= f->chan[c].blocked && c != chid;
    }
    if (any_blocked) {
        run_all(s, true, &budget);
    }
}

static void blocker_update(NvGp107State *s)
{
    NvGp107Fifo *f = fifo(s);
    Error *err = NULL;

    if (f->nbound && !f->blocker) {
        error_setg(&f->blocker, "nv-vmbind-gp107: a FIFO channel is bound "
                   "(channel state is not migrated)");
        if (migrate_add_blocker(&f->blocker, &err) < 0) {
            /* Migration already running: it goes on without the state. */
            warn_report_err(err);
        }
    } else if (!f->nbound && f->blocker) {
        migrate_del_blocker(&f->blocker);
    }
}

static void chan_unbind(NvGp107State *s, NvGp107Chan *ch)
{
    nvvb_pbdma_reset(&ch->pb);
    ch->loaded = false;
    ch->blocked = false;
    ch->ctrl = 0;
}

static void ccsr_write(NvGp107State *s, unsigned chid, bool ctrl,
                       uint32_t val)
{
    NvGp107Fifo *f = fifo(s);
    NvGp107Chan *ch = &f->chan[chid];

    if (!ctrl) {
        bool was = ch->inst & NV_PCCSR_INST_BIND;
        bool now = val & NV_PCCSR_INST_BIND;

        trace_nv_gp107_fifo_chan_bind(chid, val);
        if (was) {
            chan_save(s, ch);
            chan_unbind(s, ch);
        }
        ch->inst = val;
        f->nbound += now - was;
        blocker_update(s);
        return;
    }
    if (val & NV_PCCSR_CHANNEL_ENABLE_CLR) {
        ch->ctrl &= ~NV_PCCSR_CHANNEL_ENABLE;
    }
    ch->ctrl &= ~(val & (NV_PCCSR_CHANNEL_PBDMA_FAULTED |
                         NV_PCCSR_CHANNEL_ENG_FAULTED));
    if (val & NV_PCCSR_CHANNEL_ENABLE_SET) {
        NvvbPbdmaBudget budget;

        ch->ctrl |= NV_PCCSR_CHANNEL_ENABLE;
        pass_budget(&budget);
        chan_run(s, chid, &budget);
    }
}

/* ---- Runlist and preempt ---- */

static void runlist_submit(NvGp107State *s, uint32_t val)
{
    NvGp107Fifo *f = fifo(s);
    unsigned id = (val >> NV_PFIFO_RUNLIST_ID_SHIFT) & 0xf;
    unsigned len = val & NV_PFIFO_RUNLIST_LEN_MASK;
    NvGmmuAperture aper = inst_aperture(f->runlist_base);
    uint64_t base = inst_addr(f->runlist_base);
    g_autofree uint32_t *e = NULL;
    uint32_t tsg = UINT32_MAX;
    unsigned i, c;

    f->runlist = val;
    trace_nv_gp107_fifo_runlist(id, nv_gmmu_aperture_name(aper), base, len);
    if (id != 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: runlist %u does not exist\n",
                      id);
        return;
    }
    if (len > NV_GP107_RUNLIST_MAX_ENTRIES) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: runlist of %u entries "
                      "(at most %u): the first are used\n", len,
                      NV_GP107_RUNLIST_MAX_ENTRIES);
        len = NV_GP107_RUNLIST_MAX_ENTRIES;
    }
    e = g_new0(uint32_t, 2 * len + 2);
    if (len && !nvvb_gpu_mem_read(&s->gpu_mem, aper, base, e, 8ull * len)) {
        qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: runlist at %s 0x%" PRIx64
                      " unreadable\n", nv_gmmu_aperture_name(aper), base);
        len = 0;
    }
    for (c = 0; c < NV_GP107_CHANNELS; c++) {
        f->chan[c].in_runlist = false;
    }
    for (i = 0; i < len; i++) {
        uint32_t w0 = le32_to_cpu(e[2 * i]);

        if (w0 & (1u << 13)) {          /* TSG header */
            tsg = w0 & 0xfff;
            continue;
        }
        c = w0 & 0xfff;
        if (c >= NV_GP107_CHANNELS) {
            qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: runlist entry %u: "
                          "channel %u does not exist\n", i, c);
            continue;
        }
        f->chan[c].in_runlist = true;
        f->chan[c].tsg = tsg;
    }
    f->runlist_len = len;
    run_pass(s, false);
}

static void preempt(NvGp107State *s, uint32_t val)
{
    NvGp107Fifo *f = fifo(s);
    uint32_t id = val & NV_PFIFO_PREEMPT_ID_MASK;
    bool tsg = val & NV_PFIFO_PREEMPT_TYPE_TSG;
    unsigned c;

    trace_nv_gp107_fifo_preempt(val);
    f->preempt = val & ~NV_PFIFO_PREEMPT_PENDING;
    /* Runs are synchronous: only the GETs need saving. */
    for (c = 0; c < NV_GP107_CHANNELS; c++) {
        if (tsg ? (f->chan[c].in_runlist && f->chan[c].tsg == id) : c == id) {
            chan_save(s, &f->chan[c]);
        }
    }
}

/* ---- BAR0 ---- */

static bool pbdma_read(NvGp107Fifo *f, uint32_t off, uint64_t *val)
{
    *val = off < sizeof(f->pbdma) ? f->pbdma[off / 4] : 0;
    return true;
}

static void pbdma_write(NvGp107State *s, uint32_t off, uint32_t val)
{
    NvGp107Fifo *f = fifo(s);

    if (off >= sizeof(f->pbdma)) {
        return;
    }
    if (off == NV_PPBDMA_INTR_0 || off == NV_PPBDMA_INTR_1) {
        f->pbdma[off / 4] &= ~val;
    } else {
        f->pbdma[off / 4] = val;
    }
}

/* The FIFO's register arrays, decoded once for reads and for writes. */
typedef enum {
    FIFO_REGS,              /* none: one of the single registers */
    FIFO_CCSR,              /* *idx: channel; addr & 4: CTRL, else INST */
    FIFO_PBDMA,             /* *idx: offset in PBDMA 0 */
    FIFO_PTOP,              /* *idx: DEVICE_INFO entry (read-only) */
    FIFO_FAULT_INST,        /* *idx: word of the fault units (read-only) */
    FIFO_TRIGGER_FAULT,     /* *idx: engine */
    FIFO_IDLE,              /* engine/PBDMA status, CE interrupts: 0 */
} FifoRange;

static FifoRange fifo_range(uint32_t addr, unsigned *idx)
{
    if (addr >= NV_PCCSR_CHANNEL_INST(0) &&
        addr < NV_PCCSR_CHANNEL_INST(NV_GP107_CHANNELS)) {
        *idx = (addr - NV_PCCSR_CHANNEL_INST(0)) / 8;
        return FIFO_CCSR;
    }
    if (addr >= NV_PPBDMA_BASE(0) && addr < NV_PPBDMA_BASE(1)) {
        *idx = addr - NV_PPBDMA_BASE(0);
        return FIFO_PBDMA;
    }
    if (addr >= NV_PTOP_DEVICE_INFO(0) && addr < NV_PTOP_DEVICE_INFO(64)) {
        *idx = (addr - NV_PTOP_DEVICE_INFO(0)) / 4;
        return FIFO_PTOP;
    }
    if (addr >= NV_PFIFO_MMU_FAULT_INST(0) &&
        addr < NV_PFIFO_MMU_FAULT_INST(NV_GP107_FAULT_UNITS)) {
        *idx = (addr - NV_PFIFO_MMU_FAULT_INST(0)) / 4;
        return FIFO_FAULT_INST;
    }
    if (addr >= NV_PFIFO_TRIGGER_MMU_FAULT(0) &&
        addr < NV_PFIFO_TRIGGER_MMU_FAULT(16)) {
        *idx = (addr - NV_PFIFO_TRIGGER_MMU_FAULT(0)) / 4;
        return FIFO_TRIGGER_FAULT;
    }
    if ((addr >= NV_PFIFO_ENGINE_STATUS(0) &&
         addr < NV_PFIFO_ENGINE_STATUS(16)) ||
        (addr >= NV_PFIFO_PBDMA_STATUS(0) && addr < NV_PFIFO_PBDMA_STATUS(4)) ||
        (addr >= NV_PCE_INTR_EN(0) && addr < NV_PCE_INTR_EN(0) + 0x80)) {
        return FIFO_IDLE;
    }
    return FIFO_REGS;
}

bool nv_gp107_fifo_read(NvGp107State *s, uint32_t addr, unsigned size,
                        uint64_t *val)
{
    NvGp107Fifo *f = fifo(s);
    unsigned i;
    uint32_t v;

    if (size != 4 || (addr & 3)) {
        return false;
    }
    switch (fifo_range(addr, &i)) {
    case FIFO_CCSR:
        /* SET/CLR are triggers and read 0 (nouveau read-modify-writes). */
        *val = (addr & 4) ? f->chan[i].ctrl : f->chan[i].inst;
        return true;
    case FIFO_PBDMA:
        return pbdma_read(f, i, val);
    case FIFO_PTOP: {
        static const uint32_t top[] = {
            NV_GP107_TOP_CE0_ENUM, NV_GP107_TOP_CE0_DATA,
            NV_GP107_TOP_CE0_TYPE, NV_GP107_TOP_GR_ENUM,
            NV_GP107_TOP_GR_DATA, NV_GP107_TOP_GR_TYPE,
        };

        *val = i < ARRAY_SIZE(top) ? top[i] : 0;
        return true;
    }
    case FIFO_FAULT_INST:
        *val = f->mmu_fault[i / 4][i % 4];
        return true;
    case FIFO_TRIGGER_FAULT:
        *val = f->trigger_fault[i];
        return true;
    case FIFO_IDLE:
        *val = 0;                       /* idle, no CE errors */
        return true;
    case FIFO_REGS:
        break;
    }
    switch (addr) {
    case NV_PMC_INTR(0):
        v = pmc_intr0(s);
        break;
    case NV_PMC_ENABLE_PB:
        v = f->pmc_enable_pb;
        break;
    case NV_PFIFO_CFG0:
        v = 1;
        break;
    case NV_PFIFO_CFG1:
        v = NV_GP107_CHANNELS;
        break;
    case NV_PFIFO_INTR_0:
        v = intr0(f);
        break;
    case NV_PFIFO_INTR_EN_0:
        v = f->intr_en;
        break;
    case NV_PFIFO_BAR1_BASE:
        v = f->bar1_base;
        break;
    case NV_PFIFO_RUNLIST_BASE:
        v = f->runlist_base;
        break;
    case NV_PFIFO_RUNLIST:
        v = f->runlist;
        break;
    case NV_PFIFO_ENG_RUNLIST(0):
        v = f->runlist_len;             /* never PENDING */
        break;
    case NV_PFIFO_PBDMA_MAP(0):
        v = 1;                          /* PBDMA 0 serves runlist 0 */
        break;
    case NV_PFIFO_INTR_EN_1:
    case NV_PFIFO_INTR_BIND_ERROR:
    case NV_PFIFO_INTR_SCHED_ERROR:
        v = 0;
        break;
    case NV_PFIFO_INTR_CHSW_ERROR:
        v = f->chsw_error;
        break;
    case NV_PFIFO_INTR_MMU_FAULT_ID:
        v = f->mmu_fault_id;
        break;
    case NV_PFIFO_INTR_PBDMA_ID:
        v = pbdma_pending(f) ? 1 : 0;
        break;
    case NV_PFIFO_ERROR_SCHED_DISABLE:
        v = f->error_sched_disable;
        break;
    case NV_PFIFO_SCHED_DISABLE:
        v = f->sched_disable;
        break;
    case NV_PFIFO_PREEMPT:
        v = f->preempt;                 /* never PENDING */
        break;
    case NV_PFIFO_RUNLIST_INTR:
        v = f->runlist_intr;
        break;
    case NV_PFIFO_FB_TIMEOUT:
        v = f->fb_timeout;
        break;
    default:
        return false;
    }
    *val = v;
    return true;
}

bool nv_gp107_fifo_write(NvGp107State *s, uint32_t addr, uint64_t val64,
                         unsigned size)
{
    NvGp107Fifo *f = fifo(s);
    uint32_t val = val64;
    unsigned i;

    if (size != 4 || (addr & 3)) {
        return false;
    }
    switch (fifo_range(addr, &i)) {
    case FIFO_CCSR:
        ccsr_write(s, i, addr & 4, val);
        return true;
    case FIFO_PBDMA:
        pbdma_write(s, i, val);
        return true;
    case FIFO_PTOP:
    case FIFO_FAULT_INST:
    case FIFO_IDLE:
        return true;                    /* read-only, or not modelled */
    case FIFO_TRIGGER_FAULT:
        /* ENABLE (bit 8) would inject a fault: not modelled, reads 0. */
        f->trigger_fault[i] = val & ~(1u << 8);
        return true;
    case FIFO_REGS:
        break;
    }
    switch (addr) {
    case NV_PMC_ENABLE_PB:
        f->pmc_enable_pb = val;
        break;
    case NV_PFIFO_INTR_0:
        /* W1C; bits 28-30 are derived (cleared at their source). */
        f->intr &= ~(val & ~(NV_PFIFO_INTR_0_MMU_FAULT |
                             NV_PFIFO_INTR_0_PBDMA_INTR |
                             NV_PFIFO_INTR_0_RUNLIST_EVENT));
        break;
    case NV_PFIFO_INTR_EN_0:
        f->intr_en = val;
        break;
    case NV_PFIFO_BAR1_BASE:
        f->bar1_base = val;
        if ((val & NV_PFIFO_BAR1_BASE_VALID) &&
            (val & NV_PFIFO_BAR1_BASE_PTR_MASK)) {
            /* nvkm_uchan_map assumes the window at BAR1 VA 0 (map 2.3). */
            qemu_log_mask(LOG_GUEST_ERROR, "nv-gp107: USERD window at BAR1 "
                          "0x%" PRIx64 ", not 0\n",
                          (uint64_t)(val & NV_PFIFO_BAR1_BASE_PTR_MASK) << 12);
        }
        break;
    case NV_PFIFO_RUNLIST_BASE:
        f->runlist_base = val;
        break;
    case NV_PFIFO_RUNLIST:
        runlist_submit(s, val);
        break;
    case NV_PFIFO_INTR_CHSW_ERROR:
        f->chsw_error = val;
        break;
    case NV_PFIFO_INTR_MMU_FAULT_ID:
        f->mmu_fault_id &= ~val;
        break;
    case NV_PFIFO_INTR_PBDMA_ID:
    case NV_PFIFO_INTR_EN_1:
        break;                          /* derived / not used */
    case NV_PFIFO_ERROR_SCHED_DISABLE:
        f->error_sched_disable &= ~val;
        break;
    case NV_PFIFO_SCHED_DISABLE: {
        bool unblocked = (f->sched_disable & 1) && !(val & 1);

        f->sched_disable = val;
        if (unblocked) {
            run_pass(s, false);
        }
        break;
    }
    case NV_PFIFO_PREEMPT:
        preempt(s, val);
        break;
    case NV_PFIFO_RUNLIST_INTR:
        f->runlist_intr &= ~val;
        break;
    case NV_PFIFO_FB_TIMEOUT:
        f->fb_timeout = val;
        break;
    default:
        return false;
    }
    return true;
}

void nv_gp107_fifo_bar0_written(NvGp107State *s, uint32_t addr, uint64_t val)
{
    NvGp107Fifo *f = fifo(s);

    if (addr == NV_PMC_ENABLE) {
        bool on = val & NV_PMC_ENABLE_PFIFO;

        /* Taking PFIFO out of reset starts it empty (map 1.4 B). */
        if (on && !f->pmc_fifo_enabled) {
            nv_gp107_fifo_reset(s);
        }
        f->pmc_fifo_enabled = on;
    }
    if (addr == NV_XVE_MSI_REARM && f->irq_level &&
        msi_enabled(PCI_DEVICE(s))) {
        /* gp100_pci_msi_rearm: still pending, so send another message. */
        msi_notify(PCI_DEVICE(s), 0);
    }
    update_irq(s);
}

void nv_gp107_fifo_bar1_written(NvGp107State *s, uint64_t va, unsigned size)
{
    NvGp107Fifo *f = fifo(s);
    uint64_t base, off;

    if (!(f->bar1_base & NV_PFIFO_BAR1_BASE_VALID)) {
        return;
    }
    base = (uint64_t)(f->bar1_base & NV_PFIFO_BAR1_BASE_PTR_MASK) << 12;
    if (va < base || va - base >= NV_GP107_CHANNELS * NV_USERD_SIZE) {
        return;
    }
    off = (va - base) % NV_USERD_SIZE;
    if (off + size <= NV_USERD_GP_PUT || off >= NV_USERD_GP_PUT + 4) {
        return;
    }
    chan_kick(s, (va - base) / NV_USERD_SIZE);
}

/* ---- Life cycle ---- */

void nv_gp107_fifo_reset(NvGp107State *s)
{
    NvGp107Fifo *f = fifo(s);
    unsigned c;

    for (c = 0; c < NV_GP107_CHANNELS; c++) {
        memset(&f->chan[c], 0, sizeof(f->chan[c]));
        nvvb_pbdma_reset(&f->chan[c].pb);
    }
    f->intr = f->intr_en = f->bar1_base = 0;
    f->runlist_base = f->runlist = f->runlist_len = 0;
    f->sched_disable = f->error_sched_disable = f->preempt = 0;
    f->chsw_error = f->runlist_intr = f->fb_timeout = 0;
    f->pmc_enable_pb = f->mmu_fault_id = 0;
    f->next_chan = 0;
    f->retry_ns = FIFO_RETRY_NS;
    memset(f->mmu_fault, 0, sizeof(f->mmu_fault));
    memset(f->pbdma, 0, sizeof(f->pbdma));
    memset(f->trigger_fault, 0, sizeof(f->trigger_fault));
    f->nbound = 0;
    f->ce_log_seq = 0;
    f->pmc_fifo_enabled = true;
    blocker_update(s);
    timer_del(f->retry);
    update_irq(s);
}

void nv_gp107_fifo_realize(NvGp107State *s)
{
    NvGp107Fifo *f = g_new0(NvGp107Fifo, 1);

    s->fifo = f;
    f->ce = nvvb_ce_new();
    f->bh = qemu_bh_new_guarded(fifo_bh, s,
                                &DEVICE(s)->mem_reentrancy_guard);
    f->retry = timer_new_ns(QEMU_CLOCK_VIRTUAL, fifo_retry, s);
    f->retry_ns = FIFO_RETRY_NS;
    f->pmc_fifo_enabled = true;
}

void nv_gp107_fifo_unrealize(NvGp107State *s)
{
    NvGp107Fifo *f = fifo(s);

    if (!f) {
        return;
    }
    f->nbound = 0;
    blocker_update(s);
    qemu_bh_delete(f->bh);
    timer_free(f->retry);
    nvvb_ce_free(f->ce);
    g_free(f);
    s->fifo = NULL;
}
