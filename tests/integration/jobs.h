/*
 * jobs.h — the job helper every integration test uses.
 */
#ifndef OPENPRL_TEST_JOBS_H
#define OPENPRL_TEST_JOBS_H

#include "Parallels.h"

/* Waits for job (30 s at most) and frees it; returns its result code
 * (PRL_ERR_TIMEOUT if it did not finish).  With result non-NULL, *result is
 * the job's PHT_RESULT on success (the caller frees it), else
 * PRL_INVALID_HANDLE. */
PRL_RESULT test_job(PRL_HANDLE job, PRL_HANDLE *result);

#endif
