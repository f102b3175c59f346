/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The live-PDB set (gmmu-pdbset.c): noting, bounds, eviction, listing. */
#include <glib.h>
#include <string.h>

#include "gmmu-pdbset.h"

static void test_note_and_find(void)
{
    NvGmmuPdbSet *s = nv_gmmu_pdbset_new(4);
    const NvGmmuPdbEntry *e;
    NvGmmuPdbEntry l[4];

    g_assert_null(nv_gmmu_pdbset_note(s, NV_GMMU_APER_PEER, 0x1000, 0, 1));
    g_assert_null(nv_gmmu_pdbset_note(s, NV_GMMU_APER_NONE, 0x1000, 0, 1));
    e = nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x1000, 7, 1);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->count, ==, 1);
    e = nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x1000, 8, 5);
    g_assert_cmpuint(e->count, ==, 2);
    g_assert_cmpuint(e->first_seq, ==, 1);
    g_assert_cmpuint(e->last_seq, ==, 5);
    g_assert_cmpuint(e->tag, ==, 8);
    /* Same address, other aperture: another PDB. */
    nv_gmmu_pdbset_note(s, NV_GMMU_APER_SYS_COH, 0x1000, 0, 6);
    g_assert_cmpuint(nv_gmmu_pdbset_count(s), ==, 2);
    g_assert_nonnull(nv_gmmu_pdbset_find(s, NV_GMMU_APER_SYS_COH, 0x1000));
    g_assert_null(nv_gmmu_pdbset_find(s, NV_GMMU_APER_SYS_NCOH, 0x1000));
    g_assert_cmpuint(nv_gmmu_pdbset_list(s, l, 4), ==, 2);
    g_assert_cmpuint(l[0].aperture, ==, NV_GMMU_APER_VID);
    g_assert_true(nv_gmmu_pdbset_remove(s, NV_GMMU_APER_VID, 0x1000));
    g_assert_false(nv_gmmu_pdbset_remove(s, NV_GMMU_APER_VID, 0x1000));
    g_assert_cmpuint(nv_gmmu_pdbset_count(s), ==, 1);
    nv_gmmu_pdbset_clear(s);
    g_assert_cmpuint(nv_gmmu_pdbset_count(s), ==, 0);
    nv_gmmu_pdbset_free(s);
}

/* A full set evicts the least recently invalidated PDB. */
/*
 * Listing a full set reads exactly its entries (it read one past the heap
 * block; the ASan build of this test, gmmu-pdbset-asan, catches that).
 */
static void test_list_full(void)
{
    NvGmmuPdbSet *s = nv_gmmu_pdbset_new(3);
    NvGmmuPdbEntry l[4];
    unsigned i;

    g_assert_cmpuint(nv_gmmu_pdbset_list(s, l, 4), ==, 0);
    for (i = 0; i < 3; i++) {
        nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x1000 * (3 - i), 0, 10 + i);
    }
    g_assert_cmpuint(nv_gmmu_pdbset_count(s), ==,
                     nv_gmmu_pdbset_capacity(s));
    g_assert_cmpuint(nv_gmmu_pdbset_list(s, l, 4), ==, 3);
    for (i = 0; i < 3; i++) {
        g_assert_cmphex(l[i].addr, ==, 0x1000 * (3 - i));
    }
    g_assert_cmpuint(nv_gmmu_pdbset_list(s, l, 2), ==, 2);
    g_assert_cmpuint(nv_gmmu_pdbset_list(s, l, 0), ==, 0);
    nv_gmmu_pdbset_free(s);
}

static void test_eviction(void)
{
    NvGmmuPdbSet *s = nv_gmmu_pdbset_new(3);
    NvGmmuPdbEntry l[3];
    uint64_t seq = 0;

    nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x1000, 0, ++seq);
    nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x2000, 0, ++seq);
    nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x3000, 0, ++seq);
    /* 0x1000 is used again: 0x2000 is now the oldest. */
    nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x1000, 0, ++seq);
    nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, 0x4000, 0, ++seq);
    g_assert_cmpuint(nv_gmmu_pdbset_count(s), ==, 3);
    g_assert_cmpuint(nv_gmmu_pdbset_evictions(s), ==, 1);
    g_assert_null(nv_gmmu_pdbset_find(s, NV_GMMU_APER_VID, 0x2000));
    g_assert_nonnull(nv_gmmu_pdbset_find(s, NV_GMMU_APER_VID, 0x1000));
    /* Listed by first invalidate. */
    g_assert_cmpuint(nv_gmmu_pdbset_list(s, l, 3), ==, 3);
    g_assert_cmphex(l[0].addr, ==, 0x1000);
    g_assert_cmphex(l[1].addr, ==, 0x3000);
    g_assert_cmphex(l[2].addr, ==, 0x4000);
    g_assert_cmpuint(nv_gmmu_pdbset_list(s, l, 1), ==, 1);
    nv_gmmu_pdbset_free(s);
}

/* Many distinct PDBs never grow the set past its capacity. */
static void test_bounded(void)
{
    NvGmmuPdbSet *s = nv_gmmu_pdbset_new(100000);
    uint64_t i;

    g_assert_cmpuint(nv_gmmu_pdbset_capacity(s), ==,
                     NV_GMMU_PDBSET_MAX_CAPACITY);
    nv_gmmu_pdbset_free(s);
    s = nv_gmmu_pdbset_new(0);
    g_assert_cmpuint(nv_gmmu_pdbset_capacity(s), ==,
                     NV_GMMU_PDBSET_DEFAULT_CAPACITY);
    for (i = 0; i < 10000; i++) {
        nv_gmmu_pdbset_note(s, NV_GMMU_APER_VID, i << 12, 0, i);
    }
    g_assert_cmpuint(nv_gmmu_pdbset_count(s), ==,
                     NV_GMMU_PDBSET_DEFAULT_CAPACITY);
    g_assert_cmpuint(nv_gmmu_pdbset_evictions(s), ==,
                     10000 - NV_GMMU_PDBSET_DEFAULT_CAPACITY);
    /* The survivors are the newest. */
    g_assert_nonnull(nv_gmmu_pdbset_find(s, NV_GMMU_APER_VID, 9999ULL << 12));
    g_assert_null(nv_gmmu_pdbset_find(s, NV_GMMU_APER_VID, 0));
    nv_gmmu_pdbset_free(s);
}

/*
 * Restore (migration) rebuilds a listed set exactly: the same entries, the
 * same eviction order and counts afterwards; malformed input is refused
 * and leaves the set empty.
 */
static void test_restore(void)
{
    NvGmmuPdbSet *a = nv_gmmu_pdbset_new(3), *b = nv_gmmu_pdbset_new(3);
    NvGmmuPdbSet *small = nv_gmmu_pdbset_new(2);
    NvGmmuPdbEntry l[3], m[3], bad[3];
    const NvGmmuPdbEntry *e;
    uint64_t seq = 0;
    unsigned n, i;

    nv_gmmu_pdbset_note(a, NV_GMMU_APER_VID, 0x1000, 1, ++seq);
    nv_gmmu_pdbset_note(a, NV_GMMU_APER_SYS_COH, 0x2000, 2, ++seq);
    nv_gmmu_pdbset_note(a, NV_GMMU_APER_VID, 0x1000, 1, ++seq);
    nv_gmmu_pdbset_note(a, NV_GMMU_APER_VID, 0x3000, 0, ++seq);
    nv_gmmu_pdbset_note(a, NV_GMMU_APER_VID, 0x4000, 0, ++seq);
    n = nv_gmmu_pdbset_list(a, l, 3);
    g_assert_cmpuint(n, ==, 3);
    g_assert_true(nv_gmmu_pdbset_restore(b, l, n,
                                         nv_gmmu_pdbset_evictions(a)));
    g_assert_cmpuint(nv_gmmu_pdbset_list(b, m, 3), ==, 3);
    g_assert_cmpmem(l, sizeof(l), m, sizeof(m));
    g_assert_cmpuint(nv_gmmu_pdbset_evictions(b), ==, 1);
    /* The same next eviction (0x1000, last seen at 3) and counts. */
    nv_gmmu_pdbset_note(a, NV_GMMU_APER_VID, 0x5000, 0, ++seq);
    e = nv_gmmu_pdbset_note(b, NV_GMMU_APER_VID, 0x5000, 0, seq);
    g_assert_cmpuint(e->count, ==, 1);
    g_assert_null(nv_gmmu_pdbset_find(b, NV_GMMU_APER_VID, 0x1000));
    e = nv_gmmu_pdbset_note(b, NV_GMMU_APER_VID, 0x4000, 0, ++seq);
    g_assert_cmpuint(e->count, ==, 2);
    g_assert_cmpuint(e->first_seq, ==, 5);
    g_assert_cmpuint(nv_gmmu_pdbset_evictions(b), ==, 2);

    /* Each malformed entry is refused; the set is left empty. */
    for (i = 0; i < 5; i++) {
        memcpy(bad, l, sizeof(bad));
        switch (i) {
        case 0:
            bad[1].aperture = NV_GMMU_APER_PEER;
            break;
        case 1:
            bad[1].count = 0;
            break;
        case 2:
            bad[1].first_seq = bad[1].last_seq + 1;
            break;
        case 3:
            bad[2] = bad[0];                    /* the same PDB twice */
            break;
        case 4:
            bad[1].aperture = NV_GMMU_APER_NONE;
            break;
        }
        g_assert_false(nv_gmmu_pdbset_restore(b, bad, 3, 1));
        g_assert_cmpuint(nv_gmmu_pdbset_count(b), ==, 0);
        g_assert_cmpuint(nv_gmmu_pdbset_evictions(b), ==, 0);
    }
    /* More entries than the capacity. */
    g_assert_false(nv_gmmu_pdbset_restore(small, l, 3, 0));
    g_assert_true(nv_gmmu_pdbset_restore(small, l, 2, 0));
    g_assert_cmpuint(nv_gmmu_pdbset_count(small), ==, 2);
    nv_gmmu_pdbset_free(a);
    nv_gmmu_pdbset_free(b);
    nv_gmmu_pdbset_free(small);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gmmu-pdbset/note-find", test_note_and_find);
    g_test_add_func("/gmmu-pdbset/eviction", test_eviction);
    g_test_add_func("/gmmu-pdbset/bounded", test_bounded);
    g_test_add_func("/gmmu-pdbset/list-full", test_list_full);
    g_test_add_func("/gmmu-pdbset/restore", test_restore);
    return g_test_run();
}
