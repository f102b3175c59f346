/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): no modules in userspace. */
#ifndef SHIM_LINUX_EXPORT_H
#define SHIM_LINUX_EXPORT_H
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define MODULE_DESCRIPTION(s)
#define MODULE_LICENSE(s)
#endif
