/*
 * stat.c — host statistics: PHT_SYSTEM_STATISTICS and its children
 * (PHT_SYSTEM_STATISTICS_CPU, _IFACE, _DISK, _DISK_PARTITION, _PROCESS,
 * _USER_SESSION), i.e. every PrlStat*_ function.
 *
 * The root object owns one unpacked Prl__Statistics.  A child handle is a
 * small object that points at its part of that message and holds a
 * reference on the root, so the message lives exactly as long as the last
 * handle into it, whatever order the caller frees them in.  Nothing is
 * mutable after construction, so no lock is needed.
 *
 * Units are those of the wire (proto/prl.proto): bytes, seconds for
 * uptimes, microseconds for CPU and process times, percent for usage.
 */
#include <stdint.h>
#include <stdlib.h>

#include "stat.h"
#include "PrlApi.h"

typedef struct stat_obj {
	prl__obj base;
	struct stat_obj *root;           /* reference; NULL on the root itself */
	Prl__Statistics *st;             /* root only: owned */
	const void *msg;                 /* the message this handle shows */
} stat_obj;

static void stat_destroy(prl__obj *o)
{
	stat_obj *s = (stat_obj *)o;
	if (s->root)
		prl__put(&s->root->base);
	else if (s->st)
		prl__statistics__free_unpacked(s->st, NULL);
	free(s);
}

static const prl__type stat_type = { PHT_SYSTEM_STATISTICS, stat_destroy };
static const prl__type cpu_type = { PHT_SYSTEM_STATISTICS_CPU, stat_destroy };
static const prl__type iface_type = { PHT_SYSTEM_STATISTICS_IFACE, stat_destroy };
static const prl__type user_type = { PHT_SYSTEM_STATISTICS_USER_SESSION, stat_destroy };
static const prl__type disk_type = { PHT_SYSTEM_STATISTICS_DISK, stat_destroy };
static const prl__type part_type = { PHT_SYSTEM_STATISTICS_DISK_PARTITION, stat_destroy };
static const prl__type proc_type = { PHT_SYSTEM_STATISTICS_PROCESS, stat_destroy };

/* Takes ownership of st (freed here on failure). */
static prl__obj *stat_root(Prl__Statistics *st)
{
	if (!st)
		return NULL;
	stat_obj *s = prl__new(sizeof(*s), &stat_type);
	if (!s) {
		prl__statistics__free_unpacked(st, NULL);
		return NULL;
	}
	s->st = st;
	s->msg = st;
	return &s->base;
}

prl__obj *prl__stat_from_bin(const void *buf, size_t len)
{
	if (!buf && len)
		return NULL;
	return stat_root(prl__statistics__unpack(NULL, len, buf));
}

/* The copy goes through the wire encoding: the one deep copy protobuf-c
 * offers, and it leaves nothing shared with the caller's message. */
prl__obj *prl__stat_new(const Prl__Statistics *st)
{
	if (!st)
		return NULL;
	size_t n = prl__statistics__get_packed_size(st);
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return NULL;
	prl__statistics__pack(st, b);
	prl__obj *o = prl__stat_from_bin(b, n);
	free(b);
	return o;
}

/* Hands the caller a new child handle showing msg, of type t. */
static PRL_RESULT give_child(stat_obj *parent, const prl__type *t, const void *msg,
			     PRL_HANDLE_PTR out)
{
	stat_obj *root = parent->root ? parent->root : parent;
	stat_obj *c = prl__new(sizeof(*c), t);
	if (!c)
		return PRL_ERR_OUT_OF_MEMORY;
	prl__ref(&root->base);
	c->root = root;
	c->msg = msg;
	*out = prl__handle(&c->base);
	return PRL_ERR_SUCCESS;
}

/* ---- getter generators --------------------------------------------------- */

#define MSG(o, T) ((const T *)(o)->msg)

#define STAT_NUM(Name, pht, T, ptr_t, field)                                  \
	PRL_METHOD(Name)(PRL_HANDLE h, ptr_t out)                             \
	{                                                                     \
		PRL__OBJ(o, stat_obj, h, pht);                                \
		PRL__CHECK_ARG(out);                                          \
		*out = MSG(o, T)->field;                                      \
		return PRL_ERR_SUCCESS;                                       \
	}

/* Times travel in microseconds; the API reports whole seconds, as the real
 * SDK documents for every PrlStatCpu_ / PrlStatProc_ time getter. */
#define STAT_SECONDS(Name, pht, T, field)                                     \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_UINT64_PTR out)                    \
	{                                                                     \
		PRL__OBJ(o, stat_obj, h, pht);                                \
		PRL__CHECK_ARG(out);                                          \
		*out = MSG(o, T)->field / 1000000u;                           \
		return PRL_ERR_SUCCESS;                                       \
	}

#define STAT_STR(Name, pht, T, field)                                         \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_STR buf, PRL_UINT32_PTR len)       \
	{                                                                     \
		PRL__OBJ(o, stat_obj, h, pht);                                \
		PRL__CHECK_ARG(len);                                          \
		return prl__copy_str(MSG(o, T)->field, buf, len);             \
	}

#define STAT_COUNT(Name, pht, T, nfield)                                      \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_UINT32_PTR out)                    \
	{                                                                     \
		PRL__OBJ(o, stat_obj, h, pht);                                \
		PRL__CHECK_ARG(out);                                          \
		size_t n_ = MSG(o, T)->nfield;                                \
		*out = n_ > UINT32_MAX ? UINT32_MAX : (PRL_UINT32)n_;         \
		return PRL_ERR_SUCCESS;                                       \
	}

/* Index out of range is PRL_ERR_INVALID_ARG, as for every SDK list. */
#define STAT_ITEM(Name, pht, T, arr, nfield, child)                           \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_UINT32 i, PRL_HANDLE_PTR out)      \
	{                                                                     \
		PRL__OBJ(o, stat_obj, h, pht);                                \
		const T *m_ = MSG(o, T);                                      \
		PRL__CHECK_ARG(out && i < m_->nfield && m_->arr[i]);          \
		return give_child(o, &(child), m_->arr[i], out);              \
	}

#define ROOT PHT_SYSTEM_STATISTICS
#define ROOT_U64(Name, field) STAT_NUM(Name, ROOT, Prl__Statistics, PRL_UINT64_PTR, field)

/* ---- PHT_SYSTEM_STATISTICS ------------------------------------------------ */

ROOT_U64(PrlStat_GetTotalRamSize, ram_total)
ROOT_U64(PrlStat_GetUsageRamSize, ram_usage)
ROOT_U64(PrlStat_GetFreeRamSize, ram_free)
ROOT_U64(PrlStat_GetRealRamSize, ram_real)
ROOT_U64(PrlStat_GetTotalSwapSize, swap_total)
ROOT_U64(PrlStat_GetUsageSwapSize, swap_usage)
ROOT_U64(PrlStat_GetFreeSwapSize, swap_free)
ROOT_U64(PrlStat_GetOsUptime, os_uptime)
ROOT_U64(PrlStat_GetDispUptime, disp_uptime)

STAT_COUNT(PrlStat_GetCpusStatsCount, ROOT, Prl__Statistics, n_cpus)
STAT_COUNT(PrlStat_GetIfacesStatsCount, ROOT, Prl__Statistics, n_ifaces)
STAT_COUNT(PrlStat_GetUsersStatsCount, ROOT, Prl__Statistics, n_users)
STAT_COUNT(PrlStat_GetDisksStatsCount, ROOT, Prl__Statistics, n_disks)
STAT_COUNT(PrlStat_GetProcsStatsCount, ROOT, Prl__Statistics, n_procs)

STAT_ITEM(PrlStat_GetCpuStat, ROOT, Prl__Statistics, cpus, n_cpus, cpu_type)
STAT_ITEM(PrlStat_GetIfaceStat, ROOT, Prl__Statistics, ifaces, n_ifaces, iface_type)
STAT_ITEM(PrlStat_GetUserStat, ROOT, Prl__Statistics, users, n_users, user_type)
STAT_ITEM(PrlStat_GetDiskStat, ROOT, Prl__Statistics, disks, n_disks, disk_type)
STAT_ITEM(PrlStat_GetProcStat, ROOT, Prl__Statistics, procs, n_procs, proc_type)

/* ---- PHT_SYSTEM_STATISTICS_CPU -------------------------------------------- */

#define CPU PHT_SYSTEM_STATISTICS_CPU
STAT_NUM(PrlStatCpu_GetCpuUsage, CPU, Prl__CpuStat, PRL_UINT32_PTR, usage)
STAT_SECONDS(PrlStatCpu_GetTotalTime, CPU, Prl__CpuStat, total_time)
STAT_SECONDS(PrlStatCpu_GetUserTime, CPU, Prl__CpuStat, user_time)
STAT_SECONDS(PrlStatCpu_GetSystemTime, CPU, Prl__CpuStat, system_time)

/* ---- PHT_SYSTEM_STATISTICS_IFACE ------------------------------------------ */

#define IFACE PHT_SYSTEM_STATISTICS_IFACE
STAT_STR(PrlStatIface_GetSystemName, IFACE, Prl__IfaceStat, name)
STAT_NUM(PrlStatIface_GetInDataSize, IFACE, Prl__IfaceStat, PRL_UINT64_PTR, in_bytes)
STAT_NUM(PrlStatIface_GetOutDataSize, IFACE, Prl__IfaceStat, PRL_UINT64_PTR, out_bytes)
STAT_NUM(PrlStatIface_GetInPkgsCount, IFACE, Prl__IfaceStat, PRL_UINT64_PTR, in_pkts)
STAT_NUM(PrlStatIface_GetOutPkgsCount, IFACE, Prl__IfaceStat, PRL_UINT64_PTR, out_pkts)

/* ---- PHT_SYSTEM_STATISTICS_USER_SESSION ----------------------------------- */

#define USER PHT_SYSTEM_STATISTICS_USER_SESSION
STAT_STR(PrlStatUser_GetUserName, USER, Prl__UserSessionStat, user)
STAT_STR(PrlStatUser_GetServiceName, USER, Prl__UserSessionStat, service)
STAT_STR(PrlStatUser_GetHostName, USER, Prl__UserSessionStat, host)
STAT_NUM(PrlStatUser_GetSessionTime, USER, Prl__UserSessionStat, PRL_UINT64_PTR, session_time)

/* ---- PHT_SYSTEM_STATISTICS_DISK and _DISK_PARTITION ------------------------- */

#define DISK PHT_SYSTEM_STATISTICS_DISK
STAT_STR(PrlStatDisk_GetSystemName, DISK, Prl__DiskStat, name)
STAT_NUM(PrlStatDisk_GetUsageDiskSpace, DISK, Prl__DiskStat, PRL_UINT64_PTR, used)
STAT_NUM(PrlStatDisk_GetFreeDiskSpace, DISK, Prl__DiskStat, PRL_UINT64_PTR, free)
STAT_COUNT(PrlStatDisk_GetPartsStatsCount, DISK, Prl__DiskStat, n_parts)
STAT_ITEM(PrlStatDisk_GetPartStat, DISK, Prl__DiskStat, parts, n_parts, part_type)

#define PART PHT_SYSTEM_STATISTICS_DISK_PARTITION
STAT_STR(PrlStatDiskPart_GetSystemName, PART, Prl__DiskPartStat, name)
STAT_NUM(PrlStatDiskPart_GetUsageDiskSpace, PART, Prl__DiskPartStat, PRL_UINT64_PTR, used)
STAT_NUM(PrlStatDiskPart_GetFreeDiskSpace, PART, Prl__DiskPartStat, PRL_UINT64_PTR, free)

/* ---- PHT_SYSTEM_STATISTICS_PROCESS ------------------------------------------ */

#define PROC PHT_SYSTEM_STATISTICS_PROCESS
STAT_STR(PrlStatProc_GetCommandName, PROC, Prl__ProcStat, command)
STAT_NUM(PrlStatProc_GetId, PROC, Prl__ProcStat, PRL_UINT32_PTR, pid)
STAT_STR(PrlStatProc_GetOwnerUserName, PROC, Prl__ProcStat, owner)
STAT_NUM(PrlStatProc_GetTotalMemUsage, PROC, Prl__ProcStat, PRL_UINT64_PTR, total_mem)
STAT_NUM(PrlStatProc_GetRealMemUsage, PROC, Prl__ProcStat, PRL_UINT64_PTR, real_mem)
STAT_NUM(PrlStatProc_GetVirtMemUsage, PROC, Prl__ProcStat, PRL_UINT64_PTR, virt_mem)
STAT_NUM(PrlStatProc_GetStartTime, PROC, Prl__ProcStat, PRL_UINT64_PTR, start_time)
STAT_SECONDS(PrlStatProc_GetTotalTime, PROC, Prl__ProcStat, total_time)
STAT_SECONDS(PrlStatProc_GetUserTime, PROC, Prl__ProcStat, user_time)
STAT_SECONDS(PrlStatProc_GetSystemTime, PROC, Prl__ProcStat, system_time)
STAT_NUM(PrlStatProc_GetCpuUsage, PROC, Prl__ProcStat, PRL_UINT32_PTR, cpu_usage)

PRL_METHOD(PrlStatProc_GetState)(PRL_HANDLE hProcStat, PRL_PROCESS_STATE_TYPE_PTR pnState)
{
	PRL__OBJ(o, stat_obj, hProcStat, PROC);
	PRL__CHECK_ARG(pnState);
	*pnState = (PRL_PROCESS_STATE_TYPE)MSG(o, Prl__ProcStat)->state;
	return PRL_ERR_SUCCESS;
}
