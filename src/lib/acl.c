/*
 * acl.c — PHT_ACCESS_RIGHTS (PrlAcl_*) and PrlVm_UpdateSecurity.
 *
 * The dispatcher's model: a VM belongs to the user who created or
 * registered it; only that user and root see it (issue 4, ownership), and
 * whoever sees a VM may do everything with it.  VMs are never shared with
 * other users.  So the rights read: the owner's name, whether this
 * session's user is the owner, PAO_VM_NOT_SHARED for others, and every
 * PAR_* operation allowed.  The access for others may be changed on the
 * object (the real SDK's local copy), but PrlVm_UpdateSecurity only
 * accepts PAO_VM_NOT_SHARED: anything else is refused with
 * PRL_ERR_UNIMPLEMENTED, never silently dropped.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "vm.h"
#include "PrlApi.h"

typedef struct acl {
	prl__obj base;
	char *owner, *session_user;      /* NULL: unknown */
	atomic_uint for_others;          /* PRL_VM_ACCESS_FOR_OTHERS */
} acl;

static void acl_destroy(prl__obj *o)
{
	acl *a = (acl *)o;
	free(a->owner);
	free(a->session_user);
	free(a);
}

static const prl__type acl_type = { PHT_ACCESS_RIGHTS, acl_destroy };

prl__obj *prl__acl_new(const char *owner, const char *session_user)
{
	acl *a = prl__new(sizeof(*a), &acl_type);
	if (!a)
		return NULL;
	a->owner = owner ? strdup(owner) : NULL;
	a->session_user = session_user ? strdup(session_user) : NULL;
	atomic_init(&a->for_others, PAO_VM_NOT_SHARED);
	if ((owner && !a->owner) || (session_user && !a->session_user)) {
		prl__put(&a->base);
		return NULL;
	}
	return &a->base;
}

PRL_METHOD(PrlAcl_GetAccessForOthers)(PRL_HANDLE hAcl,
				      PRL_VM_ACCESS_FOR_OTHERS_PTR pnAccessForOthers)
{
	PRL__OBJ(a, acl, hAcl, PHT_ACCESS_RIGHTS);
	PRL__CHECK_ARG(pnAccessForOthers);
	*pnAccessForOthers = (PRL_VM_ACCESS_FOR_OTHERS)atomic_load(&a->for_others);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlAcl_SetAccessForOthers)(PRL_HANDLE hAcl,
				      PRL_VM_ACCESS_FOR_OTHERS nAccessForOthers)
{
	PRL__OBJ(a, acl, hAcl, PHT_ACCESS_RIGHTS);
	PRL__CHECK_ARG((unsigned)nAccessForOthers <= PAO_VM_SHARED_ON_FULL_ACCESS);
	atomic_store(&a->for_others, (unsigned)nAccessForOthers);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlAcl_GetOwnerName)(PRL_HANDLE hAcl, PRL_STR sOwnerNameBuf,
				PRL_UINT32_PTR pnOwnerNameBufLength)
{
	PRL__OBJ(a, acl, hAcl, PHT_ACCESS_RIGHTS);
	return prl__copy_str(a->owner ? a->owner : "", sOwnerNameBuf, pnOwnerNameBufLength);
}

PRL_METHOD(PrlAcl_IsCurrentSessionOwner)(PRL_HANDLE hAcl, PRL_BOOL_PTR pbIsOwner)
{
	PRL__OBJ(a, acl, hAcl, PHT_ACCESS_RIGHTS);
	PRL__CHECK_ARG(pbIsOwner);
	*pbIsOwner = a->owner && a->session_user && strcmp(a->owner, a->session_user) == 0
		     ? PRL_TRUE : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlAcl_IsAllowed)(PRL_HANDLE hAcl, PRL_ALLOWED_VM_COMMAND nPermission,
			     PRL_BOOL_PTR pbIsAllowed)
{
	PRL__OBJ(a, acl, hAcl, PHT_ACCESS_RIGHTS);
	PRL__CHECK_ARG(pbIsAllowed && (unsigned)nPermission < PAR_MAX);
	*pbIsAllowed = PRL_TRUE;         /* whoever sees the VM may do it */
	return PRL_ERR_SUCCESS;
}

PRL_ASYNC_METHOD(PrlVm_UpdateSecurity)(PRL_HANDLE hVm, PRL_HANDLE hAccessRights)
{
	prl__auto prl__vm *vm = prl__vm_get(hVm);
	if (!vm)
		return prl__job_failed(PJOC_VM_UPDATE_SECURITY, prl__bad_handle());
	prl__auto acl *a = (acl *)prl__get(hAccessRights, PHT_ACCESS_RIGHTS);
	if (!a)
		return prl__job_failed(PJOC_VM_UPDATE_SECURITY, PRL_ERR_INVALID_ARG);
	if (atomic_load(&a->for_others) != PAO_VM_NOT_SHARED)
		return prl__job_failed(PJOC_VM_UPDATE_SECURITY, PRL_ERR_UNIMPLEMENTED);
	return prl__job_failed(PJOC_VM_UPDATE_SECURITY, PRL_ERR_SUCCESS);
}
