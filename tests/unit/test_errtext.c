/*
 * test_errtext.c — every result code the project's sources use has a brief
 * and a long description of its own, and PrlApi_GetResultDescription gives
 * them with the string convention; codes without a text still get one that
 * names the code.  The list of used codes is generated from src/ at
 * configure time (used_errors.h), so a new code cannot go without text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "Parallels.h"
#include "errtext.h"

static const struct { const char *name; PRL_RESULT code; } used[] = {
#define USED(c) { #c, c },
#include "used_errors.h"
#undef USED
};

static void test_every_used_code_has_text(void **state)
{
	(void)state;
	int missing = 0;
	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
		if (!prlc_err_brief(used[i].code) || !prlc_err_long(used[i].code)) {
			fprintf(stderr, "no text for %s\n", used[i].name);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	assert_true(sizeof(used) / sizeof(used[0]) > 30);
}

static void test_description_api(void **state)
{
	(void)state;
	assert_int_equal(PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0), 0);
	char brief[512], full[1024];
	PRL_UINT32 len = 0;
	assert_int_equal(PrlApi_GetResultDescription(PRL_ERR_VM_UUID_NOT_FOUND, PRL_TRUE, PRL_FALSE,
						     NULL, &len), PRL_ERR_SUCCESS);
	assert_true(len > 1);
	len = sizeof(brief);
	assert_int_equal(PrlApi_GetResultDescription(PRL_ERR_VM_UUID_NOT_FOUND, PRL_TRUE, PRL_FALSE,
						     brief, &len), PRL_ERR_SUCCESS);
	len = sizeof(full);
	assert_int_equal(PrlApi_GetResultDescription(PRL_ERR_VM_UUID_NOT_FOUND, PRL_FALSE, PRL_FALSE,
						     full, &len), PRL_ERR_SUCCESS);
	assert_string_equal(brief, prlc_err_brief(PRL_ERR_VM_UUID_NOT_FOUND));
	assert_string_equal(full, prlc_err_long(PRL_ERR_VM_UUID_NOT_FOUND));
	/* A code without its own text is described by its name. */
	PRL_RESULT odd = (PRL_RESULT)0x80031234;
	len = sizeof(full);
	assert_int_equal(PrlApi_GetResultDescription(odd, PRL_FALSE, PRL_FALSE, full, &len), 0);
	assert_non_null(strstr(full, "0x80031234"));
	len = 4;
	assert_int_equal(PrlApi_GetResultDescription(PRL_ERR_TIMEOUT, PRL_TRUE, PRL_FALSE, brief, &len),
			 PRL_ERR_BUFFER_OVERRUN);
	assert_int_equal(len, strlen(prlc_err_brief(PRL_ERR_TIMEOUT)) + 1);
	PrlApi_Deinit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_used_code_has_text),
		cmocka_unit_test(test_description_api),
	};
	return cmocka_run_group_tests_name("error texts", tests, NULL, NULL);
}
