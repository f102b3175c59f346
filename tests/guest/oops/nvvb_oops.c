// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb_oops: a module that oopses in a kworker on purpose, to show that
 * the guest harness (scripts/guest/boot.py) stops a boot as soon as the
 * kernel reports an Oops instead of waiting for its timeout.  An Oops in a
 * kworker does not stop the guest, just as the nouveau bug's does not.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

static unsigned int delay_ms = 500;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "milliseconds after load before the Oops");

/* Never set: NULL.  Read with READ_ONCE so the store cannot be proved away. */
static int *nvvb_oops_target;

static void nvvb_oops_fn(struct work_struct *work)
{
	int *p = READ_ONCE(nvvb_oops_target);

	pr_info("nvvb_oops: writing through a NULL pointer now\n");
	*p = 1;
}

static DECLARE_DELAYED_WORK(nvvb_oops_work, nvvb_oops_fn);

static int __init nvvb_oops_init(void)
{
	schedule_delayed_work(&nvvb_oops_work, msecs_to_jiffies(delay_ms));
	return 0;
}

static void __exit nvvb_oops_exit(void)
{
	cancel_delayed_work_sync(&nvvb_oops_work);
}

module_init(nvvb_oops_init);
module_exit(nvvb_oops_exit);
MODULE_DESCRIPTION("nv-vmbind harness self-test: an Oops in a kworker");
MODULE_LICENSE("GPL");
