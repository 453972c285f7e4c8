/*
 * uuid.h — random (version 4) UUIDs in the SDK's braced text form,
 * "{xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx}", lowercase.  Thread-safe.
 */
#ifndef OPENPRL_COMMON_UUID_H
#define OPENPRL_COMMON_UUID_H

#include <stdbool.h>

#define PRLC_UUID_LEN 38 /* characters, without the NUL */

/* Fills out with a fresh UUID and its terminating NUL.  The bytes come from
 * the kernel's random source; this never fails (it aborts if the kernel
 * cannot give randomness, which would make every UUID unsafe). */
void prlc_uuid_generate(char out[PRLC_UUID_LEN + 1]);

/* True when s is a braced UUID in the form above (any hex case). */
bool prlc_uuid_is_valid(const char *s);

#endif
