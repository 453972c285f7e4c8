/*
 * perfstats.c — performance counters and VM statistics from libvirt's
 * domain statistics (see perfstats.h for the names, units and filters).
 *
 * Filters are matched by simulating the pattern over the set of name
 * positions it can reach, kept as one 64-bit word (counter names are
 * shorter than 64 bytes): linear in the pattern, so no filter a client
 * sends can make matching blow up the way backtracking globs do.
 *
 * A VM's disks and adapters are named from its configuration, as the real
 * SDK does (a disk by bus and stack index, an adapter by its index), and
 * their libvirt figures are found the way the domain was built (hvxml.c):
 * a disk by the target name it got (hdX/sdX/vdX in device order), an
 * adapter by its position among the enabled ones.  A device libvirt says
 * nothing about (the test driver reports no I/O) counts zero.
 */
#include "perfstats.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "PrlPerfCounters.h"
#include "frame.h"
#include "uuid.h"

/* ---- filters -------------------------------------------------------------- */

typedef struct pattern {
	const char *p;
	size_t len;
} pattern;

struct disp_perf_filter {
	bool all;
	char *text;                     /* the patterns point into it */
	pattern *pat;
	size_t n;
};

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static void add_pattern(disp_perf_filter *f, const char *p, size_t len)
{
	trim(&p, &len);
	if (len == 1 && *p == '*')
		f->all = true;
	else if (len)
		f->pat[f->n++] = (pattern){ p, len };
}

disp_perf_filter *disp_perf_filter_new(const char *spec)
{
	disp_perf_filter *f = calloc(1, sizeof *f);
	size_t commas = 0;
	for (const char *s = spec; s && *s; s++)
		commas += *s == ',';
	if (!f || !(f->text = strdup(spec ? spec : "")) ||
	    !(f->pat = calloc(commas + 1, sizeof *f->pat))) {
		disp_perf_filter_free(f);
		return NULL;
	}
	for (char *s = f->text, *end; ; s = end + 1) {
		end = strchr(s, ',');
		add_pattern(f, s, end ? (size_t)(end - s) : strlen(s));
		if (!end)
			break;
	}
	f->all |= f->n == 0;
	return f;
}

void disp_perf_filter_free(disp_perf_filter *f)
{
	if (!f)
		return;
	free(f->text);
	free(f->pat);
	free(f);
}

bool disp_perf_filter_match(const disp_perf_filter *f, const char *name)
{
	if (!f || f->all)
		return true;
	for (size_t i = 0; i < f->n; i++)
		if (disp_perf_glob(f->pat[i].p, f->pat[i].len, name))
			return true;
	return false;
}

/* Bits lo..hi (inclusive) set; hi <= 63. */
static uint64_t bit_range(unsigned lo, unsigned hi)
{
	uint64_t upto = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
	return upto & ~((1ull << lo) - 1);
}

/* Positions reachable after a '#' (one or more digits) from those in cur. */
static uint64_t step_digits(uint64_t cur, const char *s, size_t len)
{
	uint64_t next = 0;
	bool run = false;
	for (size_t i = 0; i < len; i++) {
		run |= (cur >> i) & 1;
		if (!isdigit((unsigned char)s[i]))
			run = false;
		else if (run)
			next |= 1ull << (i + 1);
	}
	return next;
}

static uint64_t step_char(uint64_t cur, const char *s, size_t len, char c)
{
	uint64_t next = 0;
	for (size_t i = 0; i < len; i++)
		if (((cur >> i) & 1) && s[i] == c)
			next |= 1ull << (i + 1);
	return next;
}

bool disp_perf_glob(const char *p, size_t plen, const char *name)
{
	size_t len = strlen(name);
	if (len >= 64)
		return false;
	uint64_t cur = 1;               /* position 0: nothing consumed */
	for (size_t j = 0; j < plen && cur; j++) {
		if (p[j] == '*')
			cur = bit_range((unsigned)__builtin_ctzll(cur),
					(unsigned)len);
		else if (p[j] == '#')
			cur = step_digits(cur, name, len);
		else
			cur = step_char(cur, name, len, p[j]);
	}
	return (cur >> len) & 1;
}

/* ---- counter sets --------------------------------------------------------- */

void disp_perf_set_clear(disp_perf_set *s)
{
	free(s->c);
	memset(s, 0, sizeof *s);
}

int disp_perf_set_add(disp_perf_set *s, const char *pattern, unsigned idx,
		      uint32_t type, uint64_t value)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		disp_perf_counter *c = realloc(s->c, cap * sizeof *c);
		if (!c)
			return -1;
		s->c = c;
		s->cap = cap;
	}
	disp_perf_counter *c = &s->c[s->n++];
	const char *hash = strchr(pattern, '#');
	if (hash)
		snprintf(c->name, sizeof c->name, "%.*s%u%s",
			 (int)(hash - pattern), pattern, idx, hash + 1);
	else
		snprintf(c->name, sizeof c->name, "%s", pattern);
	c->type = type;
	c->value = value;
	return 0;
}

const disp_perf_counter *disp_perf_set_find(const disp_perf_set *s,
					    const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return &s->c[i];
	return NULL;
}

/* ---- a VM's devices ------------------------------------------------------- */

static bool dev_on(const Prl__VmDevice *d)
{
	return !d->has_enabled || d->enabled;
}

static uint32_t disk_iface(const Prl__VmDevice *d)
{
	return d->has_iface_type ? d->iface_type : PMS_SATA_DEVICE;
}

void disp_perf_disk_prefix(const Prl__VmDevice *d, char *out, size_t len)
{
	static const char *const bus[] = {
		[PMS_IDE_DEVICE] = "ide", [PMS_SCSI_DEVICE] = "scsi",
		[PMS_SATA_DEVICE] = "sata", [PMS_VIRTIO_BLOCK_DEVICE] = "virtio",
	};
	uint32_t t = disk_iface(d);
	unsigned idx = d->has_stack_index ? d->stack_index : d->index;
	snprintf(out, len, "devices.%s%u", t <= PMS_VIRTIO_BLOCK_DEVICE ?
		 bus[t] : "sata", idx);
}

typedef struct hv_disk {
	char name[32];
	uint64_t rd_bytes, wr_bytes, rd_reqs, wr_reqs;
} hv_disk;

/* The target name hvxml.c gives the next disk of d's bus family. */
static void disk_target(const Prl__VmDevice *d, unsigned n[3], char out[8])
{
	uint32_t t = disk_iface(d);
	int fam = t == PMS_IDE_DEVICE ? 0 : t == PMS_VIRTIO_BLOCK_DEVICE ? 2 : 1;
	static const char *const pre[] = { "hd", "sd", "vd" };
	snprintf(out, 8, "%s%c", pre[fam], 'a' + n[fam]++ % 26);
}

static const hv_disk *disk_io(const disp_hv_stats *hv, const char *target)
{
	for (unsigned i = 0; hv && i < hv->n_disks && i < DISP_HV_MAX_DEVS; i++)
		if (!strcmp(hv->disks[i].name, target))
			return (const hv_disk *)&hv->disks[i];
	return NULL;
}

typedef int (*disk_fn)(void *arg, const Prl__VmDevice *d, const hv_disk *io);
typedef int (*nic_fn)(void *arg, const Prl__VmDevice *d, unsigned pos);

/* Calls fn for every enabled hard disk with its libvirt figures (or NULL). */
static int each_disk(const Prl__VmConfig *cfg, const disp_hv_stats *hv,
		     disk_fn fn, void *arg)
{
	unsigned n[3] = { 0, 0, 0 };
	for (size_t i = 0; i < cfg->n_devices; i++) {
		const Prl__VmDevice *d = cfg->devices[i];
		if (!dev_on(d) || (d->type != PDE_HARD_DISK &&
				   d->type != PDE_OPTICAL_DISK))
			continue;
		char target[8];
		disk_target(d, n, target);
		if (d->type == PDE_HARD_DISK && fn(arg, d, disk_io(hv, target)))
			return -1;
	}
	return 0;
}

static int each_nic(const Prl__VmConfig *cfg, nic_fn fn, void *arg)
{
	unsigned pos = 0;
	for (size_t i = 0; i < cfg->n_devices; i++) {
		const Prl__VmDevice *d = cfg->devices[i];
		if (!dev_on(d) || d->type != PDE_GENERIC_NETWORK_ADAPTER)
			continue;
		if (fn(arg, d, pos++))
			return -1;
	}
	return 0;
}

typedef struct traffic {
	uint64_t rx_bytes, tx_bytes, rx_pkts, tx_pkts;
} traffic;

static traffic nic_traffic(const disp_hv_stats *hv, unsigned pos)
{
	traffic t = { 0, 0, 0, 0 };
	if (pos < hv->n_nets && pos < DISP_HV_MAX_DEVS) {
		t.rx_bytes = hv->nets[pos].rx_bytes;
		t.tx_bytes = hv->nets[pos].tx_bytes;
		t.rx_pkts = hv->nets[pos].rx_pkts;
		t.tx_pkts = hv->nets[pos].tx_pkts;
	}
	return t;
}

/* ---- VM counters ---------------------------------------------------------- */

static unsigned vm_vcpus(const Prl__VmConfig *cfg, const disp_hv_stats *hv)
{
	if (hv->vcpus)
		return hv->vcpus;
	return cfg->has_cpu_count && cfg->cpu_count ? cfg->cpu_count : 1;
}

static uint32_t usage_percent(const disp_perf_delta *d, unsigned vcpus)
{
	if (!d->wall_ns || !vcpus)
		return 0;
	double pct = 100.0 * (double)d->cpu_ns / ((double)d->wall_ns * vcpus);
	return pct >= 100.0 ? 100 : (uint32_t)(pct + 0.5);
}

static uint64_t ram_total_kib(const Prl__VmConfig *cfg, const disp_hv_stats *hv)
{
	if (hv->mem_total_kib)
		return hv->mem_total_kib;
	return cfg->has_ram_mb ? (uint64_t)cfg->ram_mb << 10 : 0;
}

/* What the guest uses: its own report when a balloon driver gives one,
 * else the memory the VM holds on the host. */
static uint64_t ram_used_kib(const Prl__VmConfig *cfg, const disp_hv_stats *hv)
{
	uint64_t total = ram_total_kib(cfg, hv);
	if (hv->mem_unused_kib && hv->mem_unused_kib < total)
		return total - hv->mem_unused_kib;
	return hv->mem_rss_kib < total ? hv->mem_rss_kib : total;
}

typedef struct set_arg {
	disp_perf_set *s;
} set_arg;

static int disk_counters(void *arg, const Prl__VmDevice *d, const hv_disk *io)
{
	disp_perf_set *s = ((set_arg *)arg)->s;
	char pre[DISP_PERF_NAME_MAX - 16], name[DISP_PERF_NAME_MAX];
	static const char *const leaf[] = { "read_requests", "write_requests",
					    "read_total", "write_total" };
	uint64_t v[4] = { 0, 0, 0, 0 };
	if (io) {
		v[0] = io->rd_reqs;
		v[1] = io->wr_reqs;
		v[2] = io->rd_bytes;
		v[3] = io->wr_bytes;
	}
	disp_perf_disk_prefix(d, pre, sizeof pre);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "%s.%s", pre, leaf[i]);
		if (disp_perf_set_add(s, name, 0, PFD_UINT64, v[i]) < 0)
			return -1;
	}
	return 0;
}

typedef struct nic_arg {
	disp_perf_set *s;
	const disp_hv_stats *hv;
} nic_arg;

static int nic_counters(void *arg, const Prl__VmDevice *d, unsigned pos)
{
	nic_arg *a = arg;
	traffic t = nic_traffic(a->hv, pos);
	unsigned i = d->index;
	int rc = disp_perf_set_add(a->s, PRL_NET_PKTS_IN_PTRN, i, PFD_UINT64,
				   t.rx_pkts);
	rc |= disp_perf_set_add(a->s, PRL_NET_PKTS_OUT_PTRN, i, PFD_UINT64,
				t.tx_pkts);
	rc |= disp_perf_set_add(a->s, PRL_NET_BYTES_IN_PTRN, i, PFD_UINT64,
				t.rx_bytes);
	rc |= disp_perf_set_add(a->s, PRL_NET_BYTES_OUT_PTRN, i, PFD_UINT64,
				t.tx_bytes);
	return rc ? -1 : 0;
}

static int cpu_counters(const Prl__VmConfig *cfg, const disp_hv_stats *hv,
			const disp_perf_delta *d, unsigned host_cpus,
			disp_perf_set *s)
{
	unsigned vcpus = vm_vcpus(cfg, hv);
	int rc = 0;
	for (unsigned i = 0; i < vcpus && i < 1024; i++)
		rc |= disp_perf_set_add(s, PRL_GUEST_VCPU_TIME_PTRN, i, PFD_UINT64,
					hv->cpu_time_ns / vcpus);
	rc |= disp_perf_set_add(s, PRL_GUEST_CPU_USAGE_PTRN, 0, PFD_UINT32,
				usage_percent(d, vcpus));
	rc |= disp_perf_set_add(s, PRL_GUEST_CPU_TIME_PTRN, 0, PFD_UINT64,
				d->cpu_ns / 1000 / (host_cpus ? host_cpus : 1));
	rc |= disp_perf_set_add(s, PRL_HOST_CPU_TIME_PTRN, 0, PFD_UINT64,
				d->wall_ns / 1000);
	return rc ? -1 : 0;
}

static int ram_counters(const Prl__VmConfig *cfg, const disp_hv_stats *hv,
			disp_perf_set *s)
{
	static const char *const paging[] = {
		PRL_GUEST_RAM_SWAP_IN, PRL_GUEST_RAM_SWAP_OUT,
		PRL_GUEST_RAM_MINOR_FAULT, PRL_GUEST_RAM_MAJOR_FAULT,
	};
	int rc = disp_perf_set_add(s, PRL_GUEST_RAM_USAGE_PTRN, 0, PFD_UINT32,
				   ram_used_kib(cfg, hv) >> 10);
	rc |= disp_perf_set_add(s, PRL_GUEST_RAM_CACHED_PTRN, 0, PFD_UINT32, 0);
	rc |= disp_perf_set_add(s, PRL_GUEST_RAM_TOTAL_PTRN, 0, PFD_UINT32,
				ram_total_kib(cfg, hv) >> 10);
	rc |= disp_perf_set_add(s, PRL_GUEST_RAM_BALLOON_ACTUAL, 0, PFD_UINT32,
				hv->mem_total_kib >> 10);
	for (size_t i = 0; i < sizeof paging / sizeof *paging; i++)
		rc |= disp_perf_set_add(s, paging[i], 0, PFD_UINT64, 0);
	return rc ? -1 : 0;
}

int disp_perf_vm_counters(const Prl__VmConfig *cfg, const disp_hv_stats *hv,
			  const disp_perf_delta *d, unsigned host_cpus,
			  disp_perf_set *s)
{
	set_arg sa = { s };
	nic_arg na = { s, hv };
	if (cpu_counters(cfg, hv, d, host_cpus, s) < 0 ||
	    ram_counters(cfg, hv, s) < 0 ||
	    each_disk(cfg, hv, disk_counters, &sa) < 0 ||
	    each_nic(cfg, nic_counters, &na) < 0)
		return -1;
	return 0;
}

int disp_perf_host_counters(const Prl__Statistics *host, disp_perf_set *s)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < host->n_cpus; i++)
		sum += host->cpus[i]->usage;
	int rc = disp_perf_set_add(s, "host.cpu.usage", 0, PFD_UINT32,
				   host->n_cpus ? sum / host->n_cpus : 0);
	rc |= disp_perf_set_add(s, "host.ram.total", 0, PFD_UINT64,
				host->ram_total >> 20);
	rc |= disp_perf_set_add(s, "host.ram.usage", 0, PFD_UINT64,
				host->ram_usage >> 20);
	rc |= disp_perf_set_add(s, "host.ram.free", 0, PFD_UINT64,
				host->ram_free >> 20);
	return rc ? -1 : 0;
}

/* ---- meters --------------------------------------------------------------- */

#define METER_FORGET_NS (60ull * 1000 * 1000 * 1000)

typedef struct meter {
	char uuid[PRLC_UUID_LEN + 1];
	uint64_t cpu_ns, wall_ns;
} meter;

struct disp_perf_meters {
	pthread_mutex_t lock;
	meter *m;
	size_t n, cap;
};

disp_perf_meters *disp_perf_meters_new(void)
{
	disp_perf_meters *m = calloc(1, sizeof *m);
	if (m)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void disp_perf_meters_free(disp_perf_meters *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->m);
	free(m);
}

/* Drops records not renewed for a minute (VMs nobody watches any more). */
static void forget_old(disp_perf_meters *m, uint64_t now)
{
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++)
		if (now - m->m[i].wall_ns < METER_FORGET_NS)
			m->m[k++] = m->m[i];
	m->n = k;
}

static meter *find_meter(disp_perf_meters *m, const char *uuid)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcasecmp(m->m[i].uuid, uuid))
			return &m->m[i];
	return NULL;
}

static meter *new_meter(disp_perf_meters *m, const char *uuid)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		meter *a = realloc(m->m, cap * sizeof *a);
		if (!a)
			return NULL;
		m->m = a;
		m->cap = cap;
	}
	meter *r = &m->m[m->n++];
	snprintf(r->uuid, sizeof r->uuid, "%s", uuid);
	return r;
}

disp_perf_delta disp_perf_meters_record(disp_perf_meters *m, const char *uuid,
					uint64_t cpu_ns, uint64_t wall_ns)
{
	disp_perf_delta d = { 0, 0 };
	pthread_mutex_lock(&m->lock);
	forget_old(m, wall_ns);
	meter *r = find_meter(m, uuid);
	if (r && wall_ns >= r->wall_ns) {
		d.wall_ns = wall_ns - r->wall_ns;
		d.cpu_ns = cpu_ns >= r->cpu_ns ? cpu_ns - r->cpu_ns : 0;
	}
	if (!r)
		r = new_meter(m, uuid);
	if (r) {
		r->cpu_ns = cpu_ns;
		r->wall_ns = wall_ns;
	}
	pthread_mutex_unlock(&m->lock);
	return d;
}

bool disp_perf_meters_fresh(disp_perf_meters *m, const char *uuid,
			    uint64_t now_ns, uint64_t max_age_ns)
{
	pthread_mutex_lock(&m->lock);
	meter *r = find_meter(m, uuid);
	bool fresh = r && now_ns >= r->wall_ns &&
		     now_ns - r->wall_ns <= max_age_ns;
	pthread_mutex_unlock(&m->lock);
	return fresh;
}

/* ---- events --------------------------------------------------------------- */

/* One allocation: the pointer array, then the params, then the values. */
typedef struct param_slot {
	Prl__Param p;
	Prl__Value v;
} param_slot;

static void fill_param(param_slot *slot, const disp_perf_counter *c)
{
	prl__param__init(&slot->p);
	prl__value__init(&slot->v);
	slot->p.name = (char *)c->name;
	slot->p.has_type = 1;
	slot->p.type = c->type;
	slot->p.value = &slot->v;
	if (c->type == PFD_UINT32) {
		slot->v.v_case = PRL__VALUE__V_U32;
		slot->v.u32 = (uint32_t)c->value;
	} else {
		slot->v.v_case = PRL__VALUE__V_U64;
		slot->v.u64 = c->value;
	}
}

int disp_perf_event_fill(Prl__Event *ev, uint32_t type, uint32_t issuer_type,
			 const char *issuer_id, const disp_perf_set *s,
			 const disp_perf_filter *f)
{
	prl__event__init(ev);
	ev->type = type;
	ev->issuer_type = issuer_type;
	ev->issuer_id = (char *)issuer_id;
	size_t n = s ? s->n : 0;
	Prl__Param **pp = n ? malloc(n * (sizeof *pp + sizeof(param_slot))) :
		          NULL;
	if (n && !pp)
		return -1;
	param_slot *slots = (param_slot *)(pp + n);
	for (size_t i = 0; i < n; i++) {
		if (!disp_perf_filter_match(f, s->c[i].name))
			continue;
		fill_param(&slots[ev->n_params], &s->c[i]);
		pp[ev->n_params] = &slots[ev->n_params].p;
		ev->n_params++;
	}
	ev->params = pp;
	return 0;
}

void disp_perf_event_done(Prl__Event *ev)
{
	free(ev->params);
	ev->params = NULL;
	ev->n_params = 0;
}

Prl__Event *disp_perf_event_copy(const Prl__Event *ev)
{
	size_t n = prl__event__get_packed_size(ev);
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return NULL;
	prl__event__pack(ev, b);
	Prl__Event *c = prl__event__unpack(NULL, n, b);
	free(b);
	return c;
}

uint8_t *disp_perf_event_frame(const Prl__Event *ev, size_t *len)
{
	Prl__Frame f = PRL__FRAME__INIT;
	f.body_case = PRL__FRAME__BODY_EVENT;
	f.event = (Prl__Event *)ev;
	return prlc_frame_encode(&f, len);
}

/* ---- VM statistics -------------------------------------------------------- */

/* malloc + the message's init, or NULL. */
#define NEW_MSG(T, init)                                                  \
	({                                                                \
		T *m_ = malloc(sizeof(T));                                \
		if (m_)                                                   \
			init(m_);                                         \
		m_;                                                       \
	})

static int stat_cpu(Prl__Statistics *st, const Prl__VmConfig *cfg,
		    const disp_hv_stats *hv, const disp_perf_delta *d)
{
	Prl__CpuStat *c = NEW_MSG(Prl__CpuStat, prl__cpu_stat__init);
	st->cpus = malloc(sizeof *st->cpus);
	if (!c || !st->cpus) {
		free(c);
		return -1;
	}
	c->has_usage = c->has_total_time = c->has_user_time =
		c->has_system_time = 1;
	c->usage = usage_percent(d, vm_vcpus(cfg, hv));
	c->total_time = hv->cpu_time_ns / 1000;
	c->user_time = hv->cpu_user_ns / 1000;
	c->system_time = hv->cpu_system_ns / 1000;
	st->cpus[st->n_cpus++] = c;
	return 0;
}

static void stat_ram(Prl__Statistics *st, const Prl__VmConfig *cfg,
		     const disp_hv_stats *hv)
{
	uint64_t total = ram_total_kib(cfg, hv), used = ram_used_kib(cfg, hv);
	st->has_ram_total = st->has_ram_usage = st->has_ram_free =
		st->has_ram_real = 1;
	st->ram_total = total << 10;
	st->ram_usage = used << 10;
	st->ram_free = (total - used) << 10;
	st->ram_real = hv->mem_rss_kib << 10;
}

static int count_disk(void *arg, const Prl__VmDevice *d, const hv_disk *io)
{
	(void)d;
	(void)io;
	(*(size_t *)arg)++;
	return 0;
}

static int count_nic(void *arg, const Prl__VmDevice *d, unsigned pos)
{
	(void)d;
	(void)pos;
	(*(size_t *)arg)++;
	return 0;
}

static int stat_disk(void *arg, const Prl__VmDevice *d, const hv_disk *io)
{
	Prl__Statistics *st = arg;
	Prl__DiskIoStat *s = NEW_MSG(Prl__DiskIoStat, prl__disk_io_stat__init);
	char pre[48];
	disp_perf_disk_prefix(d, pre, sizeof pre);
	if (!s || !(s->name = strdup(pre + strlen("devices.")))) {
		free(s);
		return -1;
	}
	s->has_read_bytes = s->has_write_bytes = s->has_read_requests =
		s->has_write_requests = 1;
	if (io) {
		s->read_bytes = io->rd_bytes;
		s->write_bytes = io->wr_bytes;
		s->read_requests = io->rd_reqs;
		s->write_requests = io->wr_reqs;
	}
	st->disk_io[st->n_disk_io++] = s;
	return 0;
}

typedef struct iface_arg {
	Prl__Statistics *st;
	const disp_hv_stats *hv;
} iface_arg;

static int stat_iface(void *arg, const Prl__VmDevice *d, unsigned pos)
{
	iface_arg *a = arg;
	Prl__IfaceStat *f = NEW_MSG(Prl__IfaceStat, prl__iface_stat__init);
	char name[24];
	snprintf(name, sizeof name, "nic%u", d->index);
	if (!f || !(f->name = strdup(name))) {
		free(f);
		return -1;
	}
	traffic t = nic_traffic(a->hv, pos);
	f->has_in_bytes = f->has_out_bytes = f->has_in_pkts =
		f->has_out_pkts = 1;
	f->in_bytes = t.rx_bytes;
	f->out_bytes = t.tx_bytes;
	f->in_pkts = t.rx_pkts;
	f->out_pkts = t.tx_pkts;
	a->st->ifaces[a->st->n_ifaces++] = f;
	return 0;
}

static int stat_devices(Prl__Statistics *st, const Prl__VmConfig *cfg,
			const disp_hv_stats *hv)
{
	size_t nd = 0, nn = 0;
	each_disk(cfg, hv, count_disk, &nd);
	each_nic(cfg, count_nic, &nn);
	st->disk_io = nd ? calloc(nd, sizeof *st->disk_io) : NULL;
	st->ifaces = nn ? calloc(nn, sizeof *st->ifaces) : NULL;
	if ((nd && !st->disk_io) || (nn && !st->ifaces))
		return -1;
	iface_arg ia = { st, hv };
	if (nd && each_disk(cfg, hv, stat_disk, st) < 0)
		return -1;
	return nn ? each_nic(cfg, stat_iface, &ia) : 0;
}

Prl__Statistics *disp_perf_vm_statistics(const Prl__VmConfig *cfg,
					 const disp_hv_stats *hv,
					 const disp_perf_delta *d)
{
	Prl__Statistics *st = NEW_MSG(Prl__Statistics, prl__statistics__init);
	if (!st)
		return NULL;
	stat_ram(st, cfg, hv);
	if (stat_cpu(st, cfg, hv, d) < 0 || stat_devices(st, cfg, hv) < 0) {
		prl__statistics__free_unpacked(st, NULL);
		return NULL;
	}
	return st;
}

uint8_t *disp_perf_statistics_frame(const char *uuid,
				    const Prl__Statistics *st, size_t *len)
{
	size_t n = prl__statistics__get_packed_size(st);
	uint8_t *packed = malloc(n ? n : 1);
	if (!packed)
		return NULL;
	prl__statistics__pack(st, packed);
	Prl__Value val = PRL__VALUE__INIT;
	Prl__Param param = PRL__PARAM__INIT, *params[1] = { &param };
	Prl__Event ev = PRL__EVENT__INIT;
	val.v_case = PRL__VALUE__V_BIN;
	val.bin.data = packed;
	val.bin.len = n;
	param.name = "statistics";
	param.has_type = 1;
	param.type = PFD_BINARY;
	param.value = &val;
	ev.type = PET_DSP_EVT_VM_STATISTICS_UPDATED;
	ev.issuer_type = PIE_VIRTUAL_MACHINE;
	ev.issuer_id = (char *)uuid;
	ev.params = params;
	ev.n_params = 1;
	uint8_t *frame = disp_perf_event_frame(&ev, len);
	free(packed);
	return frame;
}
