/*
 * perfstats.h — VM performance counters and VM statistics as the real SDK
 * names them, built from libvirt's domain statistics (hv.h): the counter
 * filter, the counter list, the CPU meters that turn cumulative times into
 * deltas, and the wire messages (events and Statistics) that carry them.
 *
 * Pure functions of their arguments except the meters, so the unit tests
 * drive everything here with hand-made samples.  The subscriptions, the
 * 1000 ms tick and the operations that use this live in ops_perf.c; the
 * protocol is described in docs/perfstats.md.
 *
 * Counter names (PrlPerfCounters.h, '#' = an index):
 *   guest.vcpu#.time                 u64  ns of CPU time of vCPU # (the total
 *                                         split evenly: libvirt's total only)
 *   guest.cpu.usage                  u32  % of the VM's vCPUs busy since the
 *                                         previous query (0..100)
 *   guest.cpu.time / host.cpu.time   u64  µs since the previous query: guest
 *                                         CPU time over the host's CPU count,
 *                                         and wall-clock time
 *   guest.ram.usage/cached/total/balloon_actual   u32  MiB
 *   guest.ram.swap_in/swap_out/minor_fault/major_fault   u64  counts (0 until
 *                                         a balloon driver reports them)
 *   devices.<bus><stack index>.read_requests/write_requests/read_total/
 *     write_total                    u64  per hard disk; bus ide/scsi/sata
 *                                         (virtio disks: "virtio")
 *   net.nic<index>.pkts_in/pkts_out/bytes_in/bytes_out   u64  per adapter
 * and for the host (PrlSrv_*PerfStats): host.cpu.usage (u32 %),
 * host.ram.total/usage/free (u64 MiB).
 *
 * Filters: a comma-separated list of patterns; a pattern matches a whole
 * name, '*' standing for any run of characters and '#' for one or more
 * digits (so "guest.cpu.*" takes a group and "devices.sata#.read_total"
 * every SATA disk).  NULL, "" and "*" take everything.
 *
 * Thread rules: everything is thread-safe; a filter or counter set is used
 * by one thread at a time.
 */
#ifndef OPENPRL_DISP_PERFSTATS_H
#define OPENPRL_DISP_PERFSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv.h"
#include "prl.pb-c.h"

#define DISP_PERF_FILTER_MAX 4096       /* bytes of a filter we accept */
#define DISP_PERF_NAME_MAX 64

/* ---- filters -------------------------------------------------------------- */

typedef struct disp_perf_filter disp_perf_filter;

/* Parses spec (NULL or "" = everything).  NULL when memory runs out. */
disp_perf_filter *disp_perf_filter_new(const char *spec);
void disp_perf_filter_free(disp_perf_filter *f);
bool disp_perf_filter_match(const disp_perf_filter *f, const char *name);
/* One pattern against a whole name ('*' any run, '#' one or more digits). */
bool disp_perf_glob(const char *pattern, size_t plen, const char *name);

/* ---- counters ------------------------------------------------------------- */

typedef struct disp_perf_counter {
	char name[DISP_PERF_NAME_MAX];
	uint32_t type;                  /* PFD_UINT32 or PFD_UINT64 */
	uint64_t value;
} disp_perf_counter;

typedef struct disp_perf_set {
	disp_perf_counter *c;
	size_t n, cap;
} disp_perf_set;

void disp_perf_set_clear(disp_perf_set *s);
/* Appends one counter; name is a pattern whose first '#' becomes idx.
 * 0, or -1 when memory runs out. */
int disp_perf_set_add(disp_perf_set *s, const char *pattern, unsigned idx,
		      uint32_t type, uint64_t value);
const disp_perf_counter *disp_perf_set_find(const disp_perf_set *s,
					    const char *name);

/* CPU time and wall-clock time between two queries of one VM. */
typedef struct disp_perf_delta {
	uint64_t cpu_ns, wall_ns;
} disp_perf_delta;

/* Every counter of a VM, in the real SDK's order.  cfg names the disks
 * and adapters (the enabled ones, in the domain's order); host_cpus is
 * the host's CPU count.  0 or -1 (out of memory; s holds a prefix). */
int disp_perf_vm_counters(const Prl__VmConfig *cfg, const disp_hv_stats *hv,
			  const disp_perf_delta *d, unsigned host_cpus,
			  disp_perf_set *s);
/* The host's counters from a host statistics sample (hoststat.c). */
int disp_perf_host_counters(const Prl__Statistics *host, disp_perf_set *s);

/* The counter name prefix of a hard disk ("devices.sata0"), in out. */
void disp_perf_disk_prefix(const Prl__VmDevice *d, char *out, size_t len);

/* ---- meters --------------------------------------------------------------- */

typedef struct disp_perf_meters disp_perf_meters;

disp_perf_meters *disp_perf_meters_new(void);
void disp_perf_meters_free(disp_perf_meters *m);
/* Records a VM's cumulative CPU time at wall-clock time wall_ns
 * (monotonic) and returns the change since its previous record (zero for
 * the first).  Records older than a minute are forgotten. */
disp_perf_delta disp_perf_meters_record(disp_perf_meters *m, const char *uuid,
					uint64_t cpu_ns, uint64_t wall_ns);
/* Whether uuid has a record younger than max_age_ns at now_ns. */
bool disp_perf_meters_fresh(disp_perf_meters *m, const char *uuid,
			    uint64_t now_ns, uint64_t max_age_ns);

/* ---- messages ------------------------------------------------------------- */

/* An event of type/issuer with one parameter per counter of s that f
 * matches (f NULL: all), its pointers into s and into the arguments: valid
 * while they are.  n_params may be 0.  0, or -1 when memory runs out.
 * Release with disp_perf_event_done in either case. */
int disp_perf_event_fill(Prl__Event *ev, uint32_t type, uint32_t issuer_type,
			  const char *issuer_id, const disp_perf_set *s,
			  const disp_perf_filter *f);
void disp_perf_event_done(Prl__Event *ev);
/* A self-contained (deep, malloc'ed) copy of ev, for a result Value:
 * free with prl__event__free_unpacked.  NULL when memory runs out. */
Prl__Event *disp_perf_event_copy(const Prl__Event *ev);
/* The encoded frame of ev (malloc'ed), NULL when memory runs out. */
uint8_t *disp_perf_event_frame(const Prl__Event *ev, size_t *len);

/* A VM's statistics: cpus[0] = the whole VM (usage % since the previous
 * query, times in µs), RAM in bytes, one disk_io entry per hard disk
 * ("sata0"…), one iface per adapter ("nic0"…).  Every part malloc'ed:
 * free with prl__statistics__free_unpacked.  NULL when memory runs out. */
Prl__Statistics *disp_perf_vm_statistics(const Prl__VmConfig *cfg,
					 const disp_hv_stats *hv,
					 const disp_perf_delta *d);
/* The PET_DSP_EVT_VM_STATISTICS_UPDATED frame for a VM: issuer id uuid,
 * one PFD_BINARY parameter "statistics" holding st packed. */
uint8_t *disp_perf_statistics_frame(const char *uuid,
				    const Prl__Statistics *st, size_t *len);

/* ---- implemented in ops_perf.c (subscriptions and operations) ----------- */

typedef struct disp_server disp_server;

/* A running VM's statistics now (cpus[0].usage over the last period, or
 * over a short pause when nothing measured this VM lately): for
 * PJOC_VM_GET_STATISTICS.  Blocks (call from a worker).  PRL_RESULT;
 * on failure disp_hv_errmsg() says why. */
int disp_perf_vm_statistics_get(disp_hv *hv, const Prl__VmConfig *cfg,
				Prl__Statistics **out);

/* Forgets the subscriptions of srv and stops their timer.  Loop thread,
 * after disp_workers_free and before event_base_free. */
void disp_perfstats_fini(disp_server *srv);

#endif
