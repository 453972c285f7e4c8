/*
 * test_perfstats.c — unit tests of src/disp/perfstats.c: the counter
 * filter (comma lists, '*' and '#', whole-name matching, hostile
 * patterns), the names and values of a VM's counters built from a
 * hand-made configuration and libvirt sample (disks by bus and stack
 * index, found by their domain target names; adapters by index, found by
 * position; disabled devices left out), the CPU meters, and the events
 * and statistics messages as a client decodes them.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "PrlPerfCounters.h"
#include "frame.h"
#include "perfstats.h"

/* ---- filters -------------------------------------------------------------- */

static bool match(const char *spec, const char *name)
{
	disp_perf_filter *f = disp_perf_filter_new(spec);
	assert_non_null(f);
	bool m = disp_perf_filter_match(f, name);
	disp_perf_filter_free(f);
	return m;
}

static void test_filter_everything(void **state)
{
	assert_true(match(NULL, "guest.cpu.usage"));
	assert_true(match("", "net.nic0.bytes_in"));
	assert_true(match("*", "devices.sata0.read_total"));
	assert_true(match(" , ,", "host.cpu.time"));
	assert_true(match("net.*, *", "guest.ram.usage"));
}

static void test_filter_prefix_and_exact(void **state)
{
	assert_true(match("guest.cpu.*", "guest.cpu.usage"));
	assert_true(match("guest.cpu.*", "guest.cpu.time"));
	assert_false(match("guest.cpu.*", "guest.ram.usage"));
	assert_false(match("guest.cpu.*", "guest.vcpu0.time"));
	assert_false(match("guest.cpu.*", "host.cpu.time"));
	/* a whole-name match: no implicit prefix or suffix */
	assert_true(match("guest.cpu.usage", "guest.cpu.usage"));
	assert_false(match("guest.cpu", "guest.cpu.usage"));
	assert_false(match("cpu.usage", "guest.cpu.usage"));
	assert_false(match("guest.cpu.usage", "guest.cpu.usage2"));
	/* '.' is literal, not "any character" */
	assert_false(match("guest.cpu.usage", "guestXcpuXusage"));
}

static void test_filter_lists_and_spaces(void **state)
{
	const char *spec = "net.nic0.bytes_in, guest.ram.*";
	assert_true(match(spec, "net.nic0.bytes_in"));
	assert_true(match(spec, "guest.ram.total"));
	assert_false(match(spec, "net.nic0.bytes_out"));
	assert_false(match(spec, "guest.cpu.usage"));
	assert_true(match("  guest.cpu.usage  ", "guest.cpu.usage"));
}

static void test_filter_hash_and_inner_star(void **state)
{
	assert_true(match(PRL_SATA_READ_TOTAL_PTRN, "devices.sata0.read_total"));
	assert_true(match(PRL_SATA_READ_TOTAL_PTRN, "devices.sata12.read_total"));
	assert_false(match(PRL_SATA_READ_TOTAL_PTRN, "devices.sata.read_total"));
	assert_false(match(PRL_SATA_READ_TOTAL_PTRN, "devices.satax.read_total"));
	assert_false(match(PRL_SATA_READ_TOTAL_PTRN, "devices.ide0.read_total"));
	assert_true(match("devices.*.read_total", "devices.ide1.read_total"));
	assert_false(match("devices.*.read_total", "devices.ide1.write_total"));
	assert_true(match("net.nic#.*", "net.nic3.pkts_out"));
	assert_true(match("*usage", "guest.ram.usage"));
	assert_true(match("g*u*e", "guest.cpu.usage"));
	/* '#' backtracks over digit runs: "1#" must still match "12" */
	assert_true(match("guest.vcpu1#.time", "guest.vcpu12.time"));
	assert_false(match("guest.vcpu1#.time", "guest.vcpu1.time"));
}

/* A pattern that makes backtracking globs take exponential time must be
 * answered at once. */
static void test_filter_hostile_is_fast(void **state)
{
	char spec[DISP_PERF_FILTER_MAX + 1];
	size_t n = 0;
	while (n + 2 < DISP_PERF_FILTER_MAX) {
		spec[n] = '*';
		spec[n + 1] = n % 4 ? 'a' : '#';
		n += 2;
	}
	spec[n++] = 'b';
	spec[n] = '\0';
	const char *name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 50; i++)
		assert_false(match(spec, name));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 2.0);
	/* names of 64 bytes or more never match (ours are shorter) */
	char longname[80];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_false(disp_perf_glob("*", 1, longname));
}

/* ---- a VM with devices ---------------------------------------------------- */

typedef struct vm_fixture {
	Prl__VmConfig cfg;
	Prl__VmDevice dev[6];
	Prl__VmDevice *devp[6];
	disp_hv_stats hv;
} vm_fixture;

static void device(Prl__VmDevice *d, uint32_t type, uint32_t index,
		   int iface, int stack, bool enabled)
{
	prl__vm_device__init(d);
	d->type = type;
	d->index = index;
	d->has_enabled = 1;
	d->enabled = enabled;
	if (iface >= 0) {
		d->has_iface_type = 1;
		d->iface_type = (uint32_t)iface;
	}
	if (stack >= 0) {
		d->has_stack_index = 1;
		d->stack_index = (uint32_t)stack;
	}
}

static void disk(disp_hv_stats *hv, unsigned i, const char *name, uint64_t base)
{
	snprintf(hv->disks[i].name, sizeof hv->disks[i].name, "%s", name);
	hv->disks[i].rd_bytes = base + 1;
	hv->disks[i].wr_bytes = base + 2;
	hv->disks[i].rd_reqs = base + 3;
	hv->disks[i].wr_reqs = base + 4;
}

/* hdd0 SATA stack 0 (target sda), a SATA CD (sdb), hdd1 IDE stack 1 (hda),
 * nic0, nic1 disabled, nic2; libvirt lists the disks in another order. */
static void vm_fixture_init(vm_fixture *f)
{
	memset(f, 0, sizeof *f);
	prl__vm_config__init(&f->cfg);
	f->cfg.uuid = "{11111111-2222-4333-8444-555555555555}";
	f->cfg.name = "perf";
	f->cfg.has_cpu_count = 1;
	f->cfg.cpu_count = 2;
	f->cfg.has_ram_mb = 1;
	f->cfg.ram_mb = 1024;
	device(&f->dev[0], PDE_HARD_DISK, 0, PMS_SATA_DEVICE, 0, true);
	device(&f->dev[1], PDE_OPTICAL_DISK, 0, PMS_SATA_DEVICE, 1, true);
	device(&f->dev[2], PDE_HARD_DISK, 1, PMS_IDE_DEVICE, 1, true);
	device(&f->dev[3], PDE_GENERIC_NETWORK_ADAPTER, 0, -1, -1, true);
	device(&f->dev[4], PDE_GENERIC_NETWORK_ADAPTER, 1, -1, -1, false);
	device(&f->dev[5], PDE_GENERIC_NETWORK_ADAPTER, 2, -1, -1, true);
	for (int i = 0; i < 6; i++)
		f->devp[i] = &f->dev[i];
	f->cfg.devices = f->devp;
	f->cfg.n_devices = 6;
	disp_hv_stats *hv = &f->hv;
	hv->cpu_time_ns = 8000000000ull;
	hv->vcpus = 2;
	hv->mem_total_kib = 1048576;
	hv->mem_unused_kib = 262144;
	hv->mem_rss_kib = 900000;
	hv->n_disks = 3;
	disk(hv, 0, "hda", 2000);
	disk(hv, 1, "sdb", 3000);
	disk(hv, 2, "sda", 1000);
	hv->n_nets = 2;
	hv->nets[0].rx_bytes = 10;
	hv->nets[0].tx_bytes = 11;
	hv->nets[0].rx_pkts = 12;
	hv->nets[0].tx_pkts = 13;
	hv->nets[1].rx_bytes = 20;
	hv->nets[1].tx_bytes = 21;
}

static uint64_t value_of(const disp_perf_set *s, const char *name,
			 uint32_t type)
{
	const disp_perf_counter *c = disp_perf_set_find(s, name);
	if (!c)
		fail_msg("no counter %s", name);
	assert_int_equal(c->type, type);
	return c->value;
}

static void test_vm_counters(void **state)
{
	vm_fixture f;
	vm_fixture_init(&f);
	disp_perf_delta d = { 1000000000ull, 1000000000ull }; /* 1 s of 2 */
	disp_perf_set s = { 0 };
	assert_int_equal(disp_perf_vm_counters(&f.cfg, &f.hv, &d, 4, &s), 0);

	assert_int_equal(value_of(&s, "guest.cpu.usage", PFD_UINT32), 50);
	assert_int_equal(value_of(&s, "guest.cpu.time", PFD_UINT64), 250000);
	assert_int_equal(value_of(&s, "host.cpu.time", PFD_UINT64), 1000000);
	assert_int_equal(value_of(&s, "guest.vcpu0.time", PFD_UINT64), 4000000000ull);
	assert_int_equal(value_of(&s, "guest.vcpu1.time", PFD_UINT64), 4000000000ull);
	assert_null(disp_perf_set_find(&s, "guest.vcpu2.time"));
	assert_int_equal(value_of(&s, "guest.ram.total", PFD_UINT32), 1024);
	assert_int_equal(value_of(&s, "guest.ram.usage", PFD_UINT32), 768);
	assert_int_equal(value_of(&s, "guest.ram.swap_in", PFD_UINT64), 0);

	/* disks: bus + stack index, figures by target name, not position */
	assert_int_equal(value_of(&s, "devices.sata0.read_total", PFD_UINT64), 1001);
	assert_int_equal(value_of(&s, "devices.sata0.write_total", PFD_UINT64), 1002);
	assert_int_equal(value_of(&s, "devices.sata0.read_requests", PFD_UINT64), 1003);
	assert_int_equal(value_of(&s, "devices.sata0.write_requests", PFD_UINT64), 1004);
	assert_int_equal(value_of(&s, "devices.ide1.read_total", PFD_UINT64), 2001);
	assert_null(disp_perf_set_find(&s, "devices.sata1.read_total")); /* the CD */

	/* adapters: by index; figures by position among the enabled ones */
	assert_int_equal(value_of(&s, "net.nic0.bytes_in", PFD_UINT64), 10);
	assert_int_equal(value_of(&s, "net.nic0.bytes_out", PFD_UINT64), 11);
	assert_int_equal(value_of(&s, "net.nic0.pkts_in", PFD_UINT64), 12);
	assert_int_equal(value_of(&s, "net.nic0.pkts_out", PFD_UINT64), 13);
	assert_int_equal(value_of(&s, "net.nic2.bytes_in", PFD_UINT64), 20);
	assert_null(disp_perf_set_find(&s, "net.nic1.bytes_in"));
	disp_perf_set_clear(&s);
}

/* The test driver reports no I/O and no memory: counters still exist. */
static void test_vm_counters_without_io(void **state)
{
	vm_fixture f;
	vm_fixture_init(&f);
	memset(&f.hv, 0, sizeof f.hv);
	f.hv.cpu_time_ns = 5;
	disp_perf_delta d = { 0, 0 };
	disp_perf_set s = { 0 };
	assert_int_equal(disp_perf_vm_counters(&f.cfg, &f.hv, &d, 1, &s), 0);
	assert_int_equal(value_of(&s, "guest.cpu.usage", PFD_UINT32), 0);
	assert_int_equal(value_of(&s, "guest.ram.total", PFD_UINT32), 1024);
	assert_int_equal(value_of(&s, "devices.sata0.read_total", PFD_UINT64), 0);
	assert_int_equal(value_of(&s, "net.nic2.pkts_out", PFD_UINT64), 0);
	/* vCPUs from the configuration when libvirt gives none */
	assert_non_null(disp_perf_set_find(&s, "guest.vcpu1.time"));
	disp_perf_set_clear(&s);
}

static void test_usage_is_capped(void **state)
{
	vm_fixture f;
	vm_fixture_init(&f);
	disp_perf_delta d = { 9000000000ull, 1000000000ull };
	disp_perf_set s = { 0 };
	assert_int_equal(disp_perf_vm_counters(&f.cfg, &f.hv, &d, 4, &s), 0);
	assert_int_equal(value_of(&s, "guest.cpu.usage", PFD_UINT32), 100);
	disp_perf_set_clear(&s);
}

static void test_host_counters(void **state)
{
	Prl__Statistics st = PRL__STATISTICS__INIT;
	Prl__CpuStat c0 = PRL__CPU_STAT__INIT, c1 = PRL__CPU_STAT__INIT;
	Prl__CpuStat *cpus[2] = { &c0, &c1 };
	c0.usage = 30;
	c1.usage = 50;
	st.cpus = cpus;
	st.n_cpus = 2;
	st.ram_total = 8ull << 30;
	st.ram_usage = 3ull << 30;
	st.ram_free = 5ull << 30;
	disp_perf_set s = { 0 };
	assert_int_equal(disp_perf_host_counters(&st, &s), 0);
	assert_int_equal(value_of(&s, "host.cpu.usage", PFD_UINT32), 40);
	assert_int_equal(value_of(&s, "host.ram.total", PFD_UINT64), 8192);
	assert_int_equal(value_of(&s, "host.ram.usage", PFD_UINT64), 3072);
	assert_int_equal(value_of(&s, "host.ram.free", PFD_UINT64), 5120);
	disp_perf_set_clear(&s);
}

static void test_names_from_patterns(void **state)
{
	disp_perf_set s = { 0 };
	assert_int_equal(disp_perf_set_add(&s, PRL_NET_BYTES_IN_PTRN, 7,
					   PFD_UINT64, 1), 0);
	assert_int_equal(disp_perf_set_add(&s, PRL_GUEST_CPU_USAGE_PTRN, 7,
					   PFD_UINT32, 2), 0);
	assert_string_equal(s.c[0].name, "net.nic7.bytes_in");
	assert_string_equal(s.c[1].name, "guest.cpu.usage");
	disp_perf_set_clear(&s);
	Prl__VmDevice d;
	char pre[48];
	device(&d, PDE_HARD_DISK, 3, PMS_SCSI_DEVICE, 2, true);
	disp_perf_disk_prefix(&d, pre, sizeof pre);
	assert_string_equal(pre, "devices.scsi2");
	device(&d, PDE_HARD_DISK, 3, -1, -1, true);     /* SATA by default */
	disp_perf_disk_prefix(&d, pre, sizeof pre);
	assert_string_equal(pre, "devices.sata3");
}

/* ---- meters --------------------------------------------------------------- */

static void test_meters(void **state)
{
	const char *a = "{aaaaaaaa-0000-4000-8000-000000000001}";
	const char *b = "{bbbbbbbb-0000-4000-8000-000000000002}";
	const uint64_t sec = 1000000000ull;
	disp_perf_meters *m = disp_perf_meters_new();
	assert_non_null(m);
	disp_perf_delta d = disp_perf_meters_record(m, a, 100, 10 * sec);
	assert_int_equal(d.cpu_ns, 0);
	assert_int_equal(d.wall_ns, 0);
	disp_perf_meters_record(m, b, 5, 10 * sec);
	d = disp_perf_meters_record(m, a, 600, 11 * sec);
	assert_int_equal(d.cpu_ns, 500);
	assert_int_equal(d.wall_ns, sec);
	/* the UUID in another case is the same VM */
	d = disp_perf_meters_record(m, "{AAAAAAAA-0000-4000-8000-000000000001}",
				    700, 12 * sec);
	assert_int_equal(d.cpu_ns, 100);
	assert_true(disp_perf_meters_fresh(m, a, 12 * sec + 10, sec));
	assert_false(disp_perf_meters_fresh(m, a, 14 * sec, sec));
	/* a restarted VM's CPU time goes back: no negative delta */
	d = disp_perf_meters_record(m, a, 50, 13 * sec);
	assert_int_equal(d.cpu_ns, 0);
	/* forgotten after a minute without a record */
	disp_perf_meters_record(m, a, 60, 80 * sec);
	assert_false(disp_perf_meters_fresh(m, b, 80 * sec, 100 * sec));
	disp_perf_meters_free(m);
}

/* ---- messages ------------------------------------------------------------- */

static void test_event_with_filter(void **state)
{
	vm_fixture f;
	vm_fixture_init(&f);
	disp_perf_delta d = { 2, 1 };              /* both vCPUs busy */
	disp_perf_set s = { 0 };
	assert_int_equal(disp_perf_vm_counters(&f.cfg, &f.hv, &d, 1, &s), 0);
	disp_perf_filter *flt = disp_perf_filter_new("guest.cpu.*,net.nic2.*");
	Prl__Event ev;
	assert_int_equal(disp_perf_event_fill(&ev, PET_DSP_EVT_VM_PERFSTATS,
					      PIE_VIRTUAL_MACHINE, f.cfg.uuid,
					      &s, flt), 0);
	assert_int_equal(ev.n_params, 2 + 4);
	for (size_t i = 0; i < ev.n_params; i++)
		assert_true(!strncmp(ev.params[i]->name, "guest.cpu.", 10) ||
			    !strncmp(ev.params[i]->name, "net.nic2.", 9));

	/* through the wire and back, as the library reads it */
	size_t len;
	uint8_t *buf = disp_perf_event_frame(&ev, &len);
	assert_non_null(buf);
	Prl__Frame *fr = prl__frame__unpack(NULL, len - 4, buf + 4);
	assert_non_null(fr);
	assert_int_equal(fr->body_case, PRL__FRAME__BODY_EVENT);
	Prl__Event *got = fr->event;
	assert_int_equal(got->type, PET_DSP_EVT_VM_PERFSTATS);
	assert_int_equal(got->issuer_type, PIE_VIRTUAL_MACHINE);
	assert_string_equal(got->issuer_id, f.cfg.uuid);
	assert_string_equal(got->params[0]->name, "guest.cpu.usage");
	assert_int_equal(got->params[0]->type, PFD_UINT32);
	assert_int_equal(got->params[0]->value->v_case, PRL__VALUE__V_U32);
	assert_int_equal(got->params[0]->value->u32, 100);
	assert_int_equal(got->params[1]->type, PFD_UINT64);
	assert_int_equal(got->params[1]->value->v_case, PRL__VALUE__V_U64);
	prl__frame__free_unpacked(fr, NULL);
	free(buf);

	Prl__Event *copy = disp_perf_event_copy(&ev);
	assert_non_null(copy);
	assert_int_equal(copy->n_params, ev.n_params);
	prl__event__free_unpacked(copy, NULL);
	disp_perf_event_done(&ev);
	disp_perf_filter_free(flt);

	/* a filter nothing matches gives an event without parameters */
	flt = disp_perf_filter_new("no.such.counter");
	assert_int_equal(disp_perf_event_fill(&ev, PET_DSP_EVT_VM_PERFSTATS,
					      PIE_VIRTUAL_MACHINE, f.cfg.uuid,
					      &s, flt), 0);
	assert_int_equal(ev.n_params, 0);
	disp_perf_event_done(&ev);
	disp_perf_filter_free(flt);
	disp_perf_set_clear(&s);
}

static void test_vm_statistics(void **state)
{
	vm_fixture f;
	vm_fixture_init(&f);
	f.hv.cpu_user_ns = 3000000000ull;
	f.hv.cpu_system_ns = 1000000000ull;
	disp_perf_delta d = { 500000000ull, 1000000000ull };
	Prl__Statistics *st = disp_perf_vm_statistics(&f.cfg, &f.hv, &d);
	assert_non_null(st);
	assert_int_equal(st->n_cpus, 1);
	assert_int_equal(st->cpus[0]->usage, 25);
	assert_int_equal(st->cpus[0]->total_time, 8000000);
	assert_int_equal(st->cpus[0]->user_time, 3000000);
	assert_int_equal(st->ram_total, 1ull << 30);
	assert_int_equal(st->ram_usage, 768ull << 20);
	assert_int_equal(st->ram_free, 256ull << 20);
	assert_int_equal(st->n_disk_io, 2);
	assert_string_equal(st->disk_io[0]->name, "sata0");
	assert_int_equal(st->disk_io[0]->read_bytes, 1001);
	assert_string_equal(st->disk_io[1]->name, "ide1");
	assert_int_equal(st->disk_io[1]->write_requests, 2004);
	assert_int_equal(st->n_ifaces, 2);
	assert_string_equal(st->ifaces[1]->name, "nic2");
	assert_int_equal(st->ifaces[1]->out_bytes, 21);

	size_t len;
	uint8_t *buf = disp_perf_statistics_frame(f.cfg.uuid, st, &len);
	assert_non_null(buf);
	Prl__Frame *fr = prl__frame__unpack(NULL, len - 4, buf + 4);
	assert_non_null(fr);
	Prl__Event *ev = fr->event;
	assert_int_equal(ev->type, PET_DSP_EVT_VM_STATISTICS_UPDATED);
	assert_string_equal(ev->issuer_id, f.cfg.uuid);
	assert_int_equal(ev->n_params, 1);
	assert_string_equal(ev->params[0]->name, "statistics");
	assert_int_equal(ev->params[0]->type, PFD_BINARY);
	Prl__Statistics *back = prl__statistics__unpack(
		NULL, ev->params[0]->value->bin.len, ev->params[0]->value->bin.data);
	assert_non_null(back);
	assert_int_equal(back->cpus[0]->usage, 25);
	assert_int_equal(back->n_disk_io, 2);
	prl__statistics__free_unpacked(back, NULL);
	prl__frame__free_unpacked(fr, NULL);
	free(buf);
	prl__statistics__free_unpacked(st, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_everything),
		cmocka_unit_test(test_filter_prefix_and_exact),
		cmocka_unit_test(test_filter_lists_and_spaces),
		cmocka_unit_test(test_filter_hash_and_inner_star),
		cmocka_unit_test(test_filter_hostile_is_fast),
		cmocka_unit_test(test_vm_counters),
		cmocka_unit_test(test_vm_counters_without_io),
		cmocka_unit_test(test_usage_is_capped),
		cmocka_unit_test(test_host_counters),
		cmocka_unit_test(test_names_from_patterns),
		cmocka_unit_test(test_meters),
		cmocka_unit_test(test_event_with_filter),
		cmocka_unit_test(test_vm_statistics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
