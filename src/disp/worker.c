/*
 * worker.c — a small pthread pool that hands results back to the libevent
 * loop (see worker.h).
 *
 * Two queues under one mutex: `todo` (work for the threads, signalled by a
 * condition variable) and `done` (results for the loop, signalled through
 * an eventfd that the loop watches).  Jobs are delivered in the order they
 * finish.  Nothing but that eventfd crosses from another thread into the
 * loop, so libevent runs without its thread locks: each of its calls
 * would otherwise take the base's mutex, some nine times per request.
 */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct job {
	disp_work_fn work, done;
	void *arg;
	struct job *next;
} job;

typedef struct queue {
	job *head, *tail;
} queue;

struct disp_workers {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	queue todo, done;
	bool stopping;
	unsigned nthreads;
	pthread_t *threads;
	int efd;                 /* readable = something in `done` */
	struct event *deliver;   /* the loop's watch on efd */
	uint64_t delivered;      /* batches of results the loop has run */
};

static void q_push(queue *q, job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static job *q_take_all(queue *q)
{
	job *j = q->head;
	q->head = q->tail = NULL;
	return j;
}

static job *q_pop(queue *q)
{
	job *j = q->head;
	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
	}
	return j;
}

/* Queues a finished job for the loop; caller holds the lock.  Returns
 * whether the loop must be woken (kick_loop, once the lock is released:
 * woken under it, the loop would only block on it). */
static bool finish_locked(disp_workers *w, job *j)
{
	bool was_empty = w->done.head == NULL;
	q_push(&w->done, j);
	return was_empty;
}

static void kick_loop(disp_workers *w)
{
	uint64_t one = 1;
	while (write(w->efd, &one, sizeof one) < 0 && errno == EINTR)
		;
}

static void *thread_main(void *arg)
{
	disp_workers *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stopping && !w->todo.head)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping)
			break;
		job *j = q_pop(&w->todo);
		pthread_mutex_unlock(&w->lock);
		if (j->work)
			j->work(j->arg);
		pthread_mutex_lock(&w->lock);
		if (finish_locked(w, j)) {
			pthread_mutex_unlock(&w->lock);
			kick_loop(w);
			pthread_mutex_lock(&w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void run_done_list(job *j)
{
	while (j) {
		job *next = j->next;
		if (j->done)
			j->done(j->arg);
		free(j);
		j = next;
	}
}

static void on_deliver(evutil_socket_t fd, short what, void *arg)
{
	disp_workers *w = arg;
	uint64_t n;
	/* Drained before the queue is taken: a job queued after the take
	 * finds the queue empty and writes efd again. */
	while (read(fd, &n, sizeof n) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&w->lock);
	job *list = q_take_all(&w->done);
	pthread_mutex_unlock(&w->lock);
	w->delivered++;
	run_done_list(list);
}

static int start_threads(disp_workers *w)
{
	w->threads = calloc(w->nthreads, sizeof *w->threads);
	if (!w->threads)
		return -ENOMEM;
	for (unsigned i = 0; i < w->nthreads; i++) {
		int rc = pthread_create(&w->threads[i], NULL, thread_main, w);
		if (rc != 0) {
			w->nthreads = i;
			return -rc;
		}
	}
	return 0;
}

disp_workers *disp_workers_new(struct event_base *base, unsigned nthreads)
{
	disp_workers *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	w->nthreads = nthreads;
	int rc = -ENOMEM;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0)
		rc = -errno;
	else
		w->deliver = event_new(base, w->efd, EV_READ | EV_PERSIST, on_deliver, w);
	if (w->deliver && event_add(w->deliver, NULL) == 0)
		rc = start_threads(w);
	if (rc < 0) {
		disp_workers_free(w);
		errno = -rc;
		return NULL;
	}
	return w;
}

static job *job_new(disp_work_fn work, disp_work_fn done, void *arg)
{
	job *j = malloc(sizeof *j);
	if (j) {
		j->work = work;
		j->done = done;
		j->arg = arg;
	}
	return j;
}

int disp_workers_submit(disp_workers *w, disp_work_fn work, disp_work_fn done,
			void *arg)
{
	if (w->nthreads == 0) {
		if (work)
			work(arg);
		if (done)
			done(arg);
		return 0;
	}
	job *j = job_new(work, done, arg);
	if (!j)
		return -ENOMEM;
	pthread_mutex_lock(&w->lock);
	bool stopping = w->stopping;
	if (!stopping)
		q_push(&w->todo, j);
	pthread_mutex_unlock(&w->lock);
	if (!stopping)
		pthread_cond_signal(&w->wake);  /* unlocked: see kick_loop */
	if (stopping)
		free(j);
	return stopping ? -ESHUTDOWN : 0;
}

uint64_t disp_workers_delivered(const disp_workers *w)
{
	return w ? w->delivered : 0;
}

int disp_workers_post(disp_workers *w, disp_work_fn fn, void *arg)
{
	job *j = job_new(NULL, fn, arg);
	if (!j)
		return -ENOMEM;
	pthread_mutex_lock(&w->lock);
	bool kick = finish_locked(w, j);
	pthread_mutex_unlock(&w->lock);
	if (kick)
		kick_loop(w);
	return 0;
}

void disp_workers_free(disp_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->nthreads && w->threads; i++)
		pthread_join(w->threads[i], NULL);
	/* Undelivered results first, then jobs that never ran: their done()
	 * still runs so that owners can release what the job carried. */
	run_done_list(q_take_all(&w->done));
	run_done_list(q_take_all(&w->todo));
	if (w->deliver)
		event_free(w->deliver);
	if (w->efd >= 0)
		close(w->efd);
	free(w->threads);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
