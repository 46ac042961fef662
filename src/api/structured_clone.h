/* The structured clone algorithm for C callers (structuredClone() itself is in
 * structured_clone.c), and the hook through which [Serializable] platform classes take part. */
#ifndef ISL_STRUCTURED_CLONE_H
#define ISL_STRUCTURED_CLONE_H

#include "../jsc/jsc.h"
#include "api.h"

/* The realm->api_state slot holding structured_clone.c's per-realm state. */

/* StructuredDeserializeWithTransfer(StructuredSerializeWithTransfer(value, transfer)) into
 * ctx's realm: a deep copy of value. transfer holds ntransfer objects (the caller keeps them
 * alive); each must be a distinct ArrayBuffer, which ends up detached, its bytes moved into
 * the copy. Returns NULL and sets *exc on failure (a DataCloneError DOMException for what
 * cannot be cloned or transferred, or whatever a getter of value threw). */
JSValueRef isl_structured_clone(JSContextRef ctx, JSValueRef value, size_t ntransfer,
                                const JSObjectRef transfer[], JSValueRef *exc);

/* A [Serializable] platform class's serialization and deserialization steps in one: returns
 * a new instance in ctx's realm equal to src (an instance of the registered class or a
 * subclass), or NULL with *exc set. It must not run user code. An own `stack` data property
 * of src (a DOMException's) is copied by the clone itself. */
typedef JSObjectRef (*isl_clone_fn)(JSContextRef ctx, JSObjectRef src, JSValueRef *exc);

/* Makes instances of def cloneable through fn; call it from the class's install function
 * (registering the same def again is a no-op). Instances of other classes are platform
 * objects that are not serializable: cloning one throws a DataCloneError. */
void isl_structured_clone_register(isl_class_def_t *def, isl_clone_fn fn);

#endif
