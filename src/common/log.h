/*
 * log.h — leveled logging for the daemon (and anything else in the tree).
 *
 * Lines go to stderr until prlc_log_open() names a file; each carries a UTC
 * timestamp with milliseconds, the level and the text.  prlc_log_reopen()
 * reopens the same path (after log rotation: the daemon calls it on SIGHUP
 * from its event loop, never from a signal handler).  Every function is
 * thread-safe.
 */
#ifndef OPENPRL_COMMON_LOG_H
#define OPENPRL_COMMON_LOG_H

typedef enum prlc_log_level {
	PRLC_LOG_ERROR = 0,
	PRLC_LOG_WARN,
	PRLC_LOG_INFO,
	PRLC_LOG_DEBUG,
} prlc_log_level;

/* Lines above this level are dropped (default PRLC_LOG_INFO). */
void prlc_log_set_level(prlc_log_level level);
prlc_log_level prlc_log_get_level(void);
/* "error", "warn"/"warning", "info", "debug" → 0 and *out; -1 if unknown. */
int prlc_log_parse_level(const char *name, prlc_log_level *out);

/* Logs to path (appending), or to stderr for NULL.  0 or -errno. */
int prlc_log_open(const char *path);
/* Reopens the current file; 0 or -errno (the old stream stays on error). */
int prlc_log_reopen(void);
void prlc_log_close(void);

void prlc_log(prlc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define PRLC_ERROR(...) prlc_log(PRLC_LOG_ERROR, __VA_ARGS__)
#define PRLC_WARN(...)  prlc_log(PRLC_LOG_WARN, __VA_ARGS__)
#define PRLC_INFO(...)  prlc_log(PRLC_LOG_INFO, __VA_ARGS__)
#define PRLC_DEBUG(...) prlc_log(PRLC_LOG_DEBUG, __VA_ARGS__)

#endif
