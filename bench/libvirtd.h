/*
 * libvirtd.h — a private libvirtd for the benchmarks' baselines.
 *
 * As recorded in /work/shared/reference/libvirt-qemu-on-these-machines.md:
 * libvirtd runs in session mode as the unprivileged user "nobody", with
 * HOME and the XDG directories inside a fresh temporary directory, so its
 * sockets and state stay there.  LIBVIRT_DRIVER_DIR points at an empty
 * directory, so no stateful driver module (qemu, network, storage ...) is
 * loaded: the daemon serves only the test driver, which libvirt.so carries
 * in itself.  Clients (root) reach it with the URI in .uri,
 * "test+unix:///default?socket=<root>/xdg/runtime/libvirt/libvirt-sock";
 * every connection of one daemon shares the same test:///default state,
 * which starts with one running domain, "test".
 *
 * The daemon is our child (exec'd in place), stopped by its pid.
 */
#ifndef OPENPRL_BENCH_LIBVIRTD_H
#define OPENPRL_BENCH_LIBVIRTD_H

#include <sys/types.h>

typedef struct bench_libvirtd {
	pid_t pid;
	char root[256];
	char socket[400];
	char uri[512];
	double startup_ms;
} bench_libvirtd;

/* Starts the daemon and waits until its socket accepts.  0 or -1. */
int bench_libvirtd_start(bench_libvirtd *l);
/* SIGTERM, wait (SIGKILL after 10 s), remove the directory. */
void bench_libvirtd_cleanup(bench_libvirtd *l);

#endif
