/*
 * spin.h — adaptive polling before sleeping, shared by the dispatcher's loop
 * and the library's readers.
 *
 * A thread that sleeps in epoll and is woken from another CPU pays for that
 * CPU's way out of idle; in a virtual machine whose idle vCPUs halt, that is
 * a trip through the hypervisor — tens of microseconds, far more than the
 * work a request needs.  So a thread that expects something soon checks for
 * it without sleeping for a short window first.  The window adapts the way
 * the kernel's cpuidle-haltpoll governor adapts its poll time: a wait that
 * ended inside the largest window (so polling longer would have caught it)
 * grows the window; a longer one shrinks it, down to zero.  Idle programs
 * and slow request patterns therefore never spin; only back-to-back traffic
 * does, and only for as long as its gaps last.  Nothing polls on the CPU
 * its peer is pinned to (the peer needs that CPU), nor on a machine with
 * one CPU online (prlc_spin_worth).
 */
#ifndef OPENPRL_COMMON_SPIN_H
#define OPENPRL_COMMON_SPIN_H

#include <sched.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define PRLC_SPIN_GROW_START_NS 10000u   /* first window after a short wait */

typedef struct prlc_spin {
	uint32_t ns;          /* the window now: poll this long, then sleep */
	uint32_t max_ns;      /* 0: never poll */
	uint64_t checked_ns;  /* prlc_spin_worth's cache: when, */
	int worth;            /* more than one CPU online, */
	int peer_cpu;         /* the peer's only CPU, or -1 */
} prlc_spin;

static inline uint64_t prlc_spin_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The clock the kernel keeps at tick resolution (1-10 ms): reading it
 * costs a few nanoseconds, not the tens a precise read costs in a
 * virtual machine.  For caches and heartbeats, never for a window. */
static inline uint64_t prlc_coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void prlc_spin_init(prlc_spin *s, uint32_t max_ns)
{
	s->ns = 0;
	s->max_ns = max_ns;
	s->checked_ns = 0;
	s->worth = 0;
	s->peer_cpu = -1;
}

/* A wait ended waited_ns after it began (polling included). */
static inline void prlc_spin_learn(prlc_spin *s, uint64_t waited_ns)
{
	if (waited_ns <= s->ns)
		return;                           /* caught while polling */
	if (waited_ns <= s->max_ns) {
		uint32_t grown = s->ns ? s->ns * 2 : PRLC_SPIN_GROW_START_NS;
		s->ns = grown < s->max_ns ? grown : s->max_ns;
	} else {
		s->ns /= 2;
		if (s->ns < PRLC_SPIN_GROW_START_NS)
			s->ns = 0;
	}
}

/* Whether polling can pay: not on a machine with one CPU online, nor on
 * the CPU our peer (pid, 0 when unknown: a TCP client) is pinned to alone —
 * the peer we would wait for needs the very CPU we would poll on.  The
 * peer's affinity is asked of the kernel at most every 10 ms (by the coarse
 * clock); where we run now, each time (a thread free to move may sit on the
 * peer's CPU one moment and on another the next).  Callers time a wait
 * and learn from it only when polling was allowed for it: a thread that
 * may not poll reads no clock at all. */
static inline int prlc_spin_worth(prlc_spin *s, pid_t peer)
{
	uint64_t now = prlc_coarse_ns();
	if (!s->checked_ns || now - s->checked_ns >= 10000000u) {
		s->checked_ns = now;
		s->worth = sysconf(_SC_NPROCESSORS_ONLN) > 1;
		s->peer_cpu = -1;
		cpu_set_t theirs;
		if (s->worth && peer > 0 &&
		    sched_getaffinity(peer, sizeof(theirs), &theirs) == 0 &&
		    CPU_COUNT(&theirs) == 1) {
			for (int i = 0; i < CPU_SETSIZE; i++)
				if (CPU_ISSET(i, &theirs)) {
					s->peer_cpu = i;
					break;
				}
		}
	}
	return s->worth && (s->peer_cpu < 0 || sched_getcpu() != s->peer_cpu);
}

#endif
