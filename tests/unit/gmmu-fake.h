/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers for the GMMU core: an in-memory VRAM + sysmem behind an
 * NvGmmuMem accessor (with read counting and failure injection) and a tiny
 * page-table builder that uses the nv-gmmu-ver2.h encoders.
 */
#ifndef NVVB_TESTS_GMMU_FAKE_H
#define NVVB_TESTS_GMMU_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmmu-walk.h"

typedef struct FakeMem {
    uint8_t *vram;
    uint64_t vram_size;
    uint8_t *sys;
    uint64_t sys_size;
    uint64_t vram_next;         /* bump allocator */
    uint64_t sys_next;
    unsigned reads;             /* accessor calls */
    unsigned peer_reads;        /* calls with the PEER aperture (a bug) */
    int fail_after;             /* >= 0: fail every read after this many */
    unsigned host_ptrs;         /* pointers fake_host_ptr() handed out */
    uint64_t host_written;      /* bytes reported by fake_host_written() */
    NvGmmuMem mem;
} FakeMem;

void fake_init(FakeMem *fm, uint64_t vram_size, uint64_t sys_size);
void fake_free(FakeMem *fm);
/*
 * Direct access for the copy engine (NvvbCeHost, opaque = the FakeMem): a
 * pointer into VRAM or sysmem, NULL wherever the accessor would fail and
 * whenever failure injection (fail_after) is on, so the accessor decides.
 */
void *fake_host_ptr(void *opaque, NvGmmuAperture aper, uint64_t addr,
                    uint64_t len, bool write);
void fake_host_written(void *opaque, NvGmmuAperture aper, uint64_t addr,
                       uint64_t len);
/* Zeroed, @align-aligned block; aborts the test if out of space. */
uint64_t fake_alloc(FakeMem *fm, NvGmmuAperture aper, uint64_t size,
                    uint64_t align);
void fake_w64(FakeMem *fm, NvGmmuAperture aper, uint64_t addr, uint64_t v);
void fake_w32(FakeMem *fm, NvGmmuAperture aper, uint64_t addr, uint32_t v);
uint64_t fake_r64(FakeMem *fm, NvGmmuAperture aper, uint64_t addr);
void fake_wpd0(FakeMem *fm, NvGmmuAperture aper, uint64_t addr, NvGmmuPd0 e);

/* A VA space built top-down; new tables go to @table_aper. */
typedef struct FakeVm {
    FakeMem *fm;
    NvGmmuAperture table_aper;
    NvGmmuPdb pdb;
} FakeVm;

void fake_vm_init(FakeVm *vm, FakeMem *fm, NvGmmuAperture table_aper);
/* Address of the entry for @va at @level (PD3..PT_SMALL), creating the
 * tables above it (PD0 gets a big and/or small PT as @level needs). */
uint64_t fake_vm_entry(FakeVm *vm, uint64_t va, NvGmmuLevel level);
/* Map one page: @shift 12 (small PT), 16 (big PT) or 21 (PD0 PTE). */
void fake_vm_map(FakeVm *vm, uint64_t va, unsigned shift, uint64_t pte);
/* Write a raw entry at @level for @va (PD0: lo only, hi kept). */
void fake_vm_set(FakeVm *vm, uint64_t va, NvGmmuLevel level, uint64_t v);

#endif /* NVVB_TESTS_GMMU_FAKE_H */
