/* Host information and statistics from the real host (see hoststat.h).
 *
 * Everything comes from kernel interfaces that cost no privilege: /proc
 * (stat, meminfo, uptime, net/dev, net/route, self/mounts, <pid>/stat),
 * sysfs (block devices, network devices, cpufreq), statvfs(), uname(),
 * getifaddrs(), /etc/os-release, /etc/resolv.conf and the utmp file.
 *
 * Robustness: every file is read with a bounded buffer and parsed with
 * strto*() on NUL-terminated text, so an odd or truncated /proc file gives
 * zeros, never a crash.  A process that vanishes between readdir() and the
 * read of its files is skipped.
 *
 * Speed: the collector runs every second while anyone subscribes, so the
 * per-process path is two system calls plus one small read (openat+read of
 * /proc/<pid>/stat, fstatat for the owner), user names come from a uid cache,
 * and the previous per-process sample is a sorted array searched by pid.
 *
 * Memory: the messages are built with plain malloc (children, strings and
 * pointer arrays), so hs_free_fields() can walk the protobuf-c descriptor and
 * release any half-built message.
 */
#define _GNU_SOURCE
#include "hoststat.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <mntent.h>
#include <net/if.h>
#include <net/route.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

enum {
    HS_PHO_LIN = 1,                   /* PRL_HOST_OS_TYPE */
    HS_PCM_CPU_MODE_32 = 0,           /* PRL_CPU_MODE */
    HS_PCM_CPU_MODE_64 = 1,
    HS_PDE_OPTICAL_DISK = 5,          /* PRL_DEVICE_TYPE */
    HS_PDE_HARD_DISK = 6,
    HS_PDE_GENERIC_NETWORK_ADAPTER = 8,
    HS_PPS_PROC_SLEEP = 0,            /* PRL_PROCESS_STATE_TYPE */
    HS_PPS_PROC_RUN = 1,
    HS_PPS_PROC_STOP = 2,
    HS_PPS_PROC_ZOMBIE = 3,
    HS_PPS_PROC_IDLE = 4,
};

#define HS_SMALL_FILE   4096          /* /proc/<pid>/stat, sysfs attributes */
#define HS_TEXT_MAX     (1u << 20)    /* cap on /proc/stat, net/dev, cpuinfo */
#define HS_MAX_ITEMS    65536         /* cap on list lengths off the host */
#define HS_UID_CACHE    256
#define HS_UTMP_MAX     4096

/* ---- small helpers ------------------------------------------------------ */

struct hs_buf {
    char *p;
    size_t cap;
};

/* Reads a small file relative to dirfd into buf (NUL-terminated, at most
 * cap - 1 bytes).  Returns the length or -errno. */
static ssize_t hs_read_at(int dirfd, const char *path, char *buf, size_t cap)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? -errno : 0;
            close(fd);
            buf[len] = '\0';
            return err ? err : (ssize_t)len;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* Makes room for at least `need` bytes in b, never beyond HS_TEXT_MAX. */
static int hs_buf_grow(struct hs_buf *b, size_t need)
{
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 16384;
    while (cap < need)
        cap *= 2;
    if (cap > HS_TEXT_MAX)
        cap = HS_TEXT_MAX;
    if (cap <= b->cap)
        return -EFBIG;
    char *p = realloc(b->p, cap);
    if (!p)
        return -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Reads a whole text file into b (growing it up to HS_TEXT_MAX; a longer
 * file is truncated there).  Returns the length or -errno. */
static ssize_t hs_slurp(const char *path, struct hs_buf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = 0;
    ssize_t rc = 0;
    for (;;) {
        if (hs_buf_grow(b, len + 4096) < 0 && len + 1 >= b->cap)
            break;
        ssize_t n = read(fd, b->p + len, b->cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : 0;
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    if (rc < 0)
        return rc;
    if (!b->p && hs_buf_grow(b, 1) < 0)
        return -ENOMEM;
    b->p[len] = '\0';
    return (ssize_t)len;
}

/* Appends to a protobuf-c repeated field (pointer array + count).  The
 * capacity is implied by the count: 4, then doubling at each power of two. */
#define HS_PUSH(arr, n, item) __extension__ ({                              \
    int rc_ = 0;                                                            \
    if ((n) >= HS_MAX_ITEMS) {                                              \
        rc_ = -E2BIG;                                                       \
    } else if ((n) == 0 || ((n) >= 4 && ((n) & ((n) - 1)) == 0)) {          \
        size_t cap_ = (n) ? (n) * 2 : 4;                                    \
        __typeof__(arr) na_ = realloc((arr), cap_ * sizeof *(arr));         \
        if (na_)                                                            \
            (arr) = na_;                                                    \
        else                                                                \
            rc_ = -ENOMEM;                                                  \
    }                                                                       \
    if (rc_ == 0)                                                           \
        (arr)[(n)++] = (item);                                              \
    rc_; })

/* Allocates one child message and runs its protobuf-c initialiser. */
#define HS_NEW(T, init) __extension__ ({                                    \
    T *m_ = malloc(sizeof *m_);                                             \
    if (m_)                                                                 \
        init(m_);                                                           \
    m_; })

/* Frees what a message built here owns (strings, children, arrays) and
 * leaves it empty; the struct itself belongs to the caller. */
static void hs_free_fields(ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        void **slot = (void **)((char *)m + f->offset);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t *n = (size_t *)((char *)m + f->quantifier_offset);
            void **arr = *slot;
            for (size_t k = 0; arr && k < *n; k++) {
                if (f->type == PROTOBUF_C_TYPE_STRING)
                    free(arr[k]);
                else if (f->type == PROTOBUF_C_TYPE_MESSAGE)
                    protobuf_c_message_free_unpacked(arr[k], NULL);
            }
            free(arr);
            *n = 0;
        } else if (f->type == PROTOBUF_C_TYPE_STRING) {
            if (*slot != f->default_value)
                free(*slot);
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            if (*slot)
                protobuf_c_message_free_unpacked(*slot, NULL);
        } else {
            continue;
        }
        *slot = NULL;
    }
}

/* Returns a trimmed copy of [s, s+len) (leading/trailing blanks dropped). */
static char *hs_strndup_trim(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                   s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    return strndup(s, len);
}

/* Finds "key<blanks>: value" at a line start in text and returns a copy of
 * the value, or NULL. */
static char *hs_find_colon_value(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
        if (strncmp(l, key, klen) != 0)
            continue;
        const char *colon = l + klen + strspn(l + klen, " \t");
        const char *eol = strchrnul(l, '\n');
        if (*colon != ':')
            continue;
        return hs_strndup_trim(colon + 1, (size_t)(eol - colon - 1));
    }
    return NULL;
}

/* Parses the next unsigned decimal field of *p (blanks skipped); 0 when
 * there is none, so a short line reads as zeros. */
static uint64_t hs_next_u64(const char **p)
{
    char *end;
    unsigned long long v = strtoull(*p, &end, 10);
    if (end == *p) {
        while (**p && **p != ' ' && **p != '\n')
            (*p)++;
        return 0;
    }
    *p = end;
    return v;
}

static uint64_t hs_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- server configuration ---------------------------------------------- */

static void hs_cfg_ram(Prl__ServerConfig *c)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0) {
        c->has_ram_mb = 1;
        c->ram_mb = (uint32_t)((uint64_t)pages * (uint64_t)psize >> 20);
    }
}

/* The model is the first of these keys found in /proc/cpuinfo (x86, arm,
 * power, mips, riscv spell it differently). */
static char *hs_cpu_model(const char *cpuinfo)
{
    static const char *const keys[] = {
        "model name", "Model", "cpu model", "Processor", "cpu", "uarch",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char *v = hs_find_colon_value(cpuinfo, keys[i]);
        if (v && *v)
            return v;
        free(v);
    }
    return NULL;
}

/* Nominal speed: cpufreq's maximum when the kernel exposes it (the value
 * does not move with frequency scaling), else /proc/cpuinfo's "cpu MHz". */
static uint32_t hs_cpu_mhz(const char *cpuinfo)
{
    char buf[64];
    if (hs_read_at(AT_FDCWD, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq",
                   buf, sizeof buf) > 0) {
        unsigned long khz = strtoul(buf, NULL, 10);
        if (khz)
            return (uint32_t)(khz / 1000);
    }
    char *v = hs_find_colon_value(cpuinfo, "cpu MHz");
    uint32_t mhz = v ? (uint32_t)(strtod(v, NULL) + 0.5) : 0;
    free(v);
    return mhz;
}

static int hs_cfg_cpu(Prl__ServerConfig *c, const struct utsname *u)
{
    struct hs_buf b = { 0 };
    const char *info = hs_slurp("/proc/cpuinfo", &b) >= 0 ? b.p : "";
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c->has_cpu_count = 1;
    c->cpu_count = n > 0 ? (uint32_t)n : 1;
    c->cpu_model = hs_cpu_model(info);
    if (!c->cpu_model)
        c->cpu_model = strdup(u->machine);
    uint32_t mhz = hs_cpu_mhz(info);
    if (mhz) {
        c->has_cpu_speed_mhz = 1;
        c->cpu_speed_mhz = mhz;
    }
    c->has_cpu_mode = 1;
    c->cpu_mode = sizeof(void *) == 8 || strstr(u->machine, "64") ?
                  HS_PCM_CPU_MODE_64 : HS_PCM_CPU_MODE_32;
    free(b.p);
    return c->cpu_model ? 0 : -ENOMEM;
}

/* PRETTY_NAME from os-release, unquoted; NULL when absent. */
static char *hs_os_pretty_name(void)
{
    static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
    char buf[8192];
    for (size_t i = 0; i < 2; i++) {
        if (hs_read_at(AT_FDCWD, paths[i], buf, sizeof buf) <= 0)
            continue;
        for (char *l = buf; l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
            if (strncmp(l, "PRETTY_NAME=", 12) != 0)
                continue;
            char *v = l + 12, *eol = strchrnul(v, '\n');
            if (eol > v && (*v == '"' || *v == '\'') && eol[-1] == *v) {
                v++;
                eol--;
            }
            return eol > v ? strndup(v, (size_t)(eol - v)) : NULL;
        }
    }
    return NULL;
}

static int hs_cfg_os(Prl__ServerConfig *c, const struct utsname *u)
{
    unsigned maj = 0, min = 0, sub = 0;
    sscanf(u->release, "%u.%u.%u", &maj, &min, &sub);
    c->has_os_type = c->has_os_major = c->has_os_minor = c->has_os_subminor = 1;
    c->os_type = HS_PHO_LIN;
    c->os_major = maj;
    c->os_minor = min;
    c->os_subminor = sub;
    char *pretty = hs_os_pretty_name();
    int n = asprintf(&c->os_str, "%s, kernel %s", pretty ? pretty : u->sysname,
                     u->release);
    free(pretty);
    if (n < 0) {
        c->os_str = NULL;
        return -ENOMEM;
    }
    c->hostname = strdup(u->nodename);
    return c->hostname ? 0 : -ENOMEM;
}

/* IPv4 default route with the lowest metric from /proc/net/route. */
static char *hs_gateway_v4(void)
{
    char buf[65536], best[INET_ADDRSTRLEN] = "";
    unsigned long best_metric = ~0ul;
    if (hs_read_at(AT_FDCWD, "/proc/net/route", buf, sizeof buf) <= 0)
        return NULL;
    for (char *l = strchr(buf, '\n'); l && *++l; l = strchr(l, '\n')) {
        char ifname[IFNAMSIZ + 1];
        unsigned long dst, gw, flags, refcnt, use, metric, mask;
        if (sscanf(l, "%16s %lx %lx %lx %lu %lu %lu %lx", ifname, &dst, &gw, &flags,
                   &refcnt, &use, &metric, &mask) != 8)
            continue;
        if (dst != 0 || mask != 0 || !(flags & RTF_GATEWAY) || !(flags & RTF_UP) ||
            metric >= best_metric)
            continue;
        struct in_addr a = { .s_addr = (in_addr_t)gw };
        if (inet_ntop(AF_INET, &a, best, sizeof best))
            best_metric = metric;
    }
    return best[0] ? strdup(best) : NULL;
}

/* IPv6 default route from /proc/net/ipv6_route, used when there is no IPv4
 * one (IPv6-only hosts). */
static char *hs_gateway_v6(void)
{
    char buf[65536];
    if (hs_read_at(AT_FDCWD, "/proc/net/ipv6_route", buf, sizeof buf) <= 0)
        return NULL;
    for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
        char dst[33], src[33], hop[33];
        unsigned dlen, slen;
        if (sscanf(l, "%32s %x %32s %x %32s", dst, &dlen, src, &slen, hop) != 5)
            continue;
        if (dlen != 0 || strspn(dst, "0") != 32 || strspn(hop, "0") == 32)
            continue;
        struct in6_addr a;
        for (int i = 0; i < 16; i++)
            sscanf(hop + 2 * i, "%2hhx", &a.s6_addr[i]);
        char out[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, &a, out, sizeof out))
            return strdup(out);
    }
    return NULL;
}

static int hs_cfg_dns(Prl__ServerConfig *c)
{
    char buf[65536];
    if (hs_read_at(AT_FDCWD, "/etc/resolv.conf", buf, sizeof buf) <= 0)
        return 0;
    for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
        char addr[INET6_ADDRSTRLEN + IFNAMSIZ + 2];
        if (sscanf(l, "nameserver %63s", addr) != 1)
            continue;
        char *s = strdup(addr);
        if (!s || HS_PUSH(c->dns_servers, c->n_dns_servers, s) < 0) {
            free(s);
            return -ENOMEM;
        }
    }
    return 0;
}

static int hs_push_hwdev(Prl__HwDevice ***arr, size_t *n, uint32_t type,
                         char *name, char *id)
{
    Prl__HwDevice *d = HS_NEW(Prl__HwDevice, prl__hw_device__init);
    if (!d || !name || !id) {
        free(d);
        free(name);
        free(id);
        return -ENOMEM;
    }
    d->type = type;
    d->name = name;
    d->id = id;
    int rc = HS_PUSH(*arr, *n, d);
    if (rc < 0)
        protobuf_c_message_free_unpacked(&d->base, NULL);
    return rc;
}

/* Friendly disk name: "<vendor> <model>" from sysfs when they are words
 * (virtio exposes a hex vendor id only), else the kernel name. */
static char *hs_disk_name(int blockfd, const char *dev)
{
    char path[300], vendor[128] = "", model[128] = "";
    snprintf(path, sizeof path, "%s/device/model", dev);
    hs_read_at(blockfd, path, model, sizeof model);
    snprintf(path, sizeof path, "%s/device/vendor", dev);
    hs_read_at(blockfd, path, vendor, sizeof vendor);
    char *m = hs_strndup_trim(model, strlen(model));
    char *v = hs_strndup_trim(vendor, strlen(vendor));
    char *name = NULL;
    if (m && *m && v && *v && strncmp(v, "0x", 2) != 0)
        (void)!asprintf(&name, "%s %s", v, m);
    else if (m && *m)
        name = strdup(m);
    else
        name = strdup(dev);
    free(m);
    free(v);
    return name;
}

/* Physical disks only: an entry of /sys/block with a "device" link (loop,
 * zram, dm and md devices have none).  sr* are optical drives. */
static int hs_cfg_disks(Prl__ServerConfig *c)
{
    DIR *d = opendir("/sys/block");
    if (!d)
        return 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        char link[300];
        if (e->d_name[0] == '.')
            continue;
        snprintf(link, sizeof link, "%s/device", e->d_name);
        if (faccessat(dirfd(d), link, F_OK, 0) != 0 || !strncmp(e->d_name, "fd", 2))
            continue;
        char *id = NULL;
        if (asprintf(&id, "/dev/%s", e->d_name) < 0)
            id = NULL;
        char *name = hs_disk_name(dirfd(d), e->d_name);
        if (!strncmp(e->d_name, "sr", 2))
            rc = hs_push_hwdev(&c->optical_disks, &c->n_optical_disks,
                               HS_PDE_OPTICAL_DISK, name, id);
        else
            rc = hs_push_hwdev(&c->hard_disks, &c->n_hard_disks, HS_PDE_HARD_DISK,
                               name, id);
    }
    closedir(d);
    return rc;
}

static int hs_has_netdev(const char *ifname)
{
    char path[300];
    snprintf(path, sizeof path, "/sys/class/net/%s/device", ifname);
    return access(path, F_OK) == 0;
}

/* Network adapters: each non-loopback interface once (getifaddrs gives one
 * AF_PACKET entry per interface).  Interfaces backed by a device come
 * first; virtual ones (bridges, tunnels) are listed only when the host has
 * no physical adapter at all, as in many containers. */
static int hs_cfg_nets(Prl__ServerConfig *c)
{
    struct ifaddrs *ifa;
    if (getifaddrs(&ifa) < 0)
        return 0;
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0 && c->n_net_adapters == 0; pass++) {
        for (struct ifaddrs *i = ifa; i && rc == 0; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET ||
                (i->ifa_flags & IFF_LOOPBACK))
                continue;
            if (pass == 0 && !hs_has_netdev(i->ifa_name))
                continue;
            rc = hs_push_hwdev(&c->net_adapters, &c->n_net_adapters,
                               HS_PDE_GENERIC_NETWORK_ADAPTER,
                               strdup(i->ifa_name), strdup(i->ifa_name));
        }
    }
    freeifaddrs(ifa);
    return rc;
}

int disp_hoststat_fill_config(Prl__ServerConfig *out)
{
    struct utsname u;
    prl__server_config__init(out);
    if (uname(&u) < 0)
        return -errno;
    hs_cfg_ram(out);
    int rc = hs_cfg_cpu(out, &u);
    if (rc == 0)
        rc = hs_cfg_os(out, &u);
    if (rc == 0) {
        out->default_gateway = hs_gateway_v4();
        if (!out->default_gateway)
            out->default_gateway = hs_gateway_v6();
        rc = hs_cfg_dns(out);
    }
    if (rc == 0)
        rc = hs_cfg_disks(out);
    if (rc == 0)
        rc = hs_cfg_nets(out);
    return rc;
}

void disp_hoststat_free_config(Prl__ServerConfig *cfg)
{
    if (cfg && cfg->base.descriptor)
        hs_free_fields(&cfg->base);
}

/* ---- the collector ------------------------------------------------------ */

struct hs_cpu_prev {
    unsigned id;
    uint64_t busy, total;            /* clock ticks */
};

struct hs_proc_prev {
    pid_t pid;
    uint64_t start;                  /* ticks after boot: tells a reused pid */
    uint64_t ticks;                  /* utime + stime */
};

struct hs_uid_name {
    uid_t uid;
    char *name;
};

struct disp_hoststat {
    uint64_t born_ns, prev_ns;       /* CLOCK_MONOTONIC */
    uint64_t hz, page;
    uint64_t btime;                  /* boot time, seconds since the epoch */
    double uptime;                   /* seconds, this sample */
    struct hs_cpu_prev *cpus;
    size_t ncpus;
    struct hs_proc_prev *procs, *next;
    size_t nprocs, nnext, capnext;
    struct hs_uid_name users[HS_UID_CACHE];
    size_t nusers;
    struct hs_buf text;              /* scratch for whole-file reads */
    int procfd;                      /* /proc, for openat() */
};

disp_hoststat *disp_hoststat_new(void)
{
    disp_hoststat *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->procfd < 0) {
        free(c);
        return NULL;
    }
    long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    c->hz = hz > 0 ? (uint64_t)hz : 100;
    c->page = page > 0 ? (uint64_t)page : 4096;
    c->born_ns = hs_mono_ns();
    return c;
}

void disp_hoststat_destroy(disp_hoststat *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nusers; i++)
        free(c->users[i].name);
    free(c->cpus);
    free(c->procs);
    free(c->next);
    free(c->text.p);
    close(c->procfd);
    free(c);
}

static uint64_t hs_ticks_to_us(const disp_hoststat *c, uint64_t ticks)
{
    return ticks * 1000000u / c->hz;
}

static uint32_t hs_percent(uint64_t part, uint64_t whole)
{
    if (!whole)
        return 0;
    return (uint32_t)((part * 100 + whole / 2) / whole);
}

static const struct hs_cpu_prev *hs_cpu_prev_find(const disp_hoststat *c, unsigned id)
{
    for (size_t i = 0; i < c->ncpus; i++)
        if (c->cpus[i].id == id)
            return &c->cpus[i];
    return NULL;
}

/* One "cpuN user nice system idle iowait irq softirq steal ..." line.
 * Guest time is already inside user, so it is not added again. */
static Prl__CpuStat *hs_cpu_line(const disp_hoststat *c, const char *p,
                                 struct hs_cpu_prev *now)
{
    uint64_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = hs_next_u64(&p);
    uint64_t user = v[0] + v[1], sys = v[2] + v[5] + v[6], idle = v[3] + v[4];
    now->total = user + sys + idle + v[7];
    now->busy = now->total - idle;
    Prl__CpuStat *s = HS_NEW(Prl__CpuStat, prl__cpu_stat__init);
    if (!s)
        return NULL;
    const struct hs_cpu_prev *was = hs_cpu_prev_find(c, now->id);
    uint64_t dbusy = was && now->busy >= was->busy ? now->busy - was->busy : now->busy;
    uint64_t dtotal = was && now->total >= was->total ? now->total - was->total : now->total;
    s->has_usage = s->has_total_time = s->has_user_time = s->has_system_time = 1;
    s->usage = hs_percent(dbusy, dtotal);
    s->total_time = hs_ticks_to_us(c, now->total);
    s->user_time = hs_ticks_to_us(c, user);
    s->system_time = hs_ticks_to_us(c, sys);
    return s;
}

/* Remembers this sample's counters of one CPU for the next interval. */
static int hs_cpu_keep(struct hs_cpu_prev **arr, size_t n, const struct hs_cpu_prev *cur)
{
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        struct hs_cpu_prev *grown = realloc(*arr, (n ? n * 2 : 4) * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        *arr = grown;
    }
    (*arr)[n] = *cur;
    return 0;
}

/* Per-CPU lines of /proc/stat (offline CPUs are absent, which matches
 * _SC_NPROCESSORS_ONLN) and the boot time. */
static int hs_collect_cpus(disp_hoststat *c, Prl__Statistics *st)
{
    ssize_t n = hs_slurp("/proc/stat", &c->text);
    if (n < 0)
        return (int)n;
    struct hs_cpu_prev *now = NULL;
    int rc = 0;
    for (const char *l = c->text.p; l && *l && rc == 0;
         l = strchr(l, '\n'), l = l ? l + 1 : l) {
        if (!strncmp(l, "btime ", 6))
            c->btime = strtoull(l + 6, NULL, 10);
        if (strncmp(l, "cpu", 3) != 0 || l[3] < '0' || l[3] > '9')
            continue;
        char *end;
        struct hs_cpu_prev cur = { .id = (unsigned)strtoul(l + 3, &end, 10) };
        Prl__CpuStat *s = hs_cpu_line(c, end, &cur);
        rc = s ? hs_cpu_keep(&now, st->n_cpus, &cur) : -ENOMEM;
        if (rc == 0)
            rc = HS_PUSH(st->cpus, st->n_cpus, s);
        if (rc < 0)
            free(s);
    }
    if (rc == 0) {
        free(c->cpus);
        c->cpus = now;
        c->ncpus = st->n_cpus;
    } else {
        free(now);
    }
    return rc;
}

static uint64_t hs_meminfo_kb(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* RAM: free is what applications can still get (MemAvailable, or
 * free + buffers + page cache on old kernels), usage = total - free, real is
 * what is physically held outside buffers and page cache ("used" of
 * free(1)). */
static int hs_collect_mem(disp_hoststat *c, Prl__Statistics *st)
{
    char buf[8192];
    if (hs_read_at(c->procfd, "meminfo", buf, sizeof buf) <= 0)
        return 0;
    uint64_t total = hs_meminfo_kb(buf, "MemTotal:"), mfree = hs_meminfo_kb(buf, "MemFree:");
    uint64_t cache = hs_meminfo_kb(buf, "\nBuffers:") + hs_meminfo_kb(buf, "\nCached:") +
                     hs_meminfo_kb(buf, "SReclaimable:");
    uint64_t avail = strstr(buf, "MemAvailable:") ? hs_meminfo_kb(buf, "MemAvailable:")
                                                   : mfree + cache;
    uint64_t stotal = hs_meminfo_kb(buf, "SwapTotal:"), sfree = hs_meminfo_kb(buf, "SwapFree:");
    avail = avail > total ? total : avail;
    sfree = sfree > stotal ? stotal : sfree;
    st->has_ram_total = st->has_ram_usage = st->has_ram_free = st->has_ram_real = 1;
    st->ram_total = total * 1024;
    st->ram_free = avail * 1024;
    st->ram_usage = (total - avail) * 1024;
    st->ram_real = total > mfree + cache ? (total - mfree - cache) * 1024 : 0;
    st->has_swap_total = st->has_swap_usage = st->has_swap_free = 1;
    st->swap_total = stotal * 1024;
    st->swap_free = sfree * 1024;
    st->swap_usage = (stotal - sfree) * 1024;
    return 0;
}

static void hs_collect_uptime(disp_hoststat *c, Prl__Statistics *st, uint64_t now_ns)
{
    char buf[128];
    if (hs_read_at(c->procfd, "uptime", buf, sizeof buf) > 0)
        c->uptime = strtod(buf, NULL);
    st->has_os_uptime = st->has_disp_uptime = 1;
    st->os_uptime = (uint64_t)c->uptime;
    st->disp_uptime = (now_ns - c->born_ns) / 1000000000u;
}

/* ---- disks -------------------------------------------------------------- */

/* Filesystems that store files on a device or a server; anything else in
 * /proc/self/mounts (proc, sysfs, tmpfs, cgroup, overlay, ...) is skipped. */
static int hs_real_fs(const char *type)
{
    static const char *const real[] = {
        "ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "msdos", "exfat", "ntfs",
        "ntfs3", "fuseblk", "f2fs", "jfs", "reiserfs", "zfs", "hfsplus", "nilfs2",
        "bcachefs", "ocfs2", "gfs2", "nfs", "nfs4", "cifs", "smb3", "ceph", "udf",
    };
    for (size_t i = 0; i < sizeof real / sizeof real[0]; i++)
        if (!strcmp(type, real[i]))
            return 1;
    return 0;
}

/* The whole disk a block device belongs to: /sys/dev/block/M:m resolves to
 * .../block/<disk>[/<partition>].  Falls back to the mount source (network
 * and btrfs filesystems have no single block device). */
static char *hs_parent_disk(dev_t dev, const char *source)
{
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof link, "/sys/dev/block/%u:%u", major(dev), minor(dev));
    if (major(dev) == 0 || !realpath(link, real))
        return strdup(source);
    char *last = strrchr(real, '/');
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof probe, "%s/partition", real);
    if (last && access(probe, F_OK) == 0) {
        *last = '\0';
        last = strrchr(real, '/');
    }
    char *name = NULL;
    if (!last || asprintf(&name, "/dev/%s", last + 1) < 0)
        return strdup(source);
    return name;
}

static Prl__DiskStat *hs_disk_get(Prl__Statistics *st, const char *name)
{
    for (size_t i = 0; i < st->n_disks; i++)
        if (!strcmp(st->disks[i]->name, name))
            return st->disks[i];
    Prl__DiskStat *d = HS_NEW(Prl__DiskStat, prl__disk_stat__init);
    if (!d)
        return NULL;
    d->name = strdup(name);
    d->has_free = d->has_used = 1;
    if (!d->name || HS_PUSH(st->disks, st->n_disks, d) < 0) {
        protobuf_c_message_free_unpacked(&d->base, NULL);
        return NULL;
    }
    return d;
}

/* Adds one mounted filesystem as a partition of its disk. */
static int hs_add_mount(Prl__Statistics *st, const struct mntent *m, dev_t dev,
                        const struct statvfs *vfs)
{
    char *disk_name = hs_parent_disk(dev, m->mnt_fsname);
    Prl__DiskStat *d = disk_name ? hs_disk_get(st, disk_name) : NULL;
    free(disk_name);
    Prl__DiskPartStat *p = d ? HS_NEW(Prl__DiskPartStat, prl__disk_part_stat__init) : NULL;
    if (!p)
        return -ENOMEM;
    uint64_t frsize = vfs->f_frsize ? vfs->f_frsize : vfs->f_bsize;
    p->name = strdup(m->mnt_fsname);
    p->has_free = p->has_used = 1;
    p->free = (uint64_t)vfs->f_bavail * frsize;
    p->used = (uint64_t)(vfs->f_blocks - vfs->f_bfree) * frsize;
    if (!p->name || HS_PUSH(d->parts, d->n_parts, p) < 0) {
        protobuf_c_message_free_unpacked(&p->base, NULL);
        return -ENOMEM;
    }
    d->free += p->free;
    d->used += p->used;
    return 0;
}

static int hs_seen_dev(const dev_t *seen, size_t n, dev_t dev)
{
    for (size_t i = 0; i < n; i++)
        if (seen[i] == dev)
            return 1;
    return 0;
}

/* Mounted real filesystems, each device once (bind mounts repeat it). */
static int hs_collect_disks(Prl__Statistics *st)
{
    FILE *f = setmntent("/proc/self/mounts", "re");
    if (!f)
        return 0;
    struct mntent m;
    char text[4096];
    dev_t seen[256];
    size_t nseen = 0;
    int rc = 0;
    while (rc == 0 && getmntent_r(f, &m, text, sizeof text)) {
        struct stat sb;
        struct statvfs vfs;
        if (!hs_real_fs(m.mnt_type) || stat(m.mnt_dir, &sb) < 0 ||
            hs_seen_dev(seen, nseen, sb.st_dev) || statvfs(m.mnt_dir, &vfs) < 0)
            continue;
        if (nseen < sizeof seen / sizeof seen[0])
            seen[nseen++] = sb.st_dev;
        rc = hs_add_mount(st, &m, sb.st_dev, &vfs);
    }
    endmntent(f);
    return rc;
}

/* ---- network interfaces ------------------------------------------------- */

/* /proc/net/dev: "name: rx_bytes rx_packets 6*rx_other tx_bytes tx_packets". */
static int hs_collect_ifaces(disp_hoststat *c, Prl__Statistics *st)
{
    if (hs_slurp("/proc/net/dev", &c->text) <= 0)
        return 0;
    int rc = 0;
    for (char *l = c->text.p; l && *l && rc == 0; l = strchr(l, '\n'), l = l ? l + 1 : l) {
        char *colon = strchr(l, ':'), *eol = strchrnul(l, '\n');
        if (!colon || colon > eol)
            continue;
        uint64_t v[10];
        const char *p = colon + 1;
        for (int i = 0; i < 10; i++)
            v[i] = hs_next_u64(&p);
        Prl__IfaceStat *s = HS_NEW(Prl__IfaceStat, prl__iface_stat__init);
        if (!s)
            return -ENOMEM;
        s->name = hs_strndup_trim(l, (size_t)(colon - l));
        s->has_in_bytes = s->has_in_pkts = s->has_out_bytes = s->has_out_pkts = 1;
        s->in_bytes = v[0];
        s->in_pkts = v[1];
        s->out_bytes = v[8];
        s->out_pkts = v[9];
        rc = s->name ? HS_PUSH(st->ifaces, st->n_ifaces, s) : -ENOMEM;
        if (rc < 0)
            protobuf_c_message_free_unpacked(&s->base, NULL);
    }
    return rc;
}

/* ---- processes ---------------------------------------------------------- */

/* User name of uid, cached (getpwuid_r reads /etc/passwd or NSS each
 * time); an unknown uid reads as its number. */
static char *hs_user_name(disp_hoststat *c, uid_t uid)
{
    for (size_t i = 0; i < c->nusers; i++)
        if (c->users[i].uid == uid)
            return strdup(c->users[i].name);
    char buf[4096], *name = NULL;
    struct passwd pw, *res = NULL;
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
        name = strdup(res->pw_name);
    else if (asprintf(&name, "%u", (unsigned)uid) < 0)
        name = NULL;
    if (name && c->nusers < HS_UID_CACHE) {
        char *keep = strdup(name);
        if (keep)
            c->users[c->nusers++] = (struct hs_uid_name){ uid, keep };
    }
    return name;
}

static uint32_t hs_proc_state(char s)
{
    switch (s) {
    case 'R':
        return HS_PPS_PROC_RUN;
    case 'T':
    case 't':
        return HS_PPS_PROC_STOP;
    case 'Z':
    case 'X':
    case 'x':
        return HS_PPS_PROC_ZOMBIE;
    case 'I':
        return HS_PPS_PROC_IDLE;
    default:                          /* S, D, W, P, K */
        return HS_PPS_PROC_SLEEP;
    }
}

static int hs_prev_cmp(const void *a, const void *b)
{
    pid_t x = ((const struct hs_proc_prev *)a)->pid;
    pid_t y = ((const struct hs_proc_prev *)b)->pid;
    return (x > y) - (x < y);
}

/* CPU share of one CPU since the previous sample, or since the process
 * started when it is new (or its pid was reused). */
static uint32_t hs_proc_usage(const disp_hoststat *c, const struct hs_proc_prev *now,
                              uint64_t interval_ticks)
{
    struct hs_proc_prev key = { .pid = now->pid };
    const struct hs_proc_prev *was = c->procs ?
        bsearch(&key, c->procs, c->nprocs, sizeof key, hs_prev_cmp) : NULL;
    if (was && was->start == now->start && interval_ticks)
        return hs_percent(now->ticks >= was->ticks ? now->ticks - was->ticks : 0,
                          interval_ticks);
    double up = c->uptime * (double)c->hz;
    uint64_t life = up > (double)now->start ? (uint64_t)(up - (double)now->start) : 0;
    return hs_percent(now->ticks, life);
}

static int hs_remember(disp_hoststat *c, const struct hs_proc_prev *p)
{
    if (c->nnext == c->capnext) {
        size_t cap = c->capnext ? c->capnext * 2 : 256;
        struct hs_proc_prev *n = realloc(c->next, cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        c->next = n;
        c->capnext = cap;
    }
    c->next[c->nnext++] = *p;
    return 0;
}

/* The fields of /proc/<pid>/stat after "pid (comm) ", numbered as in
 * proc(5): 3 state, 14 utime, 15 stime, 22 starttime, 23 vsize, 24 rss.
 * comm may hold spaces and parentheses, hence the last ')'. */
static int hs_parse_pid_stat(char *buf, char **comm, char *state, uint64_t f[25])
{
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open || close[1] != ' ' || !close[2])
        return -EINVAL;
    *close = '\0';
    *comm = open + 1;
    *state = close[2];
    const char *p = close + 3;
    for (int i = 4; i <= 24; i++)
        f[i] = hs_next_u64(&p);
    return 0;
}

/* One process, or 1 when it vanished or its files are unreadable. */
static int hs_one_proc(disp_hoststat *c, Prl__Statistics *st, const char *pid,
                       uint64_t interval_ticks)
{
    char path[32], buf[1024], *comm, state;
    uint64_t f[25] = { 0 };
    struct stat sb;
    if (strlen(pid) > 16)
        return 1;
    snprintf(path, sizeof path, "%s/stat", pid);
    if (hs_read_at(c->procfd, path, buf, sizeof buf) <= 0 ||
        hs_parse_pid_stat(buf, &comm, &state, f) < 0 ||
        fstatat(c->procfd, pid, &sb, 0) < 0)
        return 1;
    struct hs_proc_prev now = { .pid = (pid_t)strtol(pid, NULL, 10), .start = f[22],
                                .ticks = f[14] + f[15] };
    Prl__ProcStat *s = HS_NEW(Prl__ProcStat, prl__proc_stat__init);
    if (!s)
        return -ENOMEM;
    s->command = strdup(comm);
    s->owner = hs_user_name(c, sb.st_uid);
    s->has_pid = s->has_total_mem = s->has_real_mem = s->has_virt_mem = 1;
    s->has_start_time = s->has_total_time = s->has_user_time = s->has_system_time = 1;
    s->has_state = s->has_cpu_usage = 1;
    s->pid = (uint32_t)now.pid;
    s->real_mem = f[24] * c->page;
    s->virt_mem = f[23];
    s->total_mem = s->real_mem + s->virt_mem;    /* as the reference dispatcher */
    s->start_time = c->btime + f[22] / c->hz;
    s->user_time = hs_ticks_to_us(c, f[14]);
    s->system_time = hs_ticks_to_us(c, f[15]);
    s->total_time = s->user_time + s->system_time;
    s->state = hs_proc_state(state);
    s->cpu_usage = hs_proc_usage(c, &now, interval_ticks);
    int rc = s->command && s->owner ? HS_PUSH(st->procs, st->n_procs, s) : -ENOMEM;
    if (rc == 0)
        rc = hs_remember(c, &now);
    else
        protobuf_c_message_free_unpacked(&s->base, NULL);
    return rc;
}

static int hs_collect_procs(disp_hoststat *c, Prl__Statistics *st, uint64_t now_ns)
{
    int fd = openat(c->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -errno;
    }
    uint64_t interval = c->prev_ns ? (now_ns - c->prev_ns) * c->hz / 1000000000u : 0;
    int rc = 0;
    struct dirent *e;
    c->nnext = 0;
    while (rc >= 0 && (e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            rc = hs_one_proc(c, st, e->d_name, interval);
    closedir(d);
    if (rc == -E2BIG)
        rc = 0;                       /* list full: send what we have */
    if (rc < 0)
        return rc;
    qsort(c->next, c->nnext, sizeof *c->next, hs_prev_cmp);
    struct hs_proc_prev *t = c->procs;
    size_t tcap = c->nprocs;
    c->procs = c->next;
    c->nprocs = c->nnext;
    c->next = t;
    c->capnext = t ? tcap : 0;
    c->nnext = 0;
    return 0;
}

/* ---- user sessions ------------------------------------------------------ */

static char *hs_utmp_str(const char *s, size_t max)
{
    return strndup(s, strnlen(s, max));
}

static int hs_push_user(Prl__Statistics *st, const struct utmpx *u, time_t now)
{
    Prl__UserSessionStat *s = HS_NEW(Prl__UserSessionStat, prl__user_session_stat__init);
    if (!s)
        return -ENOMEM;
    s->user = hs_utmp_str(u->ut_user, sizeof u->ut_user);
    s->service = hs_utmp_str(u->ut_line, sizeof u->ut_line);
    s->host = hs_utmp_str(u->ut_host, sizeof u->ut_host);
    s->has_session_time = 1;
    s->session_time = now > u->ut_tv.tv_sec ? (uint64_t)(now - u->ut_tv.tv_sec) : 0;
    int rc = s->user && s->service && s->host ? HS_PUSH(st->users, st->n_users, s) : -ENOMEM;
    if (rc < 0)
        protobuf_c_message_free_unpacked(&s->base, NULL);
    return rc;
}

/* Login sessions from the utmp file, read directly (getutxent keeps global
 * state, and this may run on any worker thread).  No file, no sessions. */
static int hs_collect_users(Prl__Statistics *st)
{
    int fd = open(_PATH_UTMPX, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct utmpx u;
    time_t now = time(NULL);
    int rc = 0;
    for (int i = 0; rc == 0 && i < HS_UTMP_MAX; i++) {
        if (read(fd, &u, sizeof u) != (ssize_t)sizeof u)
            break;
        if (u.ut_type == USER_PROCESS && u.ut_user[0] && u.ut_pid > 0 &&
            (kill(u.ut_pid, 0) == 0 || errno == EPERM))
            rc = hs_push_user(st, &u, now);
    }
    close(fd);
    return rc;
}

/* A list that reached HS_MAX_ITEMS is sent as it is, not as an error. */
static int hs_ok(int rc)
{
    return rc == -E2BIG ? 0 : rc;
}

int disp_hoststat_collect(disp_hoststat *c, Prl__Statistics *out)
{
    prl__statistics__init(out);
    uint64_t now_ns = hs_mono_ns();
    int rc = hs_ok(hs_collect_cpus(c, out));
    if (rc == 0)
        rc = hs_collect_mem(c, out);
    if (rc == 0) {
        hs_collect_uptime(c, out, now_ns);
        rc = hs_ok(hs_collect_disks(out));
    }
    if (rc == 0)
        rc = hs_ok(hs_collect_ifaces(c, out));
    if (rc == 0)
        rc = hs_collect_procs(c, out, now_ns);
    if (rc == 0)
        rc = hs_ok(hs_collect_users(out));
    if (rc == 0)
        c->prev_ns = now_ns;
    return rc;
}

void disp_hoststat_free(Prl__Statistics *st)
{
    if (st && st->base.descriptor)
        hs_free_fields(&st->base);
}
