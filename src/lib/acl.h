/*
 * acl.h — PHT_ACCESS_RIGHTS (PrlAcl_*): a VM's access rights as the
 * session that obtained them sees them.
 */
#ifndef OPENPRL_LIB_ACL_H
#define OPENPRL_LIB_ACL_H

#include "core.h"

/* A new object for a VM owned by owner, seen by session_user (either may
 * be NULL: unknown).  One reference for the caller. */
prl__obj *prl__acl_new(const char *owner, const char *session_user);

#endif
