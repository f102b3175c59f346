/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libqos object of the "nv-vmbind-gp107" node (defined in
 * nv-vmbind-gp107-test.c), shared by the GP107 qtest files.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */
#ifndef TESTS_QTEST_NV_VMBIND_GP107_NODE_H
#define TESTS_QTEST_NV_VMBIND_GP107_NODE_H

#include "libqos/qgraph.h"
#include "libqos/pci.h"

typedef struct QGp107 {
    QOSGraphObject obj;
    QPCIDevice dev;
    QPCIBar bar0, bar1, bar3;
    uint64_t bar0_size, bar1_size, bar3_size;
} QGp107;

#endif /* TESTS_QTEST_NV_VMBIND_GP107_NODE_H */
