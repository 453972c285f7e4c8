/*
 * test_worker.c — the dispatcher's worker pool (src/disp/worker.c) on a real
 * libevent loop: results and posts reach the loop thread, every one of them,
 * in the order each producer queued them, and nothing is lost when results
 * arrive while the loop is delivering others (the eventfd is drained before
 * the queue is taken: the other order loses a wake-up and the loop sleeps
 * with work queued, which these tests turn into a failure by a deadline).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <event2/event.h>

#include "worker.h"

enum { PRODUCERS = 2, POSTS = 50000, SUBMITS = 20000 };

typedef struct counter {
	pthread_t loop_thread;
	long got[PRODUCERS];      /* per producer: the next sequence expected */
	long total, want;
	int out_of_order, wrong_thread;
	struct event_base *base;
} counter;

typedef struct item {
	counter *c;
	int producer;
	long seq;
	int worked;
} item;

static void check_done(counter *c)
{
	if (c->total == c->want)
		event_base_loopbreak(c->base);
}

static void on_loop(void *arg)
{
	item *it = arg;
	counter *c = it->c;
	if (!pthread_equal(pthread_self(), c->loop_thread))
		c->wrong_thread++;
	if (it->seq != c->got[it->producer])
		c->out_of_order++;
	c->got[it->producer] = it->seq + 1;
	c->total++;
	free(it);
	check_done(c);
}

static void on_work(void *arg)
{
	((item *)arg)->worked = 1;
}

static void on_submitted_done(void *arg)
{
	item *it = arg;
	counter *c = it->c;
	if (!it->worked || !pthread_equal(pthread_self(), c->loop_thread))
		c->wrong_thread++;
	c->total++;
	free(it);
	check_done(c);
}

typedef struct producer {
	disp_workers *w;
	counter *c;
	int index;
} producer;

static void *post_many(void *arg)
{
	producer *p = arg;
	for (long i = 0; i < POSTS; i++) {
		item *it = calloc(1, sizeof(*it));
		it->c = p->c;
		it->producer = p->index;
		it->seq = i;
		while (disp_workers_post(p->w, on_loop, it) != 0)
			;
	}
	return NULL;
}

/* Runs the loop until everything arrived, or fails after 20 s. */
static void run_until_all(counter *c)
{
	struct timeval limit = { 20, 0 };
	event_base_loopexit(c->base, &limit);
	event_base_dispatch(c->base);
	assert_int_equal(c->total, c->want);
}

static void test_posts_from_threads_all_arrive_in_order(void **state)
{
	(void)state;
	counter c = { .loop_thread = pthread_self(), .want = (long)PRODUCERS * POSTS };
	c.base = event_base_new();
	assert_non_null(c.base);
	disp_workers *w = disp_workers_new(c.base, 2);
	assert_non_null(w);
	producer p[PRODUCERS];
	pthread_t t[PRODUCERS];
	for (int i = 0; i < PRODUCERS; i++) {
		p[i] = (producer){ w, &c, i };
		assert_int_equal(pthread_create(&t[i], NULL, post_many, &p[i]), 0);
	}
	run_until_all(&c);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(c.out_of_order, 0);
	assert_int_equal(c.wrong_thread, 0);
	assert_true(disp_workers_delivered(w) > 0);
	disp_workers_free(w);
	event_base_free(c.base);
}

static void test_submitted_work_runs_then_returns_to_the_loop(void **state)
{
	(void)state;
	counter c = { .loop_thread = pthread_self(), .want = SUBMITS };
	c.base = event_base_new();
	assert_non_null(c.base);
	disp_workers *w = disp_workers_new(c.base, 3);
	assert_non_null(w);
	for (long i = 0; i < SUBMITS; i++) {
		item *it = calloc(1, sizeof(*it));
		it->c = &c;
		assert_int_equal(disp_workers_submit(w, on_work, on_submitted_done, it), 0);
	}
	run_until_all(&c);
	assert_int_equal(c.wrong_thread, 0);
	disp_workers_free(w);
	event_base_free(c.base);
}

/* Freeing the pool runs every done() that never reached the loop. */
static void test_free_runs_undelivered_done(void **state)
{
	(void)state;
	counter c = { .loop_thread = pthread_self(), .want = 1000 };
	c.base = event_base_new();
	disp_workers *w = disp_workers_new(c.base, 2);
	assert_non_null(w);
	for (long i = 0; i < c.want; i++) {
		item *it = calloc(1, sizeof(*it));
		it->c = &c;
		assert_int_equal(disp_workers_submit(w, on_work, on_submitted_done, it), 0);
	}
	disp_workers_free(w);                 /* the loop never ran */
	assert_int_equal(c.total, c.want);
	event_base_free(c.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_posts_from_threads_all_arrive_in_order),
		cmocka_unit_test(test_submitted_work_runs_then_returns_to_the_loop),
		cmocka_unit_test(test_free_runs_undelivered_done),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
