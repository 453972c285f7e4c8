/*
 * test_spin.c — the adaptive polling window (src/common/spin.h): it grows
 * only from waits that a longer window would have caught, shrinks back to
 * zero under waits longer than its maximum, never passes the maximum, stays
 * shut when disabled, and is refused when this thread and its peer are
 * pinned to the same single CPU.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "spin.h"

static void test_grows_from_short_waits(void **state)
{
	(void)state;
	prlc_spin s;
	prlc_spin_init(&s, 200000);
	assert_int_equal(s.ns, 0);
	prlc_spin_learn(&s, 50000);           /* slept 50 us: polling would have caught it */
	assert_int_equal(s.ns, PRLC_SPIN_GROW_START_NS);
	prlc_spin_learn(&s, 50000);
	assert_int_equal(s.ns, 2 * PRLC_SPIN_GROW_START_NS);
	for (int i = 0; i < 20; i++)
		prlc_spin_learn(&s, 199000);
	assert_int_equal(s.ns, 200000);       /* capped at the maximum */
	prlc_spin_learn(&s, 3000);            /* caught while polling: unchanged */
	assert_int_equal(s.ns, 200000);
}

static void test_shrinks_to_zero(void **state)
{
	(void)state;
	prlc_spin s;
	prlc_spin_init(&s, 200000);
	for (int i = 0; i < 10; i++)
		prlc_spin_learn(&s, 199000);
	assert_int_equal(s.ns, 200000);
	prlc_spin_learn(&s, 5000000);         /* a 5 ms gap: polling was wasted */
	assert_int_equal(s.ns, 100000);
	for (int i = 0; i < 10; i++)
		prlc_spin_learn(&s, UINT64_MAX);
	assert_int_equal(s.ns, 0);
}

static void test_disabled(void **state)
{
	(void)state;
	prlc_spin s;
	prlc_spin_init(&s, 0);
	for (int i = 0; i < 10; i++)
		prlc_spin_learn(&s, 1000);
	assert_int_equal(s.ns, 0);
}

/* A child pinned to one CPU, with a peer (its parent) pinned to the same
 * CPU or to another one; exits 0 when prlc_spin_worth answers `want`. */
static int worth_in_child(int my_cpu, int peer_cpu, int want)
{
	pid_t peer = getpid();
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(peer_cpu, &one);
	cpu_set_t saved;
	sched_getaffinity(0, sizeof(saved), &saved);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -2;                    /* CPUs we may not use (a cpuset) */
	pid_t pid = fork();
	if (pid == 0) {
		cpu_set_t mine;
		CPU_ZERO(&mine);
		CPU_SET(my_cpu, &mine);
		if (sched_setaffinity(0, sizeof(mine), &mine))
			_exit(3);
		prlc_spin s;
		prlc_spin_init(&s, 200000);
		_exit(prlc_spin_worth(&s, peer) == want ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	sched_setaffinity(0, sizeof(saved), &saved);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_worth(void **state)
{
	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		prlc_spin s;
		prlc_spin_init(&s, 200000);
		assert_false(prlc_spin_worth(&s, 0));   /* one CPU: never */
		return;
	}
	int same = worth_in_child(0, 0, 0), apart = worth_in_child(0, 1, 1);
	if (same == -2 || apart == -2)
		skip();
	assert_int_equal(same, 0);                      /* both on CPU 0 */
	assert_int_equal(apart, 0);                     /* apart */
	prlc_spin s;
	prlc_spin_init(&s, 200000);
	assert_true(prlc_spin_worth(&s, 0));            /* unknown peer, free to move */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_from_short_waits),
		cmocka_unit_test(test_shrinks_to_zero),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_worth),
	};
	return cmocka_run_group_tests_name("spin", tests, NULL, NULL);
}
