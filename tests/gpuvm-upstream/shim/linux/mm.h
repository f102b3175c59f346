/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h). */
#ifndef SHIM_LINUX_MM_H
#define SHIM_LINUX_MM_H
#include <linux/kernel.h>
#endif
