/*
 * lists.c — PHT_STRINGS_LIST and PHT_HANDLES_LIST (PrlStrList_*,
 * PrlHndlList_*): small caller-built containers passed to functions such as
 * PrlVm_Delete.  Each list has its own mutex, so one list may be shared by
 * threads; a handles list keeps a reference on every item.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "PrlApi.h"

typedef struct prl__list {
	prl__obj base;
	pthread_mutex_t mu;
	uint32_t n, cap;
	void **items;                    /* char* or prl__obj* */
} prl__list;

static void list_destroy(prl__obj *o)
{
	prl__list *l = (prl__list *)o;
	for (uint32_t i = 0; i < l->n; i++) {
		if (prl__type_of(o) == PHT_STRINGS_LIST)
			free(l->items[i]);
		else
			prl__put(l->items[i]);
	}
	free(l->items);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static const prl__type strlist_type = { PHT_STRINGS_LIST, list_destroy };
static const prl__type hndllist_type = { PHT_HANDLES_LIST, list_destroy };

static PRL_RESULT create(const prl__type *t, PRL_HANDLE_PTR out)
{
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(out);
	prl__list *l = calloc(1, sizeof(*l));
	if (!l)
		return PRL_ERR_OUT_OF_MEMORY;
	pthread_mutex_init(&l->mu, NULL);
	if (!prl__register(&l->base, t))
		return PRL_ERR_OUT_OF_MEMORY;
	*out = prl__handle(&l->base);
	return PRL_ERR_SUCCESS;
}

static int append(prl__list *l, void *item)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 8;
		void **p = realloc(l->items, sizeof(*p) * cap);
		if (!p)
			return -1;
		l->items = p;
		l->cap = cap;
	}
	l->items[l->n++] = item;
	return 0;
}

/* Removes item i and returns it; the caller disposes of it. */
static void *take(prl__list *l, uint32_t i)
{
	void *it = l->items[i];
	memmove(&l->items[i], &l->items[i + 1], sizeof(void *) * (l->n - i - 1));
	l->n--;
	return it;
}

PRL_METHOD(PrlApi_CreateStringsList)(PRL_HANDLE_PTR phStringsList)
{
	return create(&strlist_type, phStringsList);
}

PRL_METHOD(PrlApi_CreateHandlesList)(PRL_HANDLE_PTR phHandlesList)
{
	return create(&hndllist_type, phHandlesList);
}

PRL_METHOD(PrlStrList_GetItemsCount)(PRL_HANDLE hStringsList, PRL_UINT32_PTR pnItemsCount)
{
	PRL__OBJ(l, prl__list, hStringsList, PHT_STRINGS_LIST);
	PRL__CHECK_ARG(pnItemsCount);
	pthread_mutex_lock(&l->mu);
	*pnItemsCount = l->n;
	pthread_mutex_unlock(&l->mu);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlStrList_AddItem)(PRL_HANDLE hStringsList, PRL_CONST_STR sItem)
{
	PRL__OBJ(l, prl__list, hStringsList, PHT_STRINGS_LIST);
	PRL__CHECK_ARG(sItem);
	char *copy = strdup(sItem);
	if (!copy)
		return PRL_ERR_OUT_OF_MEMORY;
	pthread_mutex_lock(&l->mu);
	int rc = append(l, copy);
	pthread_mutex_unlock(&l->mu);
	if (rc)
		free(copy);
	return rc ? PRL_ERR_OUT_OF_MEMORY : PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlStrList_GetItem)(PRL_HANDLE hStringsList, PRL_UINT32 nItemIndex,
			       PRL_STR sItem, PRL_UINT32_PTR pnItemBufLength)
{
	PRL__OBJ(l, prl__list, hStringsList, PHT_STRINGS_LIST);
	PRL__CHECK_ARG(pnItemBufLength);
	pthread_mutex_lock(&l->mu);
	PRL_RESULT rc = nItemIndex < l->n
		? prl__copy_str(l->items[nItemIndex], sItem, pnItemBufLength)
		: PRL_ERR_INVALID_ARG;
	pthread_mutex_unlock(&l->mu);
	return rc;
}

PRL_METHOD(PrlStrList_RemoveItem)(PRL_HANDLE hStringsList, PRL_UINT32 nItemIndex)
{
	PRL__OBJ(l, prl__list, hStringsList, PHT_STRINGS_LIST);
	pthread_mutex_lock(&l->mu);
	char *it = nItemIndex < l->n ? take(l, nItemIndex) : NULL;
	pthread_mutex_unlock(&l->mu);
	if (!it)
		return PRL_ERR_INVALID_ARG;
	free(it);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlHndlList_GetItemsCount)(PRL_HANDLE hHandlesList, PRL_UINT32_PTR pnItemsCount)
{
	PRL__OBJ(l, prl__list, hHandlesList, PHT_HANDLES_LIST);
	PRL__CHECK_ARG(pnItemsCount);
	pthread_mutex_lock(&l->mu);
	*pnItemsCount = l->n;
	pthread_mutex_unlock(&l->mu);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlHndlList_AddItem)(PRL_HANDLE hHandlesList, PRL_HANDLE hItem)
{
	PRL__OBJ(l, prl__list, hHandlesList, PHT_HANDLES_LIST);
	prl__obj *it = prl__get(hItem, PHT_ERROR);      /* the list's reference */
	if (!it)
		return PRL_ERR_INVALID_ARG;
	pthread_mutex_lock(&l->mu);
	int rc = append(l, it);
	pthread_mutex_unlock(&l->mu);
	if (rc)
		prl__put(it);
	return rc ? PRL_ERR_OUT_OF_MEMORY : PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlHndlList_GetItem)(PRL_HANDLE hHandlesList, PRL_UINT32 nItemIndex,
				PRL_HANDLE_PTR phItem)
{
	PRL__OBJ(l, prl__list, hHandlesList, PHT_HANDLES_LIST);
	PRL__CHECK_ARG(phItem);
	PRL_RESULT rc = PRL_ERR_INVALID_ARG;
	pthread_mutex_lock(&l->mu);
	if (nItemIndex < l->n) {
		*phItem = prl__give(l->items[nItemIndex]);
		rc = PRL_ERR_SUCCESS;
	}
	pthread_mutex_unlock(&l->mu);
	return rc;
}

PRL_METHOD(PrlHndlList_RemoveItem)(PRL_HANDLE hHandlesList, PRL_UINT32 nItemIndex)
{
	PRL__OBJ(l, prl__list, hHandlesList, PHT_HANDLES_LIST);
	pthread_mutex_lock(&l->mu);
	prl__obj *it = nItemIndex < l->n ? take(l, nItemIndex) : NULL;
	pthread_mutex_unlock(&l->mu);
	if (!it)
		return PRL_ERR_INVALID_ARG;
	prl__put(it);
	return PRL_ERR_SUCCESS;
}

/* ---- to the wire --------------------------------------------------------- */

PRL_RESULT prl__strlist_to_wire(PRL_HANDLE hList, Prl__StringList *out)
{
	PRL__OBJ(l, prl__list, hList, PHT_STRINGS_LIST);
	pthread_mutex_lock(&l->mu);
	out->item = calloc(l->n ? l->n : 1, sizeof(char *));
	for (uint32_t i = 0; out->item && i < l->n; i++) {
		char *s = strdup(l->items[i]);
		if (!s)
			break;
		out->item[out->n_item++] = s;
	}
	int ok = out->item && out->n_item == l->n;
	pthread_mutex_unlock(&l->mu);
	return ok ? PRL_ERR_SUCCESS : PRL_ERR_OUT_OF_MEMORY;
}

void prl__wire_strings_clear(Prl__StringList *l)
{
	for (size_t i = 0; i < l->n_item; i++)
		free(l->item[i]);
	free(l->item);
}
