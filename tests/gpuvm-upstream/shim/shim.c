/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Definitions behind the shim headers (see linux/types.h). */
#include <stdio.h>
#include <stdlib.h>
#include <linux/kernel.h>

unsigned long shim_warnings;

void shim_unused_path(const char *what)
{
    fprintf(stderr, "gpuvm-upstream shim: %s reached, which the test "
            "never uses\n", what);
    abort();
}
