#ifndef CHAINETL_CLIBPQ_SHIM_H
#define CHAINETL_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
