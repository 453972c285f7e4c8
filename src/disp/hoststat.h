/* Host information and statistics for the dispatcher, read from the real host.
 *
 * Two services:
 *  - disp_hoststat_fill_config() describes the machine once (RAM, CPUs, OS,
 *    network, disks) as a Prl__ServerConfig for PrlSrv_GetSrvConfig;
 *  - a collector (disp_hoststat_new) samples /proc, sysfs and statvfs into a
 *    Prl__Statistics.  It keeps the previous sample, so CPU usage per CPU and
 *    per process is computed over the interval between two collect calls
 *    (the first call measures since boot / since each process started).
 *
 * Units on the wire: RAM, swap, disk and process memory in bytes; CPU and
 * process times in microseconds; uptimes in seconds; process start time in
 * seconds since the Unix epoch; CPU usage in percent (per CPU for CpuStat,
 * of one CPU for ProcStat, like top(1), so a busy multi-threaded process may
 * exceed 100).
 *
 * Thread rules: the functions keep no global state; one collector must not be
 * used by two threads at once.  Everything they allocate is plain malloc and
 * is released by the matching free function (also safe on a half-filled
 * message left behind by an error).
 */
#ifndef DISP_HOSTSTAT_H
#define DISP_HOSTSTAT_H

#include "prl.pb-c.h"

/* Fills *out (initialised here) with the host's description.  Strings and
 * arrays are owned by *out until disp_hoststat_free_config().  Returns 0, or
 * -errno when memory runs out (missing /proc or sysfs files only leave the
 * matching fields unset). */
int  disp_hoststat_fill_config(Prl__ServerConfig *out);
void disp_hoststat_free_config(Prl__ServerConfig *cfg);

typedef struct disp_hoststat disp_hoststat;

/* A collector; its clock for the dispatcher uptime starts here.  NULL when
 * memory runs out. */
disp_hoststat *disp_hoststat_new(void);
void disp_hoststat_destroy(disp_hoststat *c);

/* Takes one sample into *out (initialised here).  A process that vanishes
 * during the scan is skipped.  Returns 0, or -errno when /proc/stat cannot be
 * read or memory runs out; *out must be released with disp_hoststat_free()
 * in every case. */
int  disp_hoststat_collect(disp_hoststat *c, Prl__Statistics *out);
void disp_hoststat_free(Prl__Statistics *st);

#endif
