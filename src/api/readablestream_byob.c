/* Readable byte streams (Streams Standard §4.7-4.9): ReadableByteStreamController,
 * ReadableStreamBYOBReader and ReadableStreamBYOBRequest. Not written yet: the classes are
 * declared so the rest of the streams code can name them. */
#include "streams_internal.h"

isl_class_def_t st_byob_reader_class = {
    .name = "ReadableStreamBYOBReader",
};

isl_class_def_t st_rbc_class = {
    .name = "ReadableByteStreamController",
};
