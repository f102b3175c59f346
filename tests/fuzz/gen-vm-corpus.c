/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Write the seed corpus of fuzz-vm (tests/fuzz/corpus/vm/): op streams
 * (format in fuzz-vm.c) that do what a driver and an attacker do -- create
 * VMs and BOs, map, unmap, make and tear down sparse regions, move BOs
 * between VRAM and system memory -- including the issue-14 sequences
 * (scatter extents at and beyond 2^58, moves of unmapped BOs, cross-VM
 * moves) and every refusal the core has (bad flags, ranges, extents,
 * kernel range, a full pool, the work limit).
 *
 *   gen-vm-corpus DIR
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "seed.h"
#include "hw/display/nv-vmbind-regs.h"

enum { VM_CREATE, VM_DESTROY, BO_CREATE, BO_DESTROY, MAP, UNMAP, BO_MOVE,
       POOL };

/* Header bits (fuzz-vm.c). */
#define POOL_512K   0
#define POOL_128K   1
#define POOL_32K    2
#define POOL_12K    3
#define WORK_64     (2 << 2)

/* Backing bits. */
#define B_SYS       1
#define B_BADPL     2
#define B_SUM       4

#define K4          0x1000ull
#define M2          0x200000ull
#define SYS_PTE_LIMIT (1ull << 58)

/* An addr/len field: the shortest mode that holds @v exactly. */
static void addr(Seed *s, uint64_t v)
{
    static const unsigned shift[] = { 21, 16, 12 };
    unsigned i;

    for (i = 0; i < 3; i++) {
        uint64_t m = (1ull << shift[i]) - 1;

        if (!(v & m) && (v >> shift[i]) <= 0xffff) {
            put(s, 2 - i, 1);
            put(s, v >> shift[i], 2);
            return;
        }
    }
    put(s, 3, 1);
    put(s, v, 8);
}

static Seed *seed(unsigned hdr)
{
    Seed *s = g_byte_array_new();

    put(s, hdr, 1);
    return s;
}

static void vm_create(Seed *s, unsigned vm, uint64_t kstart, uint64_t krange)
{
    put(s, VM_CREATE, 1);
    put(s, vm, 1);
    addr(s, kstart);
    addr(s, krange);
}

static void vm_destroy(Seed *s, unsigned vm)
{
    put(s, VM_DESTROY, 1);
    put(s, vm, 1);
}

static void vram_backing(Seed *s, uint64_t size, uint64_t at)
{
    put(s, 0, 1);
    addr(s, size);
    addr(s, at);
}

/* @n extents (addr, len) pairs, size their sum. */
static void sys_backing(Seed *s, const uint64_t *ext, unsigned n)
{
    unsigned i;

    put(s, B_SYS | B_SUM, 1);
    put(s, n, 1);
    for (i = 0; i < n; i++) {
        addr(s, ext[2 * i]);
        addr(s, ext[2 * i + 1]);
    }
}

static void bo_vram(Seed *s, unsigned id, uint64_t size, uint64_t at)
{
    put(s, BO_CREATE, 1);
    put(s, id, 1);
    vram_backing(s, size, at);
}

static void bo_sys(Seed *s, unsigned id, const uint64_t *ext, unsigned n)
{
    put(s, BO_CREATE, 1);
    put(s, id, 1);
    sys_backing(s, ext, n);
}

static void bo_destroy(Seed *s, unsigned id)
{
    put(s, BO_DESTROY, 1);
    put(s, id, 1);
}

static void move_vram(Seed *s, unsigned id, uint64_t size, uint64_t at)
{
    put(s, BO_MOVE, 1);
    put(s, id, 1);
    vram_backing(s, size, at);
}

static void move_sys(Seed *s, unsigned id, const uint64_t *ext, unsigned n)
{
    put(s, BO_MOVE, 1);
    put(s, id, 1);
    sys_backing(s, ext, n);
}

static void map(Seed *s, unsigned vm, unsigned bo, unsigned flags,
                uint64_t va, uint64_t range, uint64_t off)
{
    put(s, MAP, 1);
    put(s, vm, 1);
    put(s, bo, 1);
    put(s, flags, 2);
    addr(s, va);
    addr(s, range);
    addr(s, off);
}

static void sparse(Seed *s, unsigned vm, uint64_t va, uint64_t range)
{
    map(s, vm, 0, NVVB_MAP_SPARSE, va, range, 0);
}

static void unmap(Seed *s, unsigned vm, unsigned flags, uint64_t va,
                  uint64_t range)
{
    put(s, UNMAP, 1);
    put(s, vm, 1);
    put(s, flags, 1);
    addr(s, va);
    addr(s, range);
}

static void pool(Seed *s, unsigned n)
{
    put(s, POOL, 1);
    put(s, n, 1);
}

int main(int argc, char **argv)
{
    const uint64_t ext2[] = { 0x7000, 2 * K4, 0x30000, 6 * K4 };
    const uint64_t top[] = { SYS_PTE_LIMIT - 4 * K4, 4 * K4 };
    const uint64_t beyond[] = { SYS_PTE_LIMIT, 4 * K4 };
    const uint64_t bad[] = { 0x1800, K4, ~0ull & ~0xfffull, 2 * K4,
                             0x100000, 0 };
    const char *dir;
    Seed *s;

    dir = seed_dir(argc, argv);

    /* Map, split, overwrite and unmap in two VMs, VRAM and SYSMEM. */
    s = seed(POOL_512K);
    vm_create(s, 0, 0, 0);
    vm_create(s, 1, 0, 0);
    bo_vram(s, 1, 4 * M2, 2 * M2);
    bo_sys(s, 2, ext2, 2);
    map(s, 0, 1, 0x12 | NVVB_MAP_READ_ONLY | NVVB_MAP_NO_ATOMIC, 4 * M2,
        4 * M2, 0);
    map(s, 0, 2, 0, 0x40000000, 8 * K4, 0);
    map(s, 1, 2, NVVB_MAP_PRIV, 0x10000, 6 * K4, 2 * K4);
    unmap(s, 0, 0, 9 * 0x100000ull, 16 * K4);
    map(s, 0, 2, 0, 5 * M2, 8 * K4, 0);
    unmap(s, 0, 0, 0, 1ull << 40);
    unmap(s, 1, 0, 0, 1ull << 40);
    bo_destroy(s, 1);
    bo_destroy(s, 2);
    vm_destroy(s, 0);
    save(dir, "01-map-unmap", s);

    /* Sparse regions: map inside, unmap back to sparse, destroy. */
    s = seed(POOL_512K);
    vm_create(s, 0, 0, 0);
    bo_vram(s, 1, 16 * K4, 0x100000);
    sparse(s, 0, 0x200000000ull, 2 * M2);
    map(s, 0, 1, 0, 0x200000000ull + M2, 16 * K4, 0);
    unmap(s, 0, 0, 0x200000000ull + M2, 8 * K4);
    unmap(s, 0, 1, 0x200000000ull, M2);             /* not the region */
    unmap(s, 0, 1, 0x200000000ull, 2 * M2);
    sparse(s, 0, 0, 1ull << 46);                    /* huge region */
    map(s, 0, 1, 0, 0x123450000ull, 16 * K4, 0);
    unmap(s, 0, 1, 0, 1ull << 46);
    save(dir, "02-sparse", s);

    /* Refusals: flags, BO with SPARSE, ranges, overlaps, VA space end. */
    s = seed(POOL_512K);
    vm_create(s, 0, 0x800000000ull, 0x100000000ull);
    bo_vram(s, 1, 16 * K4, 0x100000);
    map(s, 0, 1, 0, 0x100000, 16 * K4, 0);
    sparse(s, 0, 0x100000000ull, M2);
    map(s, 0, 1, 0x1000 | 1, 0x400000, K4, 0);      /* unknown flag */
    map(s, 0, 1, NVVB_MAP_SPARSE, 0x400000, K4, 0);
    unmap(s, 0, 2, 0x100000, K4);
    map(s, 0, 5, 0, 0x400000, K4, 0);
    map(s, 0, 1, 0, 0x400000, 17 * K4, 0);
    map(s, 0, 1, 0, 0x400800, K4, 0);
    map(s, 0, 1, 0, 0x400000, K4, 16 * K4);
    map(s, 0, 1, 0, 1ull << 47, K4, 0);
    map(s, 0, 1, 0, 0x100000000ull - K4, 2 * K4, 0);
    sparse(s, 0, 0x100000, M2);
    map(s, 0, 1, 0, 0x800000000ull, K4, 0);         /* kernel range */
    sparse(s, 0, 0x800000000ull, M2);
    map(s, 0, 1, 0, ~0ull & ~0xfffull, 2 * K4, 0);  /* wraps */
    vm_create(s, 1, 1ull << 47, K4);                /* bad kernel range */
    save(dir, "03-refused", s);

    /* A full pool and the work limit: ENOSPC and E2BIG, nothing changed. */
    s = seed(POOL_128K | WORK_64);
    vm_create(s, 0, 0, 0);
    bo_vram(s, 1, 16 * K4, 0x100000);
    bo_vram(s, 2, 128 * K4, 0x200000);
    map(s, 0, 1, 0, 0x100000, 16 * K4, 0);
    map(s, 0, 2, 0, 0x400000, 128 * K4, 0);
    pool(s, 127);
    map(s, 0, 1, 0, 0x40000000, 16 * K4, 0);
    sparse(s, 0, 0x80000000ull, M2);
    unmap(s, 0, 0, 0x100000, K4);
    move_vram(s, 1, 16 * K4, 0x300000);
    pool(s, 0x80);
    unmap(s, 0, 0, 0x100000, K4);
    vm_create(s, 1, 0, 0);
    save(dir, "04-enospc-e2big", s);

    s = seed(POOL_12K);
    vm_create(s, 0, 0, 0);
    vm_create(s, 1, 0, 0);
    bo_vram(s, 1, 16 * K4, 0x100000);
    map(s, 0, 1, 0, 0x100000, 16 * K4, 0);
    save(dir, "05-tiny-pool", s);

    /* Moves: VRAM -> SYSMEM -> VRAM with mappings in two VMs. */
    s = seed(POOL_512K);
    vm_create(s, 0, 0, 0);
    vm_create(s, 1, 0, 0);
    bo_vram(s, 1, 16 * K4, 0x100000);
    map(s, 0, 1, 0x33 | NVVB_MAP_READ_ONLY, 0x100000, 16 * K4, 0);
    map(s, 1, 1, 0, 0x900000, 8 * K4, 8 * K4);
    {
        const uint64_t e[] = { 0x100000, 8 * K4, 0x300000, 8 * K4 };

        move_sys(s, 1, e, 2);
    }
    move_vram(s, 1, 15 * K4, 0x200000);             /* other size */
    move_vram(s, 1, 16 * K4, (64ull << 20) - 8 * K4); /* into the pool */
    move_vram(s, 1, 16 * K4, 0x200000);
    save(dir, "06-move", s);

    /* Issue 14 (a): extents at and beyond the PTE address field. */
    s = seed(POOL_512K);
    vm_create(s, 0, 0, 0);
    bo_sys(s, 1, top, 1);
    map(s, 0, 1, 0, 0x200000, 4 * K4, 0);
    bo_sys(s, 2, beyond, 1);
    map(s, 0, 2, 0, 0x400000, 4 * K4, 0);
    move_sys(s, 1, beyond, 1);
    bo_sys(s, 3, bad, 3);                           /* misaligned, wraps */
    save(dir, "07-i14-sg-field", s);

    /* Issue 14 (b-d): moves of unmapped BOs, cross-BO and cross-VM. */
    s = seed(POOL_512K);
    vm_create(s, 0, 0, 0);
    vm_create(s, 1, 0, 0);
    bo_vram(s, 1, 2 * K4, 0x100000);
    bo_vram(s, 2, 2 * K4, 0x102000);
    move_vram(s, 1, 2 * K4, 0x104000);
    map(s, 1, 1, 0, 0x300000, K4, K4);
    map(s, 0, 2, 0, 0x900000, K4, 0);
    move_vram(s, 2, 2 * K4, 0x106000);
    map(s, 0, 1, 0, 0x100000, 2 * K4, 0);
    move_sys(s, 1, beyond, 1);
    move_vram(s, 2, 2 * K4, 0x102000);
    move_vram(s, 1, 2 * K4, 0x100000);
    bo_destroy(s, 1);                               /* busy */
    vm_destroy(s, 1);
    unmap(s, 0, 0, 0, 1ull << 47);
    bo_destroy(s, 1);
    save(dir, "08-i14-moves", s);

    /* Large pages: 2 MiB-aligned VRAM, a map cut into 64 KiB and 4 KiB. */
    s = seed(POOL_512K);
    vm_create(s, 0, 0, 0);
    bo_vram(s, 1, 2 * M2, 2 * M2);
    map(s, 0, 1, 0, 4 * M2, 2 * M2, 0);
    unmap(s, 0, 0, 4 * M2 + 0x10000, K4);
    unmap(s, 0, 0, 5 * M2, 0x10000);
    map(s, 0, 1, 7, 4 * M2 + 0x20000, 0x30000, 0x50000);
    save(dir, "09-large-pages", s);
    return 0;
}
