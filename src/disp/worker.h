/*
 * worker.h — the dispatcher's pool of threads for blocking work (PAM,
 * crypt(3), libvirt, disk writes, /proc scans).
 *
 * A job is a pair of callbacks: work() runs on a pool thread, then done()
 * runs on the event loop thread.  Finished jobs are queued and the loop is
 * woken through an eventfd it watches, so everything that touches
 * connections stays on the loop, and libevent itself is only ever called
 * from the loop's thread (it runs without thread locks).
 *
 * With zero threads the pool runs work() and done() at once in the caller
 * (the fuzz targets use this to stay single-threaded and deterministic).
 *
 * disp_workers_post() is the same wake-up for code on other threads (e.g. a
 * libvirt event thread) that only needs something run on the loop.
 */
#ifndef OPENPRL_DISP_WORKER_H
#define OPENPRL_DISP_WORKER_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

typedef struct disp_workers disp_workers;

typedef void (*disp_work_fn)(void *arg);

/* nthreads == 0: inline mode.  NULL on failure (errno set). */
disp_workers *disp_workers_new(struct event_base *base, unsigned nthreads);
/* Runs work(arg) on a pool thread, then done(arg) on the loop.  Either may be
 * NULL.  0, or -ENOMEM / -ESHUTDOWN (the pool is stopping; nothing ran). */
int disp_workers_submit(disp_workers *w, disp_work_fn work, disp_work_fn done,
			void *arg);
/* How many times the loop has run finished jobs and posts (loop thread):
 * the dispatcher's loop counts these as activity when it polls. */
uint64_t disp_workers_delivered(const disp_workers *w);
/* Runs fn(arg) on the loop thread, soon.  Any thread. */
int disp_workers_post(disp_workers *w, disp_work_fn fn, void *arg);
/* Stops the pool: running jobs finish, threads are joined, then every
 * undelivered done() runs here — including those of jobs that never started,
 * whose work() is skipped (done() must cope: it is how their owner frees
 * them).  Loop thread. */
void disp_workers_free(disp_workers *w);

#endif
