/*
 * PrlTypes.h — scalar types, handle type and the declaration macros of the
 * OpenPRL public API.
 *
 * Every public function is declared through one of the PRL_*_METHOD_DECL
 * macros: it yields the prototype and a matching `<name>_Ptr` function-pointer
 * typedef.  With DYN_API_WRAP defined (programs that load the library through
 * SdkWrap) the prototype is renamed `wrap<name>` so the program can keep
 * function-pointer variables with the plain names.
 */
#ifndef OPENPRL_PRLTYPES_H
#define OPENPRL_PRLTYPES_H

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(_WIN_) && !defined(_LIN_)
# if defined(_MSC_VER)
#  define _WIN_
# else
#  define _LIN_
# endif
#endif

/* Strings are UTF-8. */
typedef char               PRL_CHAR;
typedef PRL_CHAR          *PRL_CHAR_PTR;
typedef PRL_CHAR_PTR       PRL_STR;
typedef const char        *PRL_CONST_STR;
typedef PRL_CONST_STR     *PRL_CONST_STR_PTR;

typedef unsigned char      PRL_UINT8;
typedef PRL_UINT8         *PRL_UINT8_PTR;
typedef PRL_UINT8        **PRL_UINT8_PTR_PTR;
typedef const PRL_UINT8   *PRL_CONST_UINT8_PTR;
typedef signed char        PRL_INT8;
typedef PRL_INT8          *PRL_INT8_PTR;
typedef PRL_INT8         **PRL_INT8_PTR_PTR;
typedef const PRL_INT8    *PRL_CONST_INT8_PTR;
typedef unsigned short     PRL_UINT16;
typedef PRL_UINT16        *PRL_UINT16_PTR;
typedef PRL_UINT16       **PRL_UINT16_PTR_PTR;
typedef const PRL_UINT16  *PRL_CONST_UINT16_PTR;
typedef short              PRL_INT16;
typedef PRL_INT16         *PRL_INT16_PTR;
typedef PRL_INT16        **PRL_INT16_PTR_PTR;
typedef const PRL_INT16   *PRL_CONST_INT16_PTR;
typedef unsigned int       PRL_UINT32;
typedef PRL_UINT32        *PRL_UINT32_PTR;
typedef PRL_UINT32       **PRL_UINT32_PTR_PTR;
typedef const PRL_UINT32  *PRL_CONST_UINT32_PTR;
typedef int                PRL_INT32;
typedef PRL_INT32         *PRL_INT32_PTR;
typedef PRL_INT32        **PRL_INT32_PTR_PTR;
typedef const PRL_INT32   *PRL_CONST_INT32_PTR;
#if defined(_WIN_) && defined(_MSC_VER)
typedef unsigned __int64   PRL_UINT64;
typedef __int64            PRL_INT64;
#else
typedef unsigned long long PRL_UINT64;
typedef long long          PRL_INT64;
#endif
typedef PRL_UINT64        *PRL_UINT64_PTR;
typedef PRL_UINT64       **PRL_UINT64_PTR_PTR;
typedef const PRL_UINT64  *PRL_CONST_UINT64_PTR;
typedef PRL_INT64         *PRL_INT64_PTR;
typedef PRL_INT64        **PRL_INT64_PTR_PTR;
typedef const PRL_INT64   *PRL_CONST_INT64_PTR;

/* A boolean is 32 bits wide: zero is false, anything else true. */
typedef unsigned int       PRL_BOOL;
typedef PRL_BOOL          *PRL_BOOL_PTR;
typedef const PRL_BOOL    *PRL_CONST_BOOL_PTR;
#define PRL_TRUE  (1)
#define PRL_FALSE (0)
#define PRL_TERNARY_UNDEF (0)
#define PRL_TERNARY_TRUE  (2)
#define PRL_TERNARY_FALSE (3)

typedef void               PRL_VOID;
typedef PRL_VOID          *PRL_VOID_PTR;
typedef const PRL_VOID    *PRL_CONST_VOID_PTR;
typedef PRL_VOID_PTR      *PRL_VOID_PTR_PTR;

typedef unsigned int       PRL_SIZE;
typedef PRL_SIZE          *PRL_SIZE_PTR;
typedef PRL_SIZE_PTR      *PRL_SIZE_PTR_PTR;
typedef const PRL_SIZE    *PRL_CONST_SIZE_PTR;

typedef double             PRL_DOUBLE;
typedef PRL_DOUBLE        *PRL_DOUBLE_PTR;
typedef PRL_DOUBLE_PTR    *PRL_DOUBLE_PTR_PTR;
typedef const PRL_DOUBLE  *PRL_CONST_DOUBLE_PTR;

/* Calling convention: cdecl on 32-bit x86, the platform default elsewhere. */
#ifndef PRL_CALL
# if !defined(PRL_64_BIT_BUILD) && !defined(_AMD64_) && !defined(__x86_64__) && \
     (defined(__i386__) || defined(_M_IX86))
#  ifdef _WIN_
#   define PRL_CALL __cdecl
#  else
#   define PRL_CALL __attribute__((cdecl, regparm(0)))
#  endif
# else
#  define PRL_CALL
# endif
#endif

#ifndef PRL_EXTERN
# ifdef __cplusplus
#  define PRL_EXTERN extern "C"
# else
#  define PRL_EXTERN
# endif
#endif

#ifdef _WIN_
# define PRL_DLLEXPORT __declspec(dllexport)
#elif !defined(PRL_GCC_DISABLE_VISIBILITY_ATTR)
# define PRL_DLLEXPORT __attribute__((visibility("default")))
#else
# define PRL_DLLEXPORT
#endif

#define PRL_METHOD(func)       PRL_EXTERN PRL_DLLEXPORT PRL_RESULT PRL_CALL func
#define PRL_ASYNC_METHOD(func) PRL_EXTERN PRL_DLLEXPORT PRL_HANDLE PRL_CALL func
#define PRL_METHOD_PTR(t)       PRL_RESULT (PRL_CALL *t)
#define PRL_ASYNC_METHOD_PTR(t) PRL_HANDLE (PRL_CALL *t)

#ifdef DYN_API_WRAP
# define PRL__DECL_NAME(name)  wrap##name
# define PRL__PTR_NAME(name)   name##wrap##_Ptr
#else
# define PRL__DECL_NAME(name)  name
# define PRL__PTR_NAME(name)   name##_Ptr
#endif

/* `version` documents the API version that introduced the function. */
#define PRL_METHOD_DECL(version, name, args)                 \
	PRL_METHOD(PRL__DECL_NAME(name)) args;               \
	typedef PRL_METHOD_PTR(PRL__PTR_NAME(name)) args;
#define PRL_SRV_METHOD_DECL(version, name, args) PRL_METHOD_DECL(version, name, args)
#define PRL_ASYNC_METHOD_DECL(version, name, args)           \
	PRL_ASYNC_METHOD(PRL__DECL_NAME(name)) args;         \
	typedef PRL_ASYNC_METHOD_PTR(PRL__PTR_NAME(name)) args;
#define PRL_ASYNC_SRV_METHOD_DECL(version, name, args) PRL_ASYNC_METHOD_DECL(version, name, args)

#ifdef _WIN_
# define PRL_STRUCT(struct_name) struct_name
# define PRL_UNUSED
# define PRL_PACKED
#else
# define PRL_STRUCT(struct_name) __attribute__((packed)) struct_name
# define PRL_UNUSED __attribute__((unused))
# define PRL_PACKED __attribute__((packed))
#endif
#define PRL_UNUSED_PARAM(x) (void)(x)

/* A handle is an opaque id in a pointer-sized value, never an address. */
typedef int               *PRL_HANDLE;
typedef PRL_HANDLE        *PRL_HANDLE_PTR;
typedef const PRL_HANDLE  *PRL_CONST_HANDLE_PTR;
#define PRL_NULL ((PRL_VOID_PTR)0)
#define PRL_INVALID_HANDLE (0)

#ifdef _WIN_
# pragma pack(push, prl_api_pack, 1)
#endif

typedef struct _PRL_API_METHOD {
	PRL_CONST_STR MethodName;
	PRL_UINT32    MethodAPIVersion;
	PRL_VOID_PTR  MethodPtr;
	PRL_BOOL      MethodIsDeprecated;
	PRL_BOOL      MethodIsAsync;
	PRL_BOOL      MethodIsSrv;
	PRL_UINT32    ReservedA, ReservedB, ReservedC, ReservedD;
} PRL_STRUCT(PRL_API_METHOD);
typedef PRL_API_METHOD       *PRL_API_METHOD_PTR;
typedef const PRL_API_METHOD *PRL_CONST_API_METHOD_PTR;

typedef struct _PRL_GUID {
	PRL_UINT32 Data1;
	PRL_UINT16 Data2;
	PRL_UINT16 Data3;
	PRL_UINT8  Data4[8];
} PRL_STRUCT(PRL_GUID);
typedef PRL_GUID       *PRL_GUID_PTR;
typedef const PRL_GUID *PRL_CONST_GUID_PTR;

#ifdef _WIN_
typedef PRL_VOID_PTR PRL_FILE_DESC;
# define PRL_INVALID_FILE_DESCRIPTOR (0)
#else
typedef PRL_INT32 PRL_FILE_DESC;
# define PRL_INVALID_FILE_DESCRIPTOR (-1)
#endif

/* Every function reports through a signed 32-bit result: < 0 is an error. */
typedef int         PRL_RESULT;
typedef PRL_RESULT *PRL_RESULT_PTR;

/*
 * Event handler: receives PHT_EVENT and PHT_JOB handles on a notification
 * thread of the library; it owns one reference and must PrlHandle_Free it.
 */
typedef PRL_METHOD_PTR(PRL_EVENT_HANDLER_PTR)(PRL_HANDLE hEvent, PRL_VOID_PTR data);

#ifdef _WIN_
# pragma pack(pop, prl_api_pack)
#endif

#ifdef __cplusplus
}
#endif
#endif /* OPENPRL_PRLTYPES_H */
