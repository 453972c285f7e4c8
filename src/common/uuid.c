/*
 * uuid.c — version 4 UUIDs from getrandom(2) (see uuid.h).
 */
#include "uuid.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static void random_bytes(uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("getrandom");
			abort();
		}
		p += r;
		n -= (size_t)r;
	}
}

void prlc_uuid_generate(char out[PRLC_UUID_LEN + 1])
{
	uint8_t b[16];
	random_bytes(b, sizeof b);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, PRLC_UUID_LEN + 1,
		 "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x}",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

bool prlc_uuid_is_valid(const char *s)
{
	if (!s || strlen(s) != PRLC_UUID_LEN)
		return false;
	for (size_t i = 0; i < PRLC_UUID_LEN; i++) {
		char c = s[i];
		if (i == 0 ? c != '{' : i == PRLC_UUID_LEN - 1 ? c != '}' :
		    (i == 9 || i == 14 || i == 19 || i == 24) ? c != '-' :
		    !isxdigit((unsigned char)c))
			return false;
	}
	return true;
}
