/*
 * test_options.c — prl_disp_service's settings (src/disp/options.c) as the
 * command line and the configuration file give them: defaults, the
 * --busy-poll-us bounds (src/common/spin.h's window), a bad value refused
 * with exit status 2, a configuration-file key overridden by the command
 * line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "options.h"

/* Parses the n arguments args (after the program name). */
static int parse(disp_options *o, int n, const char *const *args)
{
	char *argv[16] = { (char *)"prl_disp_service" };
	assert_true(n < 15);
	for (int i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	return disp_options_parse(o, n + 1, argv);
}

#define PARSE(o, ...) parse((o), \
	(int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *)), \
	(const char *[]){ __VA_ARGS__ })

static void test_defaults(void **state)
{
	(void)state;
	disp_options o;
	assert_int_equal(parse(&o, 0, NULL), 0);
	assert_int_equal(o.busy_poll_us, 200);
	assert_string_equal(o.hypervisor, "qemu:///system");
	assert_int_equal(o.n_listen, 1);
	disp_options_free(&o);
}

static void test_busy_poll(void **state)
{
	(void)state;
	disp_options o;
	assert_int_equal(PARSE(&o, "--busy-poll-us", "0"), 0);
	assert_int_equal(o.busy_poll_us, 0);
	disp_options_free(&o);
	assert_int_equal(PARSE(&o, "--busy-poll-us=10000"), 0);
	assert_int_equal(o.busy_poll_us, 10000);
	disp_options_free(&o);
	const char *bad[] = { "10001", "-1", "50us", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(PARSE(&o, "--busy-poll-us", bad[i]), 2);
		disp_options_free(&o);
	}
}

static void test_config_file(void **state)
{
	(void)state;
	char path[] = "/tmp/test_options.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "# tuning\nbusy-poll-us = 30\nlog-level = debug\n";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	disp_options o;
	assert_int_equal(PARSE(&o, "--config", path), 0);
	assert_int_equal(o.busy_poll_us, 30);
	disp_options_free(&o);
	assert_int_equal(PARSE(&o, "--config", path, "--busy-poll-us", "7"), 0);
	assert_int_equal(o.busy_poll_us, 7);    /* the command line wins */
	disp_options_free(&o);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_busy_poll),
		cmocka_unit_test(test_config_file),
	};
	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
