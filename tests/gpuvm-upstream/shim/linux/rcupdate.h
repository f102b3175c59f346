/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): no RCU readers exist in the test. */
#ifndef SHIM_LINUX_RCUPDATE_H
#define SHIM_LINUX_RCUPDATE_H
#include <linux/compiler.h>
#define rcu_assign_pointer(p, v) WRITE_ONCE(p, v)
#define rcu_dereference_raw(p) READ_ONCE(p)
#endif
