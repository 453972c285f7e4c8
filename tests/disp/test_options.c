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

static int parse(disp_options *o, const char *const *args)
{
	char *argv[16];
	int argc = 0;
	argv[argc++] = (char *)"prl_disp_service";
	for (; *args && argc < 15; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return disp_options_parse(o, argc, argv);
}

static void test_defaults(void **state)
{
	(void)state;
	disp_options o;
	const char *none[] = { NULL };
	assert_int_equal(parse(&o, none), 0);
	assert_int_equal(o.busy_poll_us, 200);
	assert_string_equal(o.hypervisor, "qemu:///system");
	assert_int_equal(o.n_listen, 1);
	disp_options_free(&o);
}

static void test_busy_poll(void **state)
{
	(void)state;
	disp_options o;
	const char *off[] = { "--busy-poll-us", "0", NULL };
	assert_int_equal(parse(&o, off), 0);
	assert_int_equal(o.busy_poll_us, 0);
	disp_options_free(&o);
	const char *most[] = { "--busy-poll-us=10000", NULL };
	assert_int_equal(parse(&o, most), 0);
	assert_int_equal(o.busy_poll_us, 10000);
	disp_options_free(&o);
	const char *bad[][3] = { { "--busy-poll-us", "10001", NULL },
				 { "--busy-poll-us", "-1", NULL },
				 { "--busy-poll-us", "50us", NULL },
				 { "--busy-poll-us", "", NULL } };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(&o, bad[i]), 2);
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
	const char *file_only[] = { "--config", path, NULL };
	assert_int_equal(parse(&o, file_only), 0);
	assert_int_equal(o.busy_poll_us, 30);
	disp_options_free(&o);
	const char *both[] = { "--config", path, "--busy-poll-us", "7", NULL };
	assert_int_equal(parse(&o, both), 0);
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
