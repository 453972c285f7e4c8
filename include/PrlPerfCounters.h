/*
 * PrlPerfCounters.h — names of the performance counters of a VM.
 *
 * These are the names PrlVm_GetPerfStats / PrlVm_SubscribeToPerfStats
 * accept as filters and put on the parameters of PET_DSP_EVT_VM_PERFSTATS.
 * A '#' stands for a device or CPU index ("devices.ide0.read_total"); a
 * filter may also end in '*' to take a whole group.
 */
#ifndef OPENPRL_PRLPERFCOUNTERS_H
#define OPENPRL_PRLPERFCOUNTERS_H

/* Disk controllers: request counts and bytes moved. */
#define PRL_IDE_READ_REQUESTS_PTRN   "devices.ide#.read_requests"
#define PRL_IDE_READ_TOTAL_PTRN      "devices.ide#.read_total"
#define PRL_IDE_WRITE_REQUESTS_PTRN  "devices.ide#.write_requests"
#define PRL_IDE_WRITE_TOTAL_PTRN     "devices.ide#.write_total"
#define PRL_SCSI_READ_REQUESTS_PTRN  "devices.scsi#.read_requests"
#define PRL_SCSI_READ_TOTAL_PTRN     "devices.scsi#.read_total"
#define PRL_SCSI_WRITE_REQUESTS_PTRN "devices.scsi#.write_requests"
#define PRL_SCSI_WRITE_TOTAL_PTRN    "devices.scsi#.write_total"
#define PRL_SATA_READ_REQUESTS_PTRN  "devices.sata#.read_requests"
#define PRL_SATA_READ_TOTAL_PTRN     "devices.sata#.read_total"
#define PRL_SATA_WRITE_REQUESTS_PTRN "devices.sata#.write_requests"
#define PRL_SATA_WRITE_TOTAL_PTRN    "devices.sata#.write_total"

/* Network adapters: packets and bytes each way. */
#define PRL_NET_PKTS_IN_PTRN   "net.nic#.pkts_in"
#define PRL_NET_PKTS_OUT_PTRN  "net.nic#.pkts_out"
#define PRL_NET_BYTES_IN_PTRN  "net.nic#.bytes_in"
#define PRL_NET_BYTES_OUT_PTRN "net.nic#.bytes_out"

/* Per-class traffic; the value is a binary buffer of traffic records. */
#define PRL_NET_CLASSFUL_TRAFFIC_PTRN      "net.classful.traffic"
#define PRL_NET_CLASSFUL_TRAFFIC_IPV4_PTRN "net.classful.traffic.ipv4"
#define PRL_NET_CLASSFUL_TRAFFIC_IPV6_PTRN "net.classful.traffic.ipv6"

/* CPU: guest usage in percent (0..100); guest and host time deltas since
 * the previous query in microseconds; per-vCPU time in nanoseconds. */
#define PRL_GUEST_CPU_USAGE_PTRN "guest.cpu.usage"
#define PRL_GUEST_CPU_TIME_PTRN  "guest.cpu.time"
#define PRL_HOST_CPU_TIME_PTRN   "host.cpu.time"
#define PRL_GUEST_VCPU_TIME_PTRN "guest.vcpu#.time"

/* Guest memory in megabytes. */
#define PRL_GUEST_RAM_USAGE_PTRN  "guest.ram.usage"
#define PRL_GUEST_RAM_CACHED_PTRN "guest.ram.cached"
#define PRL_GUEST_RAM_TOTAL_PTRN  "guest.ram.total"

/* Guest paging events (counts), balloon size and available memory (MB). */
#define PRL_GUEST_RAM_SWAP_IN        "guest.ram.swap_in"
#define PRL_GUEST_RAM_SWAP_OUT       "guest.ram.swap_out"
#define PRL_GUEST_RAM_MINOR_FAULT    "guest.ram.minor_fault"
#define PRL_GUEST_RAM_MAJOR_FAULT    "guest.ram.major_fault"
#define PRL_GUEST_RAM_BALLOON_ACTUAL "guest.ram.balloon_actual"
#define PRL_GUEST_RAM_AVAILABLE      "guest.ram.available"

/* Guest file systems: device name as the guest sees it, sizes in KiB, and
 * the indices (PrlVmDev_GetIndex) of the disks it lives on. */
#define PRL_GUEST_FS_NAME_PTRN        "guest.fs#.name"
#define PRL_GUEST_FS_TOTAL_SPACE_PTRN "guest.fs#.total"
#define PRL_GUEST_FS_FREE_SPACE_PTRN  "guest.fs#.free"
#define PRL_GUEST_FS_DISK_INDEX_PTRN  "guest.fs#.disk.#"

#endif /* OPENPRL_PRLPERFCOUNTERS_H */
