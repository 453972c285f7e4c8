/*
 * PrlErrors.h — how a PRL_RESULT is read and how its values are declared.
 *
 * A PRL_RESULT is a signed 32-bit int: negative means failure, zero and
 * positive mean success (question and answer codes are positive too).
 * Error ordinals are written in decimal in the value list but pasted after
 * "0x", so ordinal 246 becomes 0x80000246; success codes keep their plain
 * decimal value.  The values themselves live in PrlErrorsValues.h (one X-macro
 * list) and the event types in PrlEventsValues.h.
 */
#ifndef OPENPRL_PRLERRORS_H
#define OPENPRL_PRLERRORS_H

#include "PrlTypes.h"

#define PRL_SUCCEEDED(err) ((PRL_RESULT)(err) >= 0)
#define PRL_FAILED(err)    ((PRL_RESULT)(err) < 0)

/* The ordinal token is pasted as a hex literal: keep it a bare number. */
#define PRL_RESULT_DECLARE_ERROR(err)   ((PRL_RESULT)(0x80000000 + 0x##err))
#define PRL_RESULT_DECLARE_SUCCESS(err) ((PRL_RESULT)(err))

#include "PrlErrorsValues.h"
#include "PrlEventsValues.h"

/* A licence check result that still lets the product run. */
#define PRL_LICENSE_IS_VALID(x) \
	((PRL_RESULT)(((x) == PRL_ERR_LICENSE_VALID) || ((x) == PRL_ERR_LICENSE_GRACED)))

#define PRL_LICENSE_IS_EXPIRED(x) \
	(((x) == PRL_ERR_LICENSE_EXPIRED) || ((x) == PRL_ERR_VZLICENSE_KA_LICENSE_EXPIRED))

#endif /* OPENPRL_PRLERRORS_H */
