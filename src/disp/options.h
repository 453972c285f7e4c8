/*
 * options.h — prl_disp_service's settings: command line and configuration
 * file (the same keys, `key = value` lines, `#` comments).
 *
 * Precedence: built-in defaults, then the file named by --config, then the
 * command line.  --listen is repeatable; given on the command line it
 * replaces the file's list.  `none` disables TCP.
 */
#ifndef OPENPRL_DISP_OPTIONS_H
#define OPENPRL_DISP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define DISP_DEFAULT_STATE_DIR "/var/lib/openprl"
#define DISP_DEFAULT_SOCKET "/var/run/prl_disp_service.socket"
#define DISP_DEFAULT_PORT 64000
#define DISP_DEFAULT_HYPERVISOR "qemu:///system"

typedef enum disp_auth_mode {
	DISP_AUTH_PAM,          /* PAM service "prl_disp_service" */
	DISP_AUTH_FILE,         /* <state-dir>/passwd, crypt(3) hashes */
	DISP_AUTH_DENY,         /* internal: refuse every password (fuzzing) */
} disp_auth_mode;

typedef struct disp_options {
	char *state_dir;
	char *unix_socket;
	char **listen;          /* "ADDR:PORT" strings; none when n_listen 0 */
	size_t n_listen;
	char *hypervisor;
	disp_auth_mode auth;
	uint32_t min_security;  /* PSL_* */
	bool foreground;
	prlc_log_level log_level;
	char *log_file;         /* NULL: stderr (foreground) */
	char *pid_file;
	char *set_password;     /* --set-password USER: then exit */
	uint32_t busy_poll_us;  /* the loop's longest poll before sleeping */
} disp_options;

/* Fills o from defaults, the configuration file and argv.  Returns 0 to go
 * on, -1 when the work is done (--help: exit 0), or an exit status (2 for a
 * usage error, 1 for a bad configuration file) with the message printed. */
int disp_options_parse(disp_options *o, int argc, char **argv);
void disp_options_free(disp_options *o);

/* Splits "ADDR:PORT", "[V6]:PORT", "*:PORT" or "PORT" into host (NULL for
 * every address) and port.  0, or -1 when it does not parse. */
int disp_options_split_addr(const char *spec, char *host, size_t hostlen,
			    uint16_t *port);

#endif
