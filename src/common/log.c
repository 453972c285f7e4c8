/*
 * log.c — the log stream (see log.h).
 *
 * One mutex guards the stream and its path so that a reopen never races a
 * writer; each line is formatted first and written with a single fputs.
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;          /* NULL means stderr */
static char *log_path;
static _Atomic int log_level = PRLC_LOG_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void prlc_log_set_level(prlc_log_level level) { log_level = (int)level; }
prlc_log_level prlc_log_get_level(void) { return (prlc_log_level)log_level; }

int prlc_log_parse_level(const char *name, prlc_log_level *out)
{
	for (int i = 0; i <= PRLC_LOG_DEBUG; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (prlc_log_level)i;
			return 0;
		}
	}
	if (strcasecmp(name, "warning") == 0) {
		*out = PRLC_LOG_WARN;
		return 0;
	}
	return -1;
}

/* Swaps in a fresh stream for path; caller holds log_lock. */
static int open_locked(const char *path)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	if (log_file)
		fclose(log_file);
	log_file = f;
	return 0;
}

int prlc_log_open(const char *path)
{
	int rc = 0;
	pthread_mutex_lock(&log_lock);
	if (!path) {
		if (log_file)
			fclose(log_file);
		log_file = NULL;
		free(log_path);
		log_path = NULL;
	} else if ((rc = open_locked(path)) == 0) {
		char *copy = strdup(path);
		free(log_path);
		log_path = copy;
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

int prlc_log_reopen(void)
{
	pthread_mutex_lock(&log_lock);
	int rc = log_path ? open_locked(log_path) : 0;
	pthread_mutex_unlock(&log_lock);
	return rc;
}

void prlc_log_close(void) { prlc_log_open(NULL); }

void prlc_log(prlc_log_level level, const char *fmt, ...)
{
	if ((int)level > log_level)
		return;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char line[2048];
	int n = (int)strftime(line, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ %-5s ",
		      ts.tv_nsec / 1000000L, level_names[level]);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	pthread_mutex_lock(&log_lock);
	fputs(line, log_file ? log_file : stderr);
	pthread_mutex_unlock(&log_lock);
}
