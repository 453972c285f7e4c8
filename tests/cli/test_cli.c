/*
 * test_cli.c — prlctl and prlsrvctl against a real dispatcher on
 * test:///default (tests/integration/dispatcher.c starts it on a private
 * socket and exports PRL_DISP_SOCKET, which the tools inherit).
 *
 * Each check runs a tool as a child process with its stdout and stderr in
 * files, waits for it (every prlctl call carries --timeout, so a stuck
 * dispatcher fails the call instead of hanging the test), then looks at the
 * exit status and the text.  JSON output is parsed by `python3 -m json.tool`
 * (and, for escaping, compared value by value by python3's json module).
 * The VM life cycle runs in one test because each step needs the previous:
 * create, list, set, list -i, start, status, pause/resume, statistics,
 * stop, clone, delete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "dispatcher.h"

static test_disp disp;

#define MAX_ARGS 32

typedef struct run {
	int status;             /* exit status, or -1 if the child did not exit */
	char out[65536];
	char err[16384];
} run;

static run r;               /* the last run (large: not on the stack) */

static void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Runs argv[0] with stdin from `in` (or /dev/null), stdout and stderr to
 * files of the state directory; returns the exit status. */
static int spawn(char *const argv[], const char *in, run *res)
{
	char outp[400], errp[400];
	int st = 0;

	snprintf(outp, sizeof(outp), "%s/tool.out", disp.state_dir);
	snprintf(errp, sizeof(errp), "%s/tool.err", disp.state_dir);
	pid_t pid = fork();
	if (pid == 0) {
		int i = open(in ? in : "/dev/null", O_RDONLY);
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (i < 0 || o < 0 || e < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return res->status = -1;
	slurp(outp, res->out, sizeof(res->out));
	slurp(errp, res->err, sizeof(res->err));
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return res->status;
}

/* Runs a tool with NULL-terminated arguments; prlctl gets --timeout 60. */
static int tool(const char *path, ...)
{
	char *argv[MAX_ARGS + 4];
	int n = 0;
	va_list ap;

	argv[n++] = (char *)path;
	va_start(ap, path);
	for (char *a; n < MAX_ARGS && (a = va_arg(ap, char *)); )
		argv[n++] = a;
	va_end(ap);
	argv[n++] = "--timeout";
	argv[n++] = "60";
	argv[n] = NULL;
	return spawn(argv, NULL, &r);
}

#define prlctl(...) tool(PRLCTL, __VA_ARGS__, (char *)NULL)
#define prlsrvctl(...) tool(PRLSRVCTL, __VA_ARGS__, (char *)NULL)

/* A tool call exits with `want`; otherwise fail, showing what it printed. */
#define assert_exit(call, want)                                                    \
	do {                                                                       \
		int got_ = (call);                                                 \
		if (got_ != (want))                                                \
			fail_msg("%s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", \
				 #call, got_, (want), r.out, r.err);               \
	} while (0)

/* The last run's stdout, saved to a file, through `python3 <args>`. */
static int python_on_output(const char *code)
{
	char path[400];
	static run py;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tool.json", disp.state_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(r.out, f);
	fclose(f);
	char *argv[] = { "/usr/bin/python3", code ? "-c" : "-m", code ? (char *)code : "json.tool",
			 NULL };
	if (spawn(argv, path, &py) != 0)
		fprintf(stderr, "python3 refused this output:\n%s\n%s\n", r.out, py.err);
	return py.status;
}

static void assert_json(void)
{
	assert_int_equal(python_on_output(NULL), 0);
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, text);
}

static void assert_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("did not expect \"%s\" in:\n%s", needle, text);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- prlsrvctl ------------------------------------------------------------------- */

static void test_srv_info(void **state)
{
	assert_exit(prlsrvctl("info"), 0);
	assert_has(r.out, "ID: {");
	assert_has(r.out, "Hostname: ");
	assert_has(r.out, "Version: Server ");
	assert_has(r.out, "CPU count: ");
	assert_has(r.out, "Hardware info:");
	assert_exit(prlsrvctl("info", "-j"), 0);
	assert_has(r.out, "\"Version\": \"Server ");
	assert_json();
}

static void test_srv_statistics(void **state)
{
	assert_exit(prlsrvctl("statistics"), 0);
	assert_has(r.out, "CPU usage:\n  cpu0: ");
	assert_has(r.out, "\nRAM: total=");
	assert_has(r.out, "Uptime: ");
	assert_exit(prlsrvctl("statistics", "--json"), 0);
	assert_json();
}

static void test_remote_login(void **state)
{
	char login[128], bad[128], pwfile[400];
	FILE *f;

	snprintf(login, sizeof(login), "%s:%s@127.0.0.1:%d", TEST_USER, TEST_PASSWORD, disp.port);
	assert_exit(prlsrvctl("info", "-l", login), 0);
	assert_has(r.out, "Version: Server ");
	snprintf(pwfile, sizeof(pwfile), "%s/pw", disp.state_dir);
	f = fopen(pwfile, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", TEST_PASSWORD);
	fclose(f);
	snprintf(login, sizeof(login), "%s@127.0.0.1:%d", TEST_USER, disp.port);
	assert_exit(prlctl("list", "-a", "-l", login, "-p", pwfile), 0);
	snprintf(bad, sizeof(bad), "%s:wrong@127.0.0.1:%d", TEST_USER, disp.port);
	assert_exit(prlctl("list", "-l", bad), 1);
	assert_has(r.err, "as " TEST_USER);
	assert_has(r.err, "127.0.0.1");
}

/* ---- prlctl: command line --------------------------------------------------------- */

static void test_unknown_command(void **state)
{
	assert_exit(prlctl("frobnicate"), 2);
	assert_has(r.err, "Unknown command 'frobnicate'");
	assert_has(r.err, "\n  list ");
	assert_has(r.err, "\n  start ");
	assert_has(r.err, "\n  statistics ");
	assert_exit(prlctl("list", "--bogus"), 2);
	assert_has(r.err, "Unknown option '--bogus'");
	assert_has(r.err, "--all");
	assert_exit(prlctl("start", "--help"), 0);
	assert_has(r.out, "Usage: prlctl start <ve>");
}

static void test_empty_list(void **state)
{
	char header[128];

	snprintf(header, sizeof(header), "%-39s %-12s %-15s %-2s %s\n", "UUID", "STATUS", "IP_ADDR",
		 "T", "NAME");
	assert_exit(prlctl("list", "-a"), 0);
	assert_string_equal(r.out, header);
	assert_exit(prlctl("list", "-a", "-j"), 0);
	assert_string_equal(r.out, "[]\n");
	assert_json();
}

static void test_bad_ve(void **state)
{
	assert_exit(prlctl("start", "no-such-vm"), 1);
	assert_has(r.err, "no-such-vm");
	assert_has(r.err, "does not exist");
	assert_exit(prlctl("status", "no-such-vm"), 1);
	assert_has(r.err, "no-such-vm");
}

/* ---- prlctl: a VM's life ------------------------------------------------------------ */

static void assert_status(const char *vm, const char *state)
{
	char want[128];

	snprintf(want, sizeof(want), "VM %s exist %s\n", vm, state);
	assert_exit(prlctl("status", vm), 0);
	assert_string_equal(r.out, want);
}

/* The list -a line of vm has this status. */
static void assert_listed(const char *vm, const char *state)
{
	char want[128];

	snprintf(want, sizeof(want), " %-12s %-15s %-2s %s\n", state, "-", "VM", vm);
	assert_exit(prlctl("list", "-a"), 0);
	assert_has(r.out, want);
}

static void create_and_set(void)
{
	assert_exit(prlctl("create", "clivm", "-d", "centos"), 0);
	assert_has(r.out, "successfully created");
	assert_listed("clivm", "stopped");
	assert_exit(prlctl("set", "clivm", "--cpus", "2", "--memsize", "512", "--autostart", "on"), 0);
	assert_exit(prlctl("list", "-i", "clivm"), 0);
	assert_has(r.out, "Autostart: on\n");
	assert_has(r.out, "Name: clivm\n");
	assert_has(r.out, "State: stopped\n");
	assert_has(r.out, "Hardware:\n  cpu cpus=2");
	assert_has(r.out, "\n  memory 512Mb\n");
	assert_has(r.out, "\n  hdd0 (+) ");
	assert_exit(prlctl("list", "--info", "clivm", "--json"), 0);
	assert_has(r.out, "\"cpus\": 2");
	assert_json();
}

static void run_and_pause(void)
{
	assert_exit(prlctl("start", "clivm"), 0);
	assert_status("clivm", "running");
	assert_exit(prlctl("list"), 0);              /* running VMs only */
	assert_has(r.out, "clivm");
	assert_exit(prlctl("pause", "clivm"), 0);
	assert_status("clivm", "paused");
	assert_exit(prlctl("resume", "clivm"), 0);
	assert_status("clivm", "running");
	assert_exit(prlctl("statistics", "clivm"), 0);
	assert_int_equal(r.out[0], '{');
	assert_has(r.out, "}\n\t");
	assert_exit(prlctl("statistics", "-a", "--filter", "guest.*"), 0);
	assert_has(r.out, "\tguest.");
	assert_lacks(r.out, "\tnet.");
	assert_exit(prlctl("stop", "clivm"), 0);
	assert_status("clivm", "stopped");
	assert_exit(prlctl("list"), 0);
	assert_lacks(r.out, "clivm");
}

static void clone_and_delete(void)
{
	assert_exit(prlctl("clone", "clivm", "--name", "clivm2"), 0);
	assert_listed("clivm2", "stopped");
	/* register --uuid: the bundle comes back under the UUID asked for. */
	char home[512];
	snprintf(home, sizeof(home), "%s/vms/clivm2.pvm", disp.state_dir);
	assert_exit(prlctl("unregister", "clivm2"), 0);
	assert_exit(prlctl("register", home, "--uuid", "not-a-uuid"), 1);
	assert_exit(prlctl("register", home, "--uuid",
			   "{5EB0C1A2-33D4-4E55-9666-77889900AABB}"), 0);
	assert_exit(prlctl("list", "-a", "-o", "uuid,name"), 0);
	assert_has(r.out, "5eb0c1a2-33d4-4e55-9666-77889900aabb");
	assert_exit(prlctl("delete", "clivm2"), 0);
	assert_exit(prlctl("list", "-a"), 0);
	assert_lacks(r.out, "clivm2");
	assert_exit(prlctl("delete", "clivm"), 0);
	assert_exit(prlctl("list", "-a"), 0);
	assert_int_equal(count_lines(r.out), 1);
}

static void test_vm_life(void **state)
{
	create_and_set();
	run_and_pause();
	clone_and_delete();
}

/* A name and a description full of what breaks naive JSON come back intact
 * (the dispatcher refuses control characters other than tab and newline,
 * and bad UTF-8, so json.c's handling of those is test_json.c's). */
static void test_json_escaping(void **state)
{
	static const char name[] = "esc \"vm\" \\";
	static const char desc[] = "q\"uote b\\ack\ttab\nline \xc3\xa9";
	static const char check[] =
		"import json,sys\n"
		"d = json.load(sys.stdin)[0]\n"
		"ok = d['Name'] == 'esc \"vm\" \\\\' and d['Description'] == 'q\"uote b\\\\ack\\ttab\\nline \\u00e9'\n"
		"sys.exit(0 if ok else 1)\n";

	assert_exit(prlctl("create", name, "-o", "linux", "--no-hdd"), 0);
	assert_exit(prlctl("set", name, "--description", desc), 0);
	assert_exit(prlctl("list", "-i", name, "-j"), 0);
	assert_json();
	assert_int_equal(python_on_output(check), 0);
	assert_exit(prlctl("list", "-a", "-o", "name,description", "-j"), 0);
	assert_json();
	assert_exit(prlctl("delete", name), 0);
}

static int setup(void **state)
{
	if (access("/usr/bin/python3", X_OK) != 0) {
		fprintf(stderr, "python3 is needed to check the JSON output\n");
		return -1;
	}
	return test_disp_start(&disp, NULL);
}

static int teardown(void **state)
{
	test_disp_cleanup(&disp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srv_info),
		cmocka_unit_test(test_srv_statistics),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_bad_ve),
		cmocka_unit_test(test_vm_life),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_remote_login),
	};
	return cmocka_run_group_tests_name("prlctl and prlsrvctl", tests, setup, teardown);
}
