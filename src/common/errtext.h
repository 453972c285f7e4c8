/*
 * errtext.h — names and human texts of result codes, and names of event
 * types, handle types and job operation codes.
 *
 * The name functions are generated from the X-macro lists of the public
 * headers, so they always agree with the enums.  The texts are OpenPRL's own
 * wording, written for the codes a client, the dispatcher and the VM manager
 * actually return; any other code has no text and the caller falls back to
 * one built from the name.  Every function is pure, thread-safe and returns
 * a static string, or NULL when it has nothing for that value.
 */
#ifndef OPENPRL_COMMON_ERRTEXT_H
#define OPENPRL_COMMON_ERRTEXT_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"

/* One-line summary of a result code ("Not logged in."), or NULL. */
const char *prlc_err_brief(PRL_RESULT code);

/* A fuller explanation that says what to do next, or NULL. */
const char *prlc_err_long(PRL_RESULT code);

/* The constant's name ("PRL_ERR_TIMEOUT"), or NULL for an unknown code.  When
 * several names share a value the first one of PRL_ERRORS_LIST wins. */
const char *prlc_err_name(PRL_RESULT code);

/* "PET_DSP_EVT_VM_STATE_CHANGED" and so on, or NULL. */
const char *prlc_event_name(PRL_EVENT_TYPE type);

/* "PHT_VIRTUAL_MACHINE" and so on, or NULL (PHT_VM_CONFIGURATION shares the
 * value of PHT_VIRTUAL_MACHINE and is never returned). */
const char *prlc_handle_type_name(PRL_HANDLE_TYPE type);

/* "PJOC_VM_START" and so on, or NULL (aliases such as PJOC_VM_RESUME are
 * never returned). */
const char *prlc_job_op_name(PRL_JOB_OPERATION_CODE op);

#endif /* OPENPRL_COMMON_ERRTEXT_H */
