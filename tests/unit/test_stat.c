/*
 * Unit tests of src/lib/stat.c and src/lib/srvcfg.c: PHT_SYSTEM_STATISTICS
 * with its children, and PHT_SERVER_CONFIG with its host devices, built from
 * hand-made wire messages.
 *
 * Every getter is read back against the message it was built from; the
 * string-getter convention (size query, overrun, exact fit), out-of-range
 * indexes, NULL out-pointers and wrong-typed handles are checked; child
 * handles outlive the root; the constructors copy, so the caller's message
 * may go at once; garbage bytes give no object; and each test ends with as
 * many live handles as it started with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "stat.h"
#include "PrlApi.h"

/* Implemented in srvcfg.c with the SDK's signatures; not yet declared in
 * PrlApiDisp.h. */

/* ---- fixtures ------------------------------------------------------------- */

static uint32_t handles_now(void)
{
	PRL_UINT32 n = 0;
	assert_int_equal(PrlDbg_GetHandlesNum(&n, PHT_ERROR), PRL_ERR_SUCCESS);
	return n;
}

static uint32_t start_handles;

static int group_setup(void **state)
{
	return PRL_FAILED(PrlApi_InitEx(PARALLELS_API_VER_1, PAM_SERVER, 0, 0));
}

static int group_teardown(void **state)
{
	PrlApi_Deinit();
	return 0;
}

static int test_setup(void **state)
{
	start_handles = handles_now();
	return 0;
}

static int test_teardown(void **state)
{
	assert_int_equal(handles_now(), start_handles);
	return 0;
}

/* Storage for a hand-made Statistics (the message points into it). */
typedef struct stats_fixture {
	Prl__Statistics st;
	Prl__CpuStat cpu[2], *cpus[2];
	Prl__IfaceStat ifc[2], *ifcs[2];
	Prl__DiskPartStat part[2], *parts[2];
	Prl__DiskStat disk, *disks[1];
	Prl__ProcStat proc[2], *procs[2];
	Prl__UserSessionStat user, *users[1];
} stats_fixture;

static void fill_cpu(Prl__CpuStat *c, uint32_t usage, uint64_t base)
{
	prl__cpu_stat__init(c);
	c->has_usage = c->has_total_time = c->has_user_time = c->has_system_time = 1;
	c->usage = usage;
	c->total_time = base;
	c->user_time = base / 2;
	c->system_time = base / 4;
}

static void fill_iface(Prl__IfaceStat *i, char *name, uint64_t base)
{
	prl__iface_stat__init(i);
	i->name = name;
	i->has_in_bytes = i->has_out_bytes = i->has_in_pkts = i->has_out_pkts = 1;
	i->in_bytes = base + 1;
	i->out_bytes = base + 2;
	i->in_pkts = base + 3;
	i->out_pkts = base + 4;
}

static void fill_proc(Prl__ProcStat *p, char *cmd, uint32_t pid, char *owner)
{
	prl__proc_stat__init(p);
	p->command = cmd;
	p->owner = owner;
	p->has_pid = p->has_total_mem = p->has_real_mem = p->has_virt_mem = 1;
	p->has_start_time = p->has_total_time = p->has_user_time = p->has_system_time = 1;
	p->has_state = p->has_cpu_usage = 1;
	p->pid = pid;
	p->total_mem = pid * 1000ull + 1;
	p->real_mem = pid * 1000ull + 2;
	p->virt_mem = pid * 1000ull + 3;
	p->start_time = pid * 1000ull + 4;
	p->total_time = pid * 1000ull + 5;
	p->user_time = pid * 1000ull + 6;
	p->system_time = pid * 1000ull + 7;
	p->state = PPS_PROC_ZOMBIE;
	p->cpu_usage = 42;
}

static void fill_disks(stats_fixture *f)
{
	static char d[] = "/dev/sda", p0[] = "/dev/sda1", p1[] = "/dev/sda2";
	for (int i = 0; i < 2; i++) {
		prl__disk_part_stat__init(&f->part[i]);
		f->part[i].name = i ? p1 : p0;
		f->part[i].has_free = f->part[i].has_used = 1;
		f->part[i].free = 100u + i;
		f->part[i].used = 200u + i;
		f->parts[i] = &f->part[i];
	}
	prl__disk_stat__init(&f->disk);
	f->disk.name = d;
	f->disk.has_free = f->disk.has_used = 1;
	f->disk.free = 201;
	f->disk.used = 401;
	f->disk.n_parts = 2;
	f->disk.parts = f->parts;
	f->disks[0] = &f->disk;
}

static void fill_user(stats_fixture *f)
{
	static char user[] = "alice", svc[] = "pts/3", host[] = "10.0.0.7";
	prl__user_session_stat__init(&f->user);
	f->user.user = user;
	f->user.service = svc;
	f->user.host = host;
	f->user.has_session_time = 1;
	f->user.session_time = 3600;
	f->users[0] = &f->user;
}

static void fill_stats(stats_fixture *f)
{
	static char lo[] = "lo", eth[] = "eth0", init[] = "init", bash[] = "bash";
	static char root[] = "root", alice[] = "alice";
	Prl__Statistics *st = &f->st;
	prl__statistics__init(st);
	for (int i = 0; i < 2; i++) {
		fill_cpu(&f->cpu[i], 10u + i, 1000000u * (i + 1));
		f->cpus[i] = &f->cpu[i];
		fill_iface(&f->ifc[i], i ? eth : lo, 1000u * (i + 1));
		f->ifcs[i] = &f->ifc[i];
		fill_proc(&f->proc[i], i ? bash : init, i ? 4242 : 1, i ? alice : root);
		f->procs[i] = &f->proc[i];
	}
	fill_disks(f);
	fill_user(f);
	st->n_cpus = st->n_ifaces = st->n_procs = 2;
	st->cpus = f->cpus;
	st->ifaces = f->ifcs;
	st->procs = f->procs;
	st->n_disks = st->n_users = 1;
	st->disks = f->disks;
	st->users = f->users;
	st->has_ram_total = st->has_ram_usage = st->has_ram_free = st->has_ram_real = 1;
	st->ram_total = 8ull << 30;
	st->ram_usage = 3ull << 30;
	st->ram_free = 5ull << 30;
	st->ram_real = 2ull << 30;
	st->has_swap_total = st->has_swap_usage = st->has_swap_free = 1;
	st->swap_total = 4ull << 30;
	st->swap_usage = 1ull << 30;
	st->swap_free = 3ull << 30;
	st->has_os_uptime = st->has_disp_uptime = 1;
	st->os_uptime = 86400;
	st->disp_uptime = 600;
}

/* A statistics handle built from the fixture; the fixture may be reused. */
static PRL_HANDLE make_stats(void)
{
	stats_fixture f;
	fill_stats(&f);
	prl__obj *o = prl__stat_new(&f.st);
	assert_non_null(o);
	memset(&f, 0xa5, sizeof(f));            /* the object must not point here */
	return prl__handle(o);
}

static uint64_t u64_of(PRL_RESULT (*fn)(PRL_HANDLE, PRL_UINT64_PTR), PRL_HANDLE h)
{
	PRL_UINT64 v = 0;
	assert_int_equal(fn(h, &v), PRL_ERR_SUCCESS);
	return v;
}

static uint32_t u32_of(PRL_RESULT (*fn)(PRL_HANDLE, PRL_UINT32_PTR), PRL_HANDLE h)
{
	PRL_UINT32 v = 0;
	assert_int_equal(fn(h, &v), PRL_ERR_SUCCESS);
	return v;
}

typedef PRL_RESULT (*str_fn)(PRL_HANDLE, PRL_STR, PRL_UINT32_PTR);

/* Reads a string getter and checks the whole size convention on the way. */
static void check_str(str_fn fn, PRL_HANDLE h, const char *want)
{
	PRL_UINT32 need = strlen(want) + 1, len = 0;
	char buf[256];
	assert_int_equal(fn(h, NULL, &len), PRL_ERR_SUCCESS);      /* size query */
	assert_int_equal(len, need);
	len = 0;
	assert_int_equal(fn(h, buf, &len), PRL_ERR_SUCCESS);       /* size query */
	assert_int_equal(len, need);
	assert_int_equal(fn(h, buf, NULL), PRL_ERR_INVALID_ARG);
	if (need > 1) {
		memset(buf, '#', sizeof(buf));
		len = need - 1;
		assert_int_equal(fn(h, buf, &len), PRL_ERR_BUFFER_OVERRUN);
		assert_int_equal(len, need);
		assert_memory_equal(buf, want, need - 1);           /* truncated copy */
		assert_int_equal(buf[need - 1], '#');               /* nothing beyond */
	}
	len = sizeof(buf);
	assert_int_equal(fn(h, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, want);
}

/* ---- PHT_SYSTEM_STATISTICS ------------------------------------------------- */

static void test_root_numbers(void **state)
{
	PRL_HANDLE h = make_stats();
	PRL_HANDLE_TYPE t;
	assert_int_equal(PrlHandle_GetType(h, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PHT_SYSTEM_STATISTICS);
	assert_int_equal(u64_of(PrlStat_GetTotalRamSize, h), 8ull << 30);
	assert_int_equal(u64_of(PrlStat_GetUsageRamSize, h), 3ull << 30);
	assert_int_equal(u64_of(PrlStat_GetFreeRamSize, h), 5ull << 30);
	assert_int_equal(u64_of(PrlStat_GetRealRamSize, h), 2ull << 30);
	assert_int_equal(u64_of(PrlStat_GetTotalSwapSize, h), 4ull << 30);
	assert_int_equal(u64_of(PrlStat_GetUsageSwapSize, h), 1ull << 30);
	assert_int_equal(u64_of(PrlStat_GetFreeSwapSize, h), 3ull << 30);
	assert_int_equal(u64_of(PrlStat_GetOsUptime, h), 86400);
	assert_int_equal(u64_of(PrlStat_GetDispUptime, h), 600);
	assert_int_equal(u32_of(PrlStat_GetCpusStatsCount, h), 2);
	assert_int_equal(u32_of(PrlStat_GetIfacesStatsCount, h), 2);
	assert_int_equal(u32_of(PrlStat_GetProcsStatsCount, h), 2);
	assert_int_equal(u32_of(PrlStat_GetDisksStatsCount, h), 1);
	assert_int_equal(u32_of(PrlStat_GetUsersStatsCount, h), 1);
	assert_int_equal(PrlStat_GetTotalRamSize(h, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStat_GetCpusStatsCount(h, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_SUCCESS);
}

static void test_cpus(void **state)
{
	PRL_HANDLE h = make_stats(), c[2];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(PrlStat_GetCpuStat(h, i, &c[i]), PRL_ERR_SUCCESS);
		assert_int_equal(u32_of(PrlStatCpu_GetCpuUsage, c[i]), 10 + i);
		/* Microseconds on the wire, whole seconds through the API. */
		assert_int_equal(u64_of(PrlStatCpu_GetTotalTime, c[i]), 1000000u * (i + 1) / 1000000u);
		assert_int_equal(u64_of(PrlStatCpu_GetUserTime, c[i]), 500000u * (i + 1) / 1000000u);
		assert_int_equal(u64_of(PrlStatCpu_GetSystemTime, c[i]), 250000u * (i + 1) / 1000000u);
	}
	assert_int_equal(PrlStat_GetCpuStat(h, 2, &c[0]), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStat_GetCpuStat(h, UINT32_MAX, &c[0]), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStat_GetCpuStat(h, 0, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStatCpu_GetCpuUsage(c[0], NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(c[0]);
	PrlHandle_Free(c[1]);
	PrlHandle_Free(h);
}

static void test_ifaces(void **state)
{
	static const char *names[] = { "lo", "eth0" };
	PRL_HANDLE h = make_stats(), f;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(PrlStat_GetIfaceStat(h, i, &f), PRL_ERR_SUCCESS);
		check_str(PrlStatIface_GetSystemName, f, names[i]);
		uint64_t base = 1000u * (i + 1);
		assert_int_equal(u64_of(PrlStatIface_GetInDataSize, f), base + 1);
		assert_int_equal(u64_of(PrlStatIface_GetOutDataSize, f), base + 2);
		assert_int_equal(u64_of(PrlStatIface_GetInPkgsCount, f), base + 3);
		assert_int_equal(u64_of(PrlStatIface_GetOutPkgsCount, f), base + 4);
		PrlHandle_Free(f);
	}
	assert_int_equal(PrlStat_GetIfaceStat(h, 2, &f), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(h);
}

static void test_disks_and_partitions(void **state)
{
	PRL_HANDLE h = make_stats(), d, p;
	assert_int_equal(PrlStat_GetDiskStat(h, 0, &d), PRL_ERR_SUCCESS);
	check_str(PrlStatDisk_GetSystemName, d, "/dev/sda");
	assert_int_equal(u64_of(PrlStatDisk_GetFreeDiskSpace, d), 201);
	assert_int_equal(u64_of(PrlStatDisk_GetUsageDiskSpace, d), 401);
	assert_int_equal(u32_of(PrlStatDisk_GetPartsStatsCount, d), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(PrlStatDisk_GetPartStat(d, i, &p), PRL_ERR_SUCCESS);
		check_str(PrlStatDiskPart_GetSystemName, p, i ? "/dev/sda2" : "/dev/sda1");
		assert_int_equal(u64_of(PrlStatDiskPart_GetFreeDiskSpace, p), 100 + i);
		assert_int_equal(u64_of(PrlStatDiskPart_GetUsageDiskSpace, p), 200 + i);
		PrlHandle_Free(p);
	}
	assert_int_equal(PrlStatDisk_GetPartStat(d, 2, &p), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStat_GetDiskStat(h, 1, &d), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(d);
	PrlHandle_Free(h);
}

static void test_processes(void **state)
{
	PRL_HANDLE h = make_stats(), p;
	assert_int_equal(PrlStat_GetProcStat(h, 1, &p), PRL_ERR_SUCCESS);
	check_str(PrlStatProc_GetCommandName, p, "bash");
	check_str(PrlStatProc_GetOwnerUserName, p, "alice");
	assert_int_equal(u32_of(PrlStatProc_GetId, p), 4242);
	assert_int_equal(u64_of(PrlStatProc_GetTotalMemUsage, p), 4242001);
	assert_int_equal(u64_of(PrlStatProc_GetRealMemUsage, p), 4242002);
	assert_int_equal(u64_of(PrlStatProc_GetVirtMemUsage, p), 4242003);
	assert_int_equal(u64_of(PrlStatProc_GetStartTime, p), 4242004);
	assert_int_equal(u64_of(PrlStatProc_GetTotalTime, p), 4242005 / 1000000);
	assert_int_equal(u64_of(PrlStatProc_GetUserTime, p), 4242006 / 1000000);
	assert_int_equal(u64_of(PrlStatProc_GetSystemTime, p), 4242007 / 1000000);
	assert_int_equal(u32_of(PrlStatProc_GetCpuUsage, p), 42);
	PRL_PROCESS_STATE_TYPE s = PPS_PROC_RUN;
	assert_int_equal(PrlStatProc_GetState(p, &s), PRL_ERR_SUCCESS);
	assert_int_equal(s, PPS_PROC_ZOMBIE);
	assert_int_equal(PrlStatProc_GetState(p, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(p);
	assert_int_equal(PrlStat_GetProcStat(h, 0, &p), PRL_ERR_SUCCESS);
	check_str(PrlStatProc_GetCommandName, p, "init");
	assert_int_equal(u32_of(PrlStatProc_GetId, p), 1);
	PrlHandle_Free(p);
	assert_int_equal(PrlStat_GetProcStat(h, 2, &p), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(h);
}

static void test_user_sessions(void **state)
{
	PRL_HANDLE h = make_stats(), u;
	assert_int_equal(PrlStat_GetUserStat(h, 0, &u), PRL_ERR_SUCCESS);
	check_str(PrlStatUser_GetUserName, u, "alice");
	check_str(PrlStatUser_GetServiceName, u, "pts/3");
	check_str(PrlStatUser_GetHostName, u, "10.0.0.7");
	assert_int_equal(u64_of(PrlStatUser_GetSessionTime, u), 3600);
	assert_int_equal(PrlStat_GetUserStat(h, 1, &u), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(u);
	PrlHandle_Free(h);
}

/* A getter of one family refuses a handle of another, and freed handles. */
static void test_wrong_and_stale_handles(void **state)
{
	PRL_HANDLE h = make_stats(), c, p;
	PRL_UINT64 v;
	PRL_UINT32 n;
	assert_int_equal(PrlStat_GetCpuStat(h, 0, &c), PRL_ERR_SUCCESS);
	assert_int_equal(PrlStat_GetProcStat(h, 0, &p), PRL_ERR_SUCCESS);
	assert_int_equal(PrlStat_GetTotalRamSize(c, &v), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStatCpu_GetTotalTime(h, &v), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStatProc_GetCpuUsage(c, &n), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStatIface_GetInDataSize(p, &v), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStatDisk_GetPartsStatsCount(h, &n), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStat_GetCpusStatsCount(PRL_INVALID_HANDLE, &n), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(c);
	assert_int_equal(PrlStatCpu_GetTotalTime(c, &v), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(p);
	PrlHandle_Free(h);
	assert_int_equal(PrlStat_GetTotalRamSize(h, &v), PRL_ERR_INVALID_ARG);
}

/* Children keep the snapshot alive after the root handle is freed. */
static void test_children_outlive_root(void **state)
{
	PRL_HANDLE h = make_stats(), d, p;
	uint32_t before = handles_now();
	assert_int_equal(PrlStat_GetDiskStat(h, 0, &d), PRL_ERR_SUCCESS);
	assert_int_equal(PrlStatDisk_GetPartStat(d, 1, &p), PRL_ERR_SUCCESS);
	assert_int_equal(handles_now(), before + 2);
	PrlHandle_Free(h);
	PrlHandle_Free(d);
	check_str(PrlStatDiskPart_GetSystemName, p, "/dev/sda2");
	assert_int_equal(u64_of(PrlStatDiskPart_GetUsageDiskSpace, p), 201);
	PRL_UINT32 n = 0;
	assert_int_equal(PrlDbg_GetHandlesNum(&n, PHT_SYSTEM_STATISTICS_DISK_PARTITION),
			 PRL_ERR_SUCCESS);
	assert_true(n >= 1);
	PrlHandle_Free(p);
}

/* A snapshot goes through the wire as bytes; garbage is refused. */
static void test_from_bin(void **state)
{
	stats_fixture f;
	fill_stats(&f);
	size_t len = prl__statistics__get_packed_size(&f.st);
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	prl__statistics__pack(&f.st, buf);

	prl__obj *o = prl__stat_from_bin(buf, len);
	assert_non_null(o);
	PRL_HANDLE h = prl__handle(o), p;
	assert_int_equal(u64_of(PrlStat_GetOsUptime, h), 86400);
	assert_int_equal(PrlStat_GetProcStat(h, 1, &p), PRL_ERR_SUCCESS);
	check_str(PrlStatProc_GetOwnerUserName, p, "alice");
	PrlHandle_Free(p);
	PrlHandle_Free(h);

	static const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
	assert_null(prl__stat_from_bin(garbage, sizeof(garbage)));
	assert_null(prl__stat_from_bin(buf, len - 1));         /* truncated */
	assert_null(prl__stat_from_bin(NULL, 5));
	free(buf);
}

/* An empty message is a valid, empty snapshot: every list is empty. */
static void test_empty_snapshot(void **state)
{
	Prl__Statistics st = PRL__STATISTICS__INIT;
	prl__obj *o = prl__stat_new(&st);
	assert_non_null(o);
	PRL_HANDLE h = prl__handle(o), c;
	assert_int_equal(u32_of(PrlStat_GetCpusStatsCount, h), 0);
	assert_int_equal(u64_of(PrlStat_GetTotalRamSize, h), 0);
	assert_int_equal(PrlStat_GetCpuStat(h, 0, &c), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(h);
}

/* ---- PHT_SERVER_CONFIG ------------------------------------------------------ */

static PRL_HANDLE make_srvcfg(void)
{
	static char model[] = "Test CPU @ 3.00GHz", host[] = "node1.example";
	static char os[] = "Debian GNU/Linux 12 (bookworm), kernel 6.1.0-18-amd64";
	static char gw[] = "192.0.2.1", dns0[] = "10.0.0.53", dns1[] = "2001:db8::53";
	static char hdd_name[] = "QEMU HARDDISK", hdd_id[] = "/dev/sda";
	static char eth[] = "eth0", cd_name[] = "QEMU DVD-ROM", cd_id[] = "/dev/sr0";
	Prl__ServerConfig c = PRL__SERVER_CONFIG__INIT;
	Prl__HwDevice hdd = PRL__HW_DEVICE__INIT, net = PRL__HW_DEVICE__INIT;
	Prl__HwDevice cd = PRL__HW_DEVICE__INIT;
	Prl__HwDevice *hdds[] = { &hdd }, *nets[] = { &net }, *cds[] = { &cd };
	char *dns[] = { dns0, dns1 };
	c.has_ram_mb = c.has_cpu_count = c.has_cpu_speed_mhz = c.has_cpu_mode = 1;
	c.ram_mb = 16384;
	c.cpu_count = 8;
	c.cpu_speed_mhz = 3000;
	c.cpu_mode = PCM_CPU_MODE_64;
	c.cpu_model = model;
	c.hostname = host;
	c.has_os_type = c.has_os_major = c.has_os_minor = c.has_os_subminor = 1;
	c.os_type = PHO_LIN;
	c.os_major = 6;
	c.os_minor = 1;
	c.os_subminor = 18;
	c.os_str = os;
	c.default_gateway = gw;
	c.n_dns_servers = 2;
	c.dns_servers = dns;
	hdd.type = PDE_HARD_DISK;
	hdd.name = hdd_name;
	hdd.id = hdd_id;
	net.type = PDE_GENERIC_NETWORK_ADAPTER;
	net.name = net.id = eth;
	cd.type = PDE_OPTICAL_DISK;
	cd.name = cd_name;
	cd.id = cd_id;
	c.n_hard_disks = c.n_net_adapters = c.n_optical_disks = 1;
	c.hard_disks = hdds;
	c.net_adapters = nets;
	c.optical_disks = cds;
	prl__obj *o = prl__srvcfg_new(&c);
	assert_non_null(o);
	return prl__handle(o);
}

static void test_srvcfg_host(void **state)
{
	PRL_HANDLE h = make_srvcfg();
	PRL_HANDLE_TYPE t;
	assert_int_equal(PrlHandle_GetType(h, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PHT_SERVER_CONFIG);
	assert_int_equal(u32_of(PrlSrvCfg_GetHostRamSize, h), 16384);
	assert_int_equal(u32_of(PrlSrvCfg_GetCpuCount, h), 8);
	assert_int_equal(u32_of(PrlSrvCfg_GetCpuSpeed, h), 3000);
	assert_int_equal(u32_of(PrlSrvCfg_GetHostOsMajor, h), 6);
	assert_int_equal(u32_of(PrlSrvCfg_GetHostOsMinor, h), 1);
	assert_int_equal(u32_of(PrlSrvCfg_GetHostOsSubMinor, h), 18);
	PRL_HOST_OS_TYPE os = PHO_WIN;
	assert_int_equal(PrlSrvCfg_GetHostOsType(h, &os), PRL_ERR_SUCCESS);
	assert_int_equal(os, PHO_LIN);
	PRL_CPU_MODE mode = PCM_CPU_MODE_32;
	assert_int_equal(PrlSrvCfg_GetCpuMode(h, &mode), PRL_ERR_SUCCESS);
	assert_int_equal(mode, PCM_CPU_MODE_64);
	check_str(PrlSrvCfg_GetCpuModel, h, "Test CPU @ 3.00GHz");
	check_str(PrlSrvCfg_GetHostname, h, "node1.example");
	check_str(PrlSrvCfg_GetHostOsStrPresentation, h,
		  "Debian GNU/Linux 12 (bookworm), kernel 6.1.0-18-amd64");
	check_str(PrlSrvCfg_GetDefaultGateway, h, "192.0.2.1");
	assert_int_equal(PrlSrvCfg_GetHostRamSize(h, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(h);
}

static void test_srvcfg_dns(void **state)
{
	PRL_HANDLE h = make_srvcfg(), l;
	assert_int_equal(PrlSrvCfg_GetDnsServers(h, &l), PRL_ERR_SUCCESS);
	PRL_UINT32 n = 0, len;
	char buf[64];
	assert_int_equal(PrlStrList_GetItemsCount(l, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, 2);
	len = sizeof(buf);
	assert_int_equal(PrlStrList_GetItem(l, 1, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, "2001:db8::53");
	assert_int_equal(PrlSrvCfg_GetDnsServers(h, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(l);
	PrlHandle_Free(h);
}

static void check_dev(PRL_HANDLE d, PRL_HANDLE_TYPE pht, PRL_DEVICE_TYPE type,
		      const char *name, const char *id)
{
	PRL_HANDLE_TYPE t;
	PRL_DEVICE_TYPE dt = PDE_GENERIC_DEVICE;
	assert_int_equal(PrlHandle_GetType(d, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, pht);
	assert_int_equal(PrlSrvCfgDev_GetType(d, &dt), PRL_ERR_SUCCESS);
	assert_int_equal(dt, type);
	check_str(PrlSrvCfgDev_GetName, d, name);
	check_str(PrlSrvCfgDev_GetId, d, id);
}

static void test_srvcfg_devices(void **state)
{
	PRL_HANDLE h = make_srvcfg(), d;
	assert_int_equal(u32_of(PrlSrvCfg_GetHardDisksCount, h), 1);
	assert_int_equal(u32_of(PrlSrvCfg_GetNetAdaptersCount, h), 1);
	assert_int_equal(u32_of(PrlSrvCfg_GetOpticalDisksCount, h), 1);
	assert_int_equal(PrlSrvCfg_GetHardDisk(h, 0, &d), PRL_ERR_SUCCESS);
	PrlHandle_Free(h);                                      /* device keeps it */
	check_dev(d, PHT_HW_HARD_DISK, PDE_HARD_DISK, "QEMU HARDDISK", "/dev/sda");
	PrlHandle_Free(d);

	h = make_srvcfg();
	assert_int_equal(PrlSrvCfg_GetNetAdapter(h, 0, &d), PRL_ERR_SUCCESS);
	check_dev(d, PHT_HW_NET_ADAPTER, PDE_GENERIC_NETWORK_ADAPTER, "eth0", "eth0");
	PrlHandle_Free(d);
	assert_int_equal(PrlSrvCfg_GetOpticalDisk(h, 0, &d), PRL_ERR_SUCCESS);
	check_dev(d, PHT_HW_GENERIC_DEVICE, PDE_OPTICAL_DISK, "QEMU DVD-ROM", "/dev/sr0");
	PrlHandle_Free(d);
	assert_int_equal(PrlSrvCfg_GetHardDisk(h, 1, &d), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrvCfg_GetNetAdapter(h, 1, &d), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrvCfg_GetOpticalDisk(h, 7, &d), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrvCfg_GetHardDisk(h, 0, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(h);
}

static void test_srvcfg_wrong_handles(void **state)
{
	PRL_HANDLE h = make_srvcfg(), s = make_stats(), d;
	PRL_UINT32 n, len = 0;
	PRL_DEVICE_TYPE dt;
	assert_int_equal(PrlSrvCfgDev_GetName(h, NULL, &len), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrvCfgDev_GetType(s, &dt), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrvCfg_GetCpuCount(s, &n), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlStat_GetCpusStatsCount(h, &n), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrvCfg_GetHardDisk(h, 0, &d), PRL_ERR_SUCCESS);
	assert_int_equal(PrlSrvCfg_GetHardDisksCount(d, &n), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlSrvCfgDev_GetType(d, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(d);
	assert_int_equal(PrlSrvCfgDev_GetType(d, &dt), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(s);
	PrlHandle_Free(h);
}

/* Before PrlApi_InitEx every getter says so. */
static void test_uninitialized(void **state)
{
	PRL_UINT64 v;
	PRL_UINT32 n;
	assert_int_equal(PrlStat_GetTotalRamSize(PRL_INVALID_HANDLE, &v),
			 PRL_ERR_API_WASNT_INITIALIZED);
	assert_int_equal(PrlSrvCfg_GetCpuCount(PRL_INVALID_HANDLE, &n),
			 PRL_ERR_API_WASNT_INITIALIZED);
	assert_int_equal(PrlSrvCfgDev_GetType(PRL_INVALID_HANDLE, NULL),
			 PRL_ERR_API_WASNT_INITIALIZED);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest before_init[] = {
		cmocka_unit_test(test_uninitialized),
	};
	const struct CMUnitTest tests[] = {
		T(test_root_numbers),
		T(test_cpus),
		T(test_ifaces),
		T(test_disks_and_partitions),
		T(test_processes),
		T(test_user_sessions),
		T(test_wrong_and_stale_handles),
		T(test_children_outlive_root),
		T(test_from_bin),
		T(test_empty_snapshot),
		T(test_srvcfg_host),
		T(test_srvcfg_dns),
		T(test_srvcfg_devices),
		T(test_srvcfg_wrong_handles),
	};
	int failed = cmocka_run_group_tests_name("before init", before_init, NULL, NULL);
	return failed + cmocka_run_group_tests_name("stat", tests, group_setup,
						    group_teardown);
}
