/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h). */
#ifndef SHIM_LINUX_STDDEF_H
#define SHIM_LINUX_STDDEF_H
#include <stddef.h>
#include <linux/compiler.h>
#endif
